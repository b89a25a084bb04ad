"""Issue 28, item 5: one id a person can use everywhere. A report whose source sent its own id is known by it
(LKS-...); any other is given LR-<year>-<number> at intake, in the write that stores it. Every door takes either
that or the internal id; the list, exports, briefings and the wall show it."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from data_feeds.clock import WIB
from data_feeds.reports import human_id, legacy_rows
from data_feeds.store import reports
from tests.helpers import person, post, report_payload

pytestmark = pytest.mark.store

YEAR = datetime.now(timezone.utc).astimezone(WIB).year


def lr(number: int) -> str:
    return f"LR-{YEAR}-{number:06d}"


def test_a_report_without_a_source_id_gets_the_next_number_and_one_with_keeps_its_own(client, services):
    first = post(client, report_payload()).get_json()
    second = post(client, report_payload(title="Lampu jalan mati")).get_json()
    laksa = post(client, report_payload(id="LKS-2026-000123")).get_json()
    assert (first["human_id"], second["human_id"]) == (lr(1), lr(2))
    assert laksa["human_id"] == "LKS-2026-000123" and laksa["source_id"] == "LKS-2026-000123"
    # the number is stored: the same report read again says the same, and the LAKSA one drew none
    assert client.get(f"/api/v1/reports/{first['id']}").get_json()["human_id"] == lr(1)
    with services.store.read() as conn:
        refs = dict(conn.execute(reports.select().with_only_columns(reports.c.id, reports.c.human_ref)).all())
    assert refs == {first["id"]: lr(1), second["id"]: lr(2), laksa["id"]: None}


def test_every_door_takes_the_human_id_in_any_case(app, client, services):
    made = post(client, report_payload()).get_json()
    ref = made["human_id"]
    for asked in (ref, ref.lower()):
        got = client.get(f"/api/v1/reports/{asked}")
        assert got.status_code == 200 and got.get_json()["id"] == made["id"]
    moved = post(client, {"status": "diproses", "opd": "dlh"}, path=f"/api/v1/reports/{ref}/status")
    assert moved.status_code == 200 and moved.get_json()["status"] == "diproses"
    token = client.get(f"/open311/v2/tokens/{ref}.json")
    assert token.status_code == 200 and token.get_json()[0]["service_request_id"] == made["id"]
    one = client.get(f"/open311/v2/requests/{ref}.json")
    assert one.status_code == 200 and one.get_json()[0]["token"] == ref
    listed = client.get("/open311/v2/requests.json", query_string={"service_request_id": f"{ref},{made['id']}"})
    assert [r["service_request_id"] for r in listed.get_json()] == [made["id"], made["id"]]
    http, _ = person(app, services, "operator")
    page = http.get(f"/laporan/{ref}")
    assert page.status_code == 200 and f'id="rp-ref">{ref}<' in page.get_data(as_text=True)
    found = http.get("/cari", query_string={"q": ref.lower()})
    assert found.status_code in (302, 303) and found.headers["Location"].endswith(f"/laporan/{ref}")
    row = http.get("/laporan/" + made["id"])  # the internal id still opens it
    assert row.status_code == 200 and f'id="rp-ref">{ref}<' in row.get_data(as_text=True)


def test_a_human_id_of_another_agencys_report_reads_as_none(app, client, services):
    ref = post(client, report_payload()).get_json()["human_id"]  # DPUPR's
    http, _ = person(app, services, "opd", opds=("dlh",))
    assert http.get(f"/laporan/{ref}").status_code == 404
    assert http.get(f"/api/v1/reports/{ref}").status_code == 404
    assert client.get("/open311/v2/tokens/LR-2026-999999.json").status_code == 404


def test_intakes_at_the_same_moment_never_share_a_number(client, services):
    got, errors = [], []

    def send(k):
        try:
            resp = services.reports.submit(report_payload(title=f"Laporan serentak {k}"))
            got.append(resp[0]["human_id"])
        except Exception as exc:  # noqa: BLE001 - collected and failed below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(k,)) for k in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == [lr(n) for n in range(1, 25)]


def test_a_batch_is_numbered_in_its_order_after_the_last_given(client, services):
    post(client, report_payload())  # LR-...-000001
    now = datetime.now(timezone.utc)
    items = [services.reports.prepare(report_payload(title=f"Impor {k}"), now) for k in range(3)]
    items.append(services.reports.prepare(report_payload(id="LKS-2026-000900"), now))
    inserted, _ = services.reports.repository.insert_batch([(row, [ev]) for row, ev in items], now)
    assert inserted == 4
    shown = [services.reports.get(row["id"])["human_id"] for row, _ in items]
    assert shown == [lr(2), lr(3), lr(4), "LKS-2026-000900"]


def test_reports_an_older_version_stored_get_a_number_and_open_ones_a_due_time(client, services):
    a = post(client, report_payload()).get_json()["id"]
    b = post(client, report_payload(title="Lampu mati")).get_json()["id"]
    with services.store.write() as conn:  # as an older version left them: neither column
        conn.execute(update(reports).values(human_ref=None, due_at=None))
        conn.execute(update(reports).where(reports.c.id == b).values(status="selesai"))
    assert services.reports.get(a)["human_id"] == a  # meanwhile: its internal id, never nothing
    assert legacy_rows.number_unnumbered(services.store) == 2 and legacy_rows.number_unnumbered(services.store) == 0
    assert {services.reports.get(a)["human_id"], services.reports.get(b)["human_id"]} == {lr(3), lr(4)}
    filled = legacy_rows.fill_due(services.store, lambda status, at, category: at + timedelta(hours=1))
    assert filled == 1  # only the open one runs a clock
    row, _ = services.reports.repository.get_report(a)
    assert row["due_at"] == row["reported_at"] + timedelta(hours=1)


def test_the_shape_of_an_id():
    assert human_id.normal("lr-2026-000123") == "LR-2026-000123"
    assert human_id.normal("LR-2026-1234567") == "LR-2026-1234567"
    for odd in ("LR-26-000123", "LR-2026-123", "LR-2026-000123 ", "XLR-2026-000123", "LR-2026-0001234567890"):
        assert human_id.normal(odd) is None


def test_the_briefing_lists_overdue_reports_by_human_id_as_links_to_their_pages(client, services):
    from data_feeds.documents import briefing

    now = datetime.now(timezone.utc)
    made = post(client, report_payload(reported_at=(now - timedelta(hours=25)).isoformat())).get_json()
    day = (now - timedelta(hours=1)).astimezone(WIB).date() if now.astimezone(WIB).hour >= 1 else None
    if day is None:
        pytest.skip("the hour after WIB midnight: the day's window has not begun")
    b = briefing.gather(services, day)
    entry = next(o for o in b.became_overdue if o["id"] == made["id"])
    assert entry["ref"] == made["human_id"]
    pdf = briefing.render(b)
    uri = f"{services.settings.base_url}/laporan/{made['human_id']}".encode()
    assert re.search(rb"/URI \(" + re.escape(uri) + rb"\)", pdf), "no link to the report's page"


def test_a_duplicate_names_its_original_by_any_id(app, client, services):
    original = post(client, report_payload(id="LKS-2026-000500")).get_json()
    numbered = post(client, report_payload(title="Lampu mati")).get_json()
    first = post(client, report_payload(title="Jalan berlubang (lagi)")).get_json()
    second = post(client, report_payload(title="Lampu mati (lagi)")).get_json()
    http, _ = person(app, services, "operator")
    page = http.get(f"/laporan/{first['human_id']}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = http.post(
        f"/laporan/{first['human_id']}", data={"csrf_token": csrf, "aksi": "duplicate", "asli": "lks-2026-000500"}
    )
    assert done.status_code == 303, done.get_data(as_text=True)
    assert services.reports.get(first["id"])["duplicate_of"] == original["id"]
    moved = post(
        client,
        {"status": "duplikat", "duplicate_of": numbered["human_id"]},
        path=f"/api/v1/reports/{second['id']}/status",
    )
    assert moved.status_code == 200 and moved.get_json()["duplicate_of"] == numbered["id"]
