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


def resolve(client, report_id: str) -> None:
    for body in (
        {"status": "diproses", "opd": "dpupr"},
        {"status": "selesai", "evidence": ["https://x.invalid/a.jpg"]},
    ):
        assert post(client, body, path=f"/api/v1/reports/{report_id}/status").status_code == 200


def test_a_low_rating_puts_a_resolved_report_in_the_queue_until_the_room_reviews_it(app, client, services):
    """Issue 29, item 4: the citizen's rating after selesai; a score of 1-2 lands in the operator's queue."""
    from tests.helpers import person

    low = post(client, report_payload(id="LKS-2026-000950", title="Lubang ditambal asal-asalan")).get_json()
    good = post(client, report_payload(id="LKS-2026-000951", title="Lampu sudah menyala")).get_json()
    before = store_counts(services)
    early = post(client, {"score": 2}, path="/api/v1/reports/LKS-2026-000950/rating")
    assert early.status_code == 409 and store_counts(services) == before  # not yet resolved
    for rid in (low["id"], good["id"]):
        resolve(client, rid)
    for body in ({"score": 0}, {"score": 6}, {"score": "2"}, {"score": 2.5}, {"komentar": "x", "score": 3}):
        resp = post(client, body, path="/api/v1/reports/LKS-2026-000950/rating")
        assert resp.status_code == 422, body
    other_feed = post(
        client,
        {"score": 1},
        path=f"/api/v1/reports/{low['id']}/rating",
        headers={"X-API-Key": services.test_keys["112"]},
    )
    assert other_feed.status_code in (403, 404)  # another source's citizen does not rate it
    rated = post(client, {"score": 2, "comment": "Tambalan lepas lagi"}, path="/api/v1/reports/LKS-2026-000950/rating")
    assert rated.status_code == 201 and rated.get_json()["report"]["rating"] == 2
    assert post(client, {"score": 5}, path="/api/v1/reports/LKS-2026-000951/rating").status_code == 201
    queue = client.get("/api/v1/reports", query_string={"order": "due"}).get_json()["reports"]
    assert [r["id"] for r in queue] == [low["id"]] and queue[0]["review"] is True
    http, _ = person(app, services, "operator")
    page = http.get("/antrian").get_data(as_text=True)
    assert "nilai warga 2/5 · tinjau" in page and "LKS-2026-000951" not in page
    report_page = http.get("/laporan/LKS-2026-000950").get_data(as_text=True)
    assert 'name="aksi" value="confirm"' in report_page and "Tambalan lepas lagi" in report_page
    csrf = report_page.split('name="csrf_token" value="')[1].split('"')[0]
    done = http.post("/laporan/LKS-2026-000950", data={"csrf_token": csrf, "aksi": "confirm", "catatan": "Dicek ulang"})
    assert done.status_code == 303
    assert client.get("/api/v1/reports", query_string={"order": "due"}).get_json()["reports"] == []
    assert 'value="confirm"' not in http.get("/laporan/LKS-2026-000950").get_data(as_text=True)
