"""Issue 29, item 2 (its league): `GET /api/v1/league?by=opd|kecamatan|kelurahan[&from=&to=]`: every agency or area a
row (reports, per 10,000 residents, resolved, overdue, median and p90 of response and resolution, satisfaction),
for any signed-in reader or key (figures only), refused in words for anything not understood."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import at_kelurahan, person, post, report_payload

pytestmark = pytest.mark.store

KEL = "36.71.07.1014"


def test_the_league_answers_for_all_three_levels(app, client, services):
    now = datetime.now(timezone.utc)
    old = (now - timedelta(hours=30)).isoformat()
    a = post(client, report_payload(id="LKS-2026-000960", reported_at=old, **at_kelurahan(KEL))).get_json()
    post(client, report_payload(category="sampah", **at_kelurahan(KEL)))
    post(client, report_payload(**at_kelurahan("36.71.02.1003")))
    for body in (
        {"status": "diproses", "opd": "dpupr"},
        {"status": "selesai", "evidence": ["https://x.invalid/a.jpg"]},
    ):
        assert post(client, body, path=f"/api/v1/reports/{a['id']}/status").status_code == 200
    assert post(client, {"score": 4}, path=f"/api/v1/reports/{a['id']}/rating").status_code == 201
    by_opd = client.get("/api/v1/league").get_json()
    assert by_opd["by"] == "opd" and len(by_opd["rows"]) == len(services.routing.opds)
    dpupr = next(r for r in by_opd["rows"] if r["key"] == "dpupr")
    assert (dpupr["reports"], dpupr["resolved"], dpupr["overdue"], dpupr["satisfaction"]) == (2, 1, 1, 4.0)
    assert dpupr["response_median_s"] is not None and dpupr["short"] == "DPUPR"
    kec = client.get("/api/v1/league", query_string={"by": "kecamatan"}).get_json()["rows"]
    assert len(kec) == 13 and next(r for r in kec if r["key"] == "36.71.07")["reports"] == 2
    kel = client.get("/api/v1/league", query_string={"by": "kelurahan"}).get_json()["rows"]
    assert len(kel) == 104
    row = next(r for r in kel if r["key"] == KEL)
    assert row["reports"] == 2 and row["kecamatan"] == "Karawaci" and "per_10k" in row
    known = next(r for r in kel if r["population"])
    assert known["per_10k"] == round(known["reports"] * 10_000 / known["population"], 2)
    today = now.date().isoformat()
    window = client.get("/api/v1/league", query_string={"from": "2020-01-01", "to": "2020-01-31"}).get_json()
    assert sum(r["reports"] for r in window["rows"]) == 0
    assessor, _ = person(app, services, "penilai")  # figures, never a report's words: an assessor reads them
    assert assessor.get("/api/v1/league", query_string={"to": today}).status_code == 200


@pytest.mark.parametrize(
    "args,field",
    [
        ({"by": "rt"}, "by"),
        ({"from": "kemarin"}, "from"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_the_league_refuses_what_it_does_not_understand(client, args, field):
    resp = client.get("/api/v1/league", query_string=args)
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == field


def test_the_league_needs_a_reader(app):
    assert app.server.test_client().get("/api/v1/league").status_code in (302, 401)
