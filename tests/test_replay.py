"""Replay a day: the day's log from the store (what was open at midnight WIB, every change through the day), for
the audience asking, and the wall playing it as a time-lapse in a real Chromium."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import requests

from data_feeds.clock import WIB, wib_today
from tests.helpers import WAIT_MS, at_kelurahan, post, report_payload, sign_in

DAY = wib_today() - timedelta(days=3)


def at(day: date, hh: int, mm: int = 0) -> str:
    return datetime.combine(day, time(hh, mm), WIB).isoformat()


def a_day(send, move) -> dict:
    """Through the API: a flood report still open from the evening before, answered in the morning; a road
    report filed, answered and resolved during the day; one rubbish report filed late; one the day after."""
    ids = {}
    ids["evening"] = send(
        report_payload(
            category="banjir",
            title="Banjir sejak kemarin",
            reported_at=at(DAY - timedelta(days=1), 20),
            **at_kelurahan("36.71.11.1004"),
        )
    )
    ids["road"] = send(
        report_payload(title="Jalan berlubang pagi", reported_at=at(DAY, 8), **at_kelurahan("36.71.07.1014"))
    )
    ids["late"] = send(
        report_payload(
            category="sampah", title="Sampah malam", reported_at=at(DAY, 22, 30), **at_kelurahan("36.71.02.1003")
        )
    )
    ids["next"] = send(report_payload(title="Hari berikutnya", reported_at=at(DAY + timedelta(days=1), 9)))
    move(ids["evening"], {"status": "diproses", "at": at(DAY, 10)})
    move(ids["road"], {"status": "diproses", "at": at(DAY, 9)})
    move(ids["road"], {"status": "selesai", "at": at(DAY, 15), "evidence": ["https://laksa.example/bukti/jalan.jpg"]})
    return ids


def test_the_day_log_has_what_was_open_at_midnight_and_every_change_of_the_day(client):
    def send(body):
        return post(client, body).get_json()["id"]

    def move(rid, body):
        assert post(client, body, path=f"/api/v1/reports/{rid}/status").status_code == 200

    ids = a_day(send, move)
    resp = client.get(f"/api/v1/live/replay?day={DAY.isoformat()}")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "private, no-store"
    doc = resp.get_json()
    assert doc["at_start"] == {ids["evening"]: "baru"}
    assert [(e[1], e[2]) for e in doc["events"]] == [
        (ids["road"], "baru"),
        (ids["road"], "diproses"),
        (ids["evening"], "diproses"),
        (ids["road"], "selesai"),
        (ids["late"], "baru"),
    ]
    assert [e[0] for e in doc["events"]] == [8 * 3600, 9 * 3600, 10 * 3600, 15 * 3600, 22 * 3600 + 1800]
    assert set(doc["reports"]) == {ids["evening"], ids["road"], ids["late"]} and ids["next"] not in doc["reports"]
    road = doc["reports"][ids["road"]]
    assert road["k"] == "Karawaci" and road["t"] == "Jalan berlubang pagi" and len(road["ll"]) == 2
    assert "reporter" not in str(doc) and doc["truncated"] is False


def test_the_day_log_is_refused_to_the_wrong_viewer_and_for_a_bad_day(app, client, services):
    sent = post(client, report_payload(reported_at=at(DAY, 8))).get_json()["id"]  # jalan_rusak: DPUPR's
    flood = post(client, report_payload(category="banjir", reported_at=at(DAY, 9))).get_json()["id"]  # BPBD's
    path = f"/api/v1/live/replay?day={DAY.isoformat()}"
    assert app.server.test_client().get(path).status_code == 401  # signed out, no key
    for bad, code in (
        ("2026-13-01", 400),
        ("kemarin", 400),
        ("", 400),
        ((wib_today() + timedelta(days=2)).isoformat(), 422),
    ):
        resp = client.get(f"/api/v1/live/replay?day={bad}")
        assert resp.status_code == code and resp.get_json()["error"]["field"] == "day", (bad, resp.get_json())
    assessor = app.server.test_client()
    sign_in(assessor, services, "penilai")
    refused = assessor.get(path)
    assert refused.status_code == 403 and "report" not in str(refused.get_json()).lower().replace("no report", "")
    agency = app.server.test_client()
    sign_in(agency, services, "opd", opds=("dpupr",))
    own = agency.get(path).get_json()
    assert sent in own["reports"] and flood not in own["reports"] and all(e[1] != flood for e in own["events"])


@pytest.mark.browser
@pytest.mark.stack
def test_a_replayed_day_draws_its_reports_as_a_time_lapse(live_stack, page):
    """`/?replay=DAY&speed=7200`: the day in twelve seconds. Markers appear, change and close, the tiles count
    along, the strip says REPLAY; at the end the screen shows the day's close."""
    http = requests.Session()
    http.headers.update(live_stack.headers)

    def send(body):
        resp = http.post(f"{live_stack.url}/api/v1/reports", json=body, timeout=10)
        assert resp.status_code == 201
        return resp.json()["id"]

    def move(rid, body):
        assert http.post(f"{live_stack.url}/api/v1/reports/{rid}/status", json=body, timeout=10).status_code == 200

    ids = a_day(send, move)
    page.goto(live_stack.enter(next_path=f"/?replay={DAY.isoformat()}&speed=7200"))
    page.wait_for_selector("#status-banner.lr-status-replay", timeout=WAIT_MS)
    assert "PUTAR ULANG" in page.inner_text("#status-banner")
    assert page.evaluate("window.liveroomLink.info().cfg") is None  # not live meanwhile
    page.wait_for_selector(f'.lr-marker [data-report-id="{ids["road"]}"]', timeout=WAIT_MS)  # it appeared
    page.wait_for_function("() => window.liveroomReplay.info().done", timeout=60_000)
    info = page.evaluate("window.liveroomReplay.info()")
    assert (
        info["status"] == {ids["evening"]: "diproses", ids["road"]: "selesai", ids["late"]: "baru"}
        and info["drawn"] == 3
    )
    page.wait_for_timeout(600)
    assert "selesai" in page.inner_text("#status-banner")
    assert (
        page.inner_text("#kpi-today") == "2"
        and page.inner_text("#kpi-baru") == "1"
        and page.inner_text("#kpi-diproses") == "1"
    )
    assert page.inner_text("#kpi-selesai") == "1"
    # the road report closed at 15:00 and has left the map by midnight; the others are there with their status
    assert page.locator(f'.lr-marker [data-report-id="{ids["road"]}"]').count() == 0
    assert page.get_attribute(f'.lr-marker [data-report-id="{ids["late"]}"]', "data-status") == "baru"
    assert page.get_attribute(f'.lr-marker [data-report-id="{ids["evening"]}"]', "data-status") == "diproses"
    assert ids["next"] not in page.inner_text("#ticker") and "Sampah malam" in page.inner_text("#ticker")
    # the kiosk's map scene replays too: its counts per kecamatan are the day's (the late report's kecamatan: 1 baru)
    page.goto(live_stack.enter(next_path=f"/?scenes=peta&replay={DAY.isoformat()}&speed=86400"))
    page.wait_for_function("() => window.liveroomReplay.info().done", timeout=60_000)
    page.wait_for_function(
        "() => (document.querySelector('.lr-count-box[data-kec=\"36.71.02\"]') || {dataset: {}}).dataset.counts === "
        "'1,0,0'",
        timeout=WAIT_MS,
    )
    assert "PUTAR ULANG selesai" in page.inner_text("#status-banner")
    assert page.errors == []
