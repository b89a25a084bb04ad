"""SLA clocks: due times per category, breached / due-soon states, per-OPD counts and times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from data_feeds.live.snapshot import compute
from data_feeds.reports import categories
from tests.helpers import area_view, at_kelurahan, report_payload

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
ROUTING = categories.load()
BANJIR = ROUTING.categories["banjir"]  # 2 h to first response, 48 h to resolution


def test_report_api_shows_due_times(client):
    reported = datetime.now(timezone.utc) - timedelta(hours=3)
    body = client.post(
        "/api/v1/reports", json=report_payload(category="banjir", reported_at=reported.isoformat())
    ).get_json()
    block = body["sla"]
    assert block["state"] == "breached" and block["response_hours"] == 2 and block["resolution_hours"] == 48
    assert datetime.fromisoformat(block["response_due"]) == reported.replace(
        microsecond=reported.microsecond // 1000 * 1000
    ) + timedelta(hours=2)
    assert block["response_met"] is None


def _post(client, **kw) -> str:
    resp = client.post("/api/v1/reports", json=report_payload(**kw))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def _move(client, rid, **body):
    resp = client.post(f"/api/v1/reports/{rid}/status", json=body)
    assert resp.status_code == 200, resp.get_json()


@pytest.mark.store
def test_per_opd_panel_counts_and_times(client, services):
    now = datetime.now(timezone.utc)
    ago = lambda **kw: (now - timedelta(**kw)).isoformat()  # noqa: E731
    cip = at_kelurahan("36.71.05.1001")  # Cipondoh
    late = _post(client, category="banjir", reported_at=ago(hours=3), **cip)  # BPBD, baru past 2 h: breached
    _post(client, category="banjir", reported_at=ago(minutes=100))  # BPBD, 20 min left: soon
    _post(client, category="banjir", reported_at=ago(minutes=10))  # BPBD, fine
    # DLH (sampah: 24 h / 72 h): answered after 2 h and 6 h, resolved after 10 h and 30 h
    for reported_h, response_h, resolve_h in ((40, 2, 10), (50, 6, 30)):
        rid = _post(client, category="sampah", reported_at=ago(hours=reported_h))
        _move(client, rid, status="diproses", at=ago(hours=reported_h - response_h))
        _move(client, rid, status="selesai", at=ago(hours=reported_h - resolve_h), evidence=["https://x.example/a.jpg"])
    summary, markers = compute(services.store, services.routing, services.gazetteer, now, 5000)
    _kpi, ticker, city = area_view(summary, None)
    rows = {r["opd"]: r for r in city["rows"]}
    assert (rows["bpbd"]["open"], rows["bpbd"]["breached"], rows["bpbd"]["soon"]) == (3, 1, 1)
    assert (city["breached"], city["soon"]) == (1, 1)
    assert city["rows"][0]["opd"] == "bpbd"  # the agency with overdue reports comes first
    dlh = rows["dlh"]
    assert (dlh["open"], dlh["response_n"], dlh["resolution_n"]) == (0, 2, 2)
    assert dlh["response_median_s"] == pytest.approx(2 * 3600, abs=2) and dlh["response_p90_s"] == pytest.approx(
        6 * 3600, abs=2
    )
    assert dlh["resolution_median_s"] == pytest.approx(10 * 3600, abs=2) and dlh["resolution_p90_s"] == pytest.approx(
        30 * 3600, abs=2
    )
    # the overdue report is marked on the map and in the ticker; the kecamatan view has only its own
    assert markers[late]["properties"]["sla"] == "breached"
    assert next(t for t in ticker if t["id"] == late)["sla"] == "breached"
    _k, _t, cipondoh = area_view(summary, "36.71.05")
    assert [(r["opd"], r["open"], r["breached"]) for r in cipondoh["rows"]] == [("bpbd", 1, 1)]
