"""Issue 29, item 4 (first part): a public response to the citizen (tanggapan), apart from internal notes. From the
report's page (tests/test_queue.py) or by `POST /api/v1/reports/<id>/responses` (workflow role, scoped as a status
change is); shown in the report's history, Open311's servicerequestupdates and its status_notes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import post, report_payload, store_counts

pytestmark = pytest.mark.store


def test_a_feed_answers_the_citizen_and_every_door_shows_it(client, services):
    made = post(client, report_payload(id="LKS-2026-000901")).get_json()
    resp = post(client, {"text": "Tim DPUPR dijadwalkan besok pagi"}, path="/api/v1/reports/LKS-2026-000901/responses")
    assert resp.status_code == 201, resp.get_json()
    event_id = resp.get_json()["event_id"]
    report = client.get(f"/api/v1/reports/{made['id']}").get_json()
    last = report["events"][-1]
    assert (last["id"], last["kind"], last["note"]) == (event_id, "response", "Tim DPUPR dijadwalkan besok pagi")
    assert report["status"] == "baru"  # a response moves nothing
    since = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    updates = client.get("/open311/v2/servicerequestupdates.json", query_string={"start_date": since}).get_json()
    assert any(u["update_id"] == str(event_id) and u["description"].startswith("Tim DPUPR") for u in updates)
    one = client.get(f"/open311/v2/requests/{made['id']}.json").get_json()[0]
    assert one["status_notes"] == "Tim DPUPR dijadwalkan besok pagi"


def test_a_response_is_refused_without_the_role_outside_the_scope_and_without_words(client, services):
    made = post(client, report_payload()).get_json()
    before = store_counts(services)
    for body, headers, status, field in (
        ({"text": "Halo"}, {"X-API-Key": services.test_keys["112"]}, 403, None),  # no workflow role
        ({"text": "   "}, {}, 422, "text"),
        ({"text": "x" * 2001}, {}, 422, "text"),
        ({"teks": "Halo"}, {}, 422, None),
        ([], {}, 400, "body"),
    ):
        resp = post(client, body, path=f"/api/v1/reports/{made['id']}/responses", headers=headers)
        assert resp.status_code == status, (body, resp.get_json())
        if field:
            assert resp.get_json()["error"]["field"] == field
    theirs = services.api_keys.create("", roles=("workflow",), opds=("dlh",))[1]  # another agency's system
    resp = post(client, {"text": "Halo"}, path=f"/api/v1/reports/{made['id']}/responses", headers={"X-API-Key": theirs})
    assert resp.status_code == 403  # as a status change outside the key's scope is
    assert store_counts(services) == before
