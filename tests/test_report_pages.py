"""One report's page (/laporan/<id>) and the report browser's server side (/laporan/): found by our id or the
LAKSA id, what each role sees there, the citizen's photos beside the closing evidence, duplicates, the print
view; the table's blocks, counts and filters as replayed callbacks, in each reader's scope, never a 5xx."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from data_feeds.access.viewer import Viewer
from tests.helpers import at_kelurahan, call_callback, csrf_headers, post, report_payload, sign_in

pytestmark = pytest.mark.store
LB = "/laporan/"


@pytest.fixture
def city(client):
    """A LAKSA report with a citizen's photo (DPUPR, Karawaci), a flood (BPBD, Cipondoh) and a repeat of the road."""
    made = {}
    for key, body in {
        "road": report_payload(
            id="LKS-2026-000123",
            title="Jalan berlubang di depan pasar",
            media=["https://warga.example/foto-lubang.jpg"],
            reporter={"name": "Siti Aminah", "phone": "0812 1111 2222"},
        ),
        "flood": report_payload(category="banjir", title="Banjir setinggi lutut", **at_kelurahan("36.71.05.1001")),
        "again": report_payload(id="LKS-2026-000124", title="Lubang jalan depan pasar lagi"),
    }.items():
        resp = post(client, body)
        assert resp.status_code == 201, resp.get_json()
        made[key] = resp.get_json()["id"]
    return made


def person_client(app, services, role, **kwargs):
    http = app.server.test_client()
    return http, sign_in(http, services, role, **kwargs)


def text_of(html: str, element_id: str) -> str:
    """The text of the element with that id (up to its tag's first closing tag: these are not nested)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(2))) if found else ""


def test_a_report_opens_by_the_laksa_id_a_citizen_quotes_and_by_ours(app, services, city):
    http, _ = person_client(app, services, "pimpinan")
    by_laksa, by_ours = http.get("/laporan/LKS-2026-000123"), http.get(f"/laporan/{city['road']}")
    assert by_laksa.status_code == by_ours.status_code == 200
    page = by_laksa.get_data(as_text=True)
    assert 'id="rp-ref">LKS-2026-000123<' in page and "Jalan berlubang di depan pasar" in page
    assert "! Baru" in re.sub(r"<[^>]+>", "", page)  # status by glyph and word
    assert "Dinas Pekerjaan Umum" in text_of(page, "rp-opd")
    assert "Laporan masuk" in text_of(page, "rp-timeline") and "laksa" in text_of(page, "rp-timeline")
    assert by_laksa.headers["Cache-Control"] == "no-store"
    assert "<svg viewBox=" in page and "lr-rp-kel-here" in page  # its kelurahan, drawn and marked
    assert "Siti Aminah" not in page and "0812" not in page  # leadership does not read the reporter's contact


def test_the_citizens_photo_stands_beside_the_closing_evidence(app, services, city):
    operator = Viewer.of_person(sign_in(app.server.test_client(), services, "operator"))
    agency = Viewer.of_person(sign_in(app.server.test_client(), services, "opd", opds=("dpupr",)))
    services.reports.act(city["road"], "process", agency)
    services.reports.act(
        city["road"],
        "resolve",
        agency,
        note="Sudah ditambal",
        evidence=[{"url": "https://dpupr.example/sesudah.jpg", "type": "photo"}],
    )
    http, _ = person_client(app, services, "pimpinan")
    page = http.get("/laporan/LKS-2026-000123").get_data(as_text=True)
    before, after = page.split('id="rp-before"')[1].split('id="rp-after"')
    assert 'src="https://warga.example/foto-lubang.jpg"' in before and "sesudah.jpg" not in before
    assert 'src="https://dpupr.example/sesudah.jpg"' in after
    timeline = text_of(page, "rp-timeline")
    assert agency.name in timeline and "Sudah ditambal" in timeline and "Selesai" in timeline
    assert operator.name not in timeline


def test_duplicates_point_to_the_original_and_back(app, services, city):
    operator = Viewer.of_person(sign_in(app.server.test_client(), services, "operator"))
    services.reports.act(city["again"], "duplicate", operator, duplicate_of=city["road"])
    http, _ = person_client(app, services, "pimpinan")
    original = http.get(f"/laporan/{city['road']}").get_data(as_text=True)
    assert f'href="/laporan/{city["again"]}">LKS-2026-000124<' in original
    repeat = http.get("/laporan/LKS-2026-000124").get_data(as_text=True)
    assert f'href="/laporan/{city["road"]}"' in repeat and "Duplikat dari" in repeat


def test_the_reporters_contact_is_on_the_page_only_for_those_who_call_back_and_each_read_is_audited(
    app, services, city
):
    http, me = person_client(app, services, "operator")
    page = http.get("/laporan/LKS-2026-000123").get_data(as_text=True)
    assert "Siti Aminah · 0812 1111 2222" in text_of(page, "rp-reporter")
    reads = [r for r in services.store.audit_log() if r["action"] == "personal_read" and r["actor"] == me.username]
    assert [(r["report_id"], r["outcome"]) for r in reads] == [(city["road"], "allowed")]


@pytest.mark.parametrize("role, opds, status", [("opd", ("bpbd",), 404), ("penilai", (), 403)])
def test_another_agencys_report_reads_as_none_and_an_assessor_reads_no_single_report(
    app, services, city, role, opds, status
):
    http, _ = person_client(app, services, role, opds=opds)
    for ref in ("LKS-2026-000123", city["road"]):
        resp = http.get(f"/laporan/{ref}")
        assert resp.status_code == status and "Jalan berlubang" not in resp.get_data(as_text=True)
    if role == "opd":
        assert http.get(f"/laporan/{city['flood']}").status_code == 200  # its own agency's report opens


def test_signed_out_the_page_asks_for_sign_in_and_comes_back(app, city):
    resp = app.server.test_client().get("/laporan/LKS-2026-000123?cetak=1")
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/masuk?next={quote('/laporan/LKS-2026-000123?cetak=1', safe='/')}"


def test_the_print_view_is_light_and_says_who_opened_it_when(app, services, city):
    http, me = person_client(app, services, "pimpinan")
    page = http.get("/laporan/LKS-2026-000123?cetak=1").get_data(as_text=True)
    assert 'class="lr-rp-body lr-rp-print"' in page and f"oleh {me.name}" in page


@pytest.mark.parametrize(
    "ref",
    [
        "tidak-ada",
        "LKS-2099-999999",
        "<script>alert(1)</script>",
        "x" * 500,
        "%00",
        "..%2F..%2Fsecret",
        "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "ÅÄÖ-ñ",
        "LKS-2026-000123'--",
    ],
)
def test_any_odd_reference_is_a_plain_not_found_never_an_error(app, services, city, ref):
    http, _ = person_client(app, services, "operator")
    resp = http.get(f"/laporan/{ref}")
    assert resp.status_code == 404, resp.status_code
    assert "<script>alert" not in resp.get_data(as_text=True)


# -- the report browser's callbacks (HTTP endpoints anyone can replay) --------------------------------------


def rows(http, query: str, start=0, end=100, sort=None, headers=None):
    resp = call_callback(
        http,
        "lb-grid.getRowsRequest",
        {
            "lb-grid.getRowsRequest": {"startRow": start, "endRow": end, "sortModel": sort or [], "filterModel": {}},
            "lb-query.data": query,
            "lb-opened.data": "2020-01-01T00:00:00Z",
            "lb-lang.data": "id",
        },
        headers=headers if headers is not None else csrf_headers(http),
        app_path=LB,
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()["response"]["lb-grid"]["getRowsResponse"]


def test_the_table_is_a_block_of_rows_in_the_readers_scope(app, services, city):
    http, _ = person_client(app, services, "pimpinan")
    everything = rows(http, "")
    assert {r["id"] for r in everything["rowData"]} == set(city.values()) and everything["rowCount"] == 3
    road = next(r for r in everything["rowData"] if r["id"] == city["road"])
    assert road["ref"] == "LKS-2026-000123" and road["status_label"].startswith("! Baru") and road["opd"] == "DPUPR"
    assert road["place"] == "Karawaci / Suka Jadi" and road["sla"].startswith("sisa ") and road["fresh"] is True
    assert [r["id"] for r in rows(http, "?kecamatan=Cipondoh")["rowData"]] == [city["flood"]]
    assert [r["id"] for r in rows(http, "?q=LKS-2026-000124")["rowData"]] == [city["again"]]
    agency, _ = person_client(app, services, "opd", opds=("bpbd",))
    assert [r["id"] for r in rows(agency, "")["rowData"]] == [city["flood"]]  # its own agency's only
    assert rows(agency, "?opd=dpupr")["rowData"] == []  # asking for another's is asking for nothing
    assert "reporter" not in str(rows(http, "")) and "Siti" not in str(rows(http, ""))


def test_blocks_follow_each_other_without_gaps_or_repeats_by_cursor_and_by_offset(app, services, client):
    for n in range(7):
        post(client, report_payload(title=f"Laporan nomor {n}", reported_at=f"2026-11-0{n + 1}T03:00:00Z"))
    http, _ = person_client(app, services, "pimpinan")
    headers = csrf_headers(http)
    by_cursor = [r["id"] for s in range(0, 8, 2) for r in rows(http, "", s, s + 2, headers=headers)["rowData"]]
    other, _ = person_client(app, services, "pimpinan")  # no cursor kept for this reader: blocks are read by offset
    jumped = [r["id"] for s in (6, 4, 2, 0) for r in rows(other, "", s, s + 2)["rowData"]]
    newest_first = [r["id"] for r in rows(http, "", 0, 100)["rowData"]]
    assert by_cursor == newest_first and len(set(by_cursor)) == 7
    assert jumped == newest_first[6:] + newest_first[4:6] + newest_first[2:4] + newest_first[:2]
    oldest_first = [r["id"] for r in rows(http, "", 0, 100, sort=[{"colId": "time", "sort": "asc"}])["rowData"]]
    assert oldest_first == newest_first[::-1]
    assert rows(http, "", 6, 8)["rowCount"] == 7  # the last block says where the table ends


@pytest.mark.parametrize(
    "request_body",
    [
        None,
        "x",
        {"startRow": "a"},
        {"startRow": -5, "endRow": 10},
        {"startRow": 0, "endRow": 10**9},
        {"startRow": 0, "endRow": 10, "sortModel": "x"},
        {"startRow": 0, "endRow": 10, "sortModel": [1]},
    ],
)
def test_a_replayed_block_request_with_junk_is_answered_never_a_5xx(app, services, city, request_body):
    http, _ = person_client(app, services, "pimpinan")
    resp = call_callback(
        http,
        "lb-grid.getRowsRequest",
        {"lb-grid.getRowsRequest": request_body, "lb-query.data": "?status=nope", "lb-lang.data": "id"},
        headers=csrf_headers(http),
        app_path=LB,
    )
    assert resp.status_code in (200, 204), resp.status_code


def test_the_address_and_the_filters_follow_each_other(app, services, city):
    http, _ = person_client(app, services, "pimpinan")
    headers = csrf_headers(http)
    out = call_callback(
        http,
        "lb-url.search",
        {"lb-url.search": "?status=baru&opd=dpupr&kecamatan=Karawaci&from=2026-11-01&q=banjir"},
        headers=headers,
        app_path=LB,
    ).get_json()["response"]
    assert (
        out["lb-status"]["value"] == ["baru"]
        and out["lb-opd"]["value"] == ["dpupr"]
        and out["lb-kecamatan"]["value"] == ["Karawaci"]
    )
    assert (
        out["lb-from"]["value"] == "2026-11-01"
        and out["lb-q"]["value"] == "banjir"
        and out["lb-error"]["children"] == ""
    )
    assert (
        out["lb-export-csv"]["href"]
        == "/api/v1/export/reports.csv?status=baru&opd=dpupr&kecamatan=Karawaci&from=2026-11-01&q=banjir"
    )
    assert out["lb-filters-summary"]["children"] == "Filter · 5 aktif"
    changed = call_callback(
        http,
        "lb-status.value",
        {"lb-url.search": "?status=baru", "lb-status.value": ["diproses", "selesai"], "lb-sla.value": "overdue"},
        headers=headers,
        app_path=LB,
    ).get_json()["response"]
    assert changed["lb-url"]["search"] == "?status=diproses%2Cselesai&sla=overdue" == changed["lb-query"]["data"]
    by_code = call_callback(
        http,
        "lb-url.search",
        {"lb-url.search": "?kecamatan=36.71.05&kelurahan=Suka%20Jadi"},
        headers=headers,
        app_path=LB,
    ).get_json()["response"]
    assert by_code["lb-kecamatan"]["value"] == ["Cipondoh"] and by_code["lb-kelurahan"]["value"] == ["36.71.07.1014"]
    assert by_code["lb-query"]["data"] == "?kecamatan=Cipondoh&kelurahan=36.71.07.1014"
    bad = call_callback(
        http, "lb-url.search", {"lb-url.search": "?status=hilang&kecamatan=Atlantis"}, headers=headers, app_path=LB
    ).get_json()["response"]
    said = bad["lb-error"]["children"]
    assert said.startswith("Filter tidak dikenali: ") and bad["lb-query"]["data"] == ""
    # the filter is named by its label on the page, not by the address's field name, and not in English
    assert said == "Filter tidak dikenali: isian \u201cKecamatan\u201d tidak dapat diterima", said


def test_the_count_says_how_many_and_how_many_arrived_since_the_page_opened(app, services, city):
    http, _ = person_client(app, services, "pimpinan")
    out = call_callback(
        http,
        "lb-query.data",
        {"lb-query.data": "?source=laksa", "lb-opened.data": "2020-01-01T00:00:00Z", "lb-lang.data": "id"},
        headers=csrf_headers(http),
        app_path=LB,
        output="lb-count",
    ).get_json()["response"]
    assert "3 laporan" in str(out["lb-count"]["children"]) and "3 laporan baru masuk" in str(
        out["lb-count"]["children"]
    )


def test_the_map_shows_the_filtered_set_in_scope(app, services, city):
    http, _ = person_client(app, services, "opd", opds=("dpupr",))
    out = call_callback(
        http,
        "lb-query.data",
        {"lb-query.data": "", "lb-map-wrap.hidden": False, "lb-lang.data": "id"},
        headers=csrf_headers(http),
        app_path=LB,
        output="lb-map-markers",
    )
    features = out.get_json()["response"]["lb-map-markers"]["data"]["features"]
    assert {f["id"] for f in features} == {city["road"], city["again"]}  # the flood is BPBD's
    assert {f["properties"]["s"] for f in features} == {"baru"}


@pytest.mark.parametrize("role", ["penilai"])
def test_an_assessor_gets_no_table_and_no_rows(app, services, city, role):
    http, _ = person_client(app, services, role)
    assert rows(http, "")["rowData"] == []
    layout = http.get(f"{LB}_dash-layout").get_data(as_text=True)
    assert "lb-grid" not in layout and "lb-refused" in layout


def test_a_callback_that_runs_in_the_browser_or_none_at_all_is_refused_not_an_error(app, services):
    http, _ = person_client(app, services, "pimpinan")
    headers = csrf_headers(http)
    for path in ("/", LB):
        deps = http.get(f"{path}_dash-dependencies").get_json()
        browser_side = next(d for d in deps if d.get("clientside_function"))
        for output in (browser_side["output"], "nope.children", None):
            resp = http.post(
                f"{path}_dash-update-component", json={"output": output, "inputs": [], "state": []}, headers=headers
            )
            assert resp.status_code == 400 and resp.get_json()["error"]["field"] == "body"  # (api/callback_shape.py)


def test_signed_out_the_browsers_doors_are_shut(app, city):
    anon = app.server.test_client()
    assert anon.get(LB).status_code == 302
    assert anon.get(f"{LB}_dash-layout").status_code == 401
    assert anon.post(f"{LB}_dash-update-component", json={}).status_code == 401


def test_the_tables_scripts_load_on_the_report_browser_only(app, services):
    http, _ = person_client(app, services, "pimpinan")
    wall, browser = http.get("/").get_data(as_text=True), http.get(LB).get_data(as_text=True)
    assert "_dash-component-suites/dash_ag_grid/" in browser and "report_browser.js" in browser
    assert "_dash-component-suites/dash_ag_grid/" not in wall and "report_browser.js" not in wall
    assert http.get("/laporan?status=baru").headers["Location"].endswith("/laporan/?status=baru")


def test_choosing_a_kecamatan_narrows_the_kelurahan_to_its_own(app, services):
    http, _ = person_client(app, services, "pimpinan")
    out = call_callback(
        http, "lb-kecamatan.value", {"lb-kecamatan.value": ["Cipondoh"]}, headers=csrf_headers(http), app_path=LB
    ).get_json()["response"]
    codes = [o["value"] for o in out["lb-kelurahan"]["options"]]
    assert codes and all(c.startswith("36.71.05.") for c in codes)
    everywhere = call_callback(
        http, "lb-kecamatan.value", {"lb-kecamatan.value": None}, headers=csrf_headers(http), app_path=LB
    ).get_json()["response"]
    assert len(everywhere["lb-kelurahan"]["options"]) == 104


def test_the_table_follows_the_live_channel_with_its_readers_own_ticket(app, services):
    """No tick: the page hands the browser a ticket for the reader's audience and the version it was made at; the
    channel then says only when something changed (tests/test_channel.py), and the table reads its own rows."""
    from data_feeds.live import ticket as live_ticket
    from data_feeds.live.view import Audience

    http, _ = person_client(app, services, "opd", opds=("bpbd",))
    layout = http.get(f"{LB}_dash-layout").get_json()
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == "lb-channel":
                found.append(node["props"]["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    (channel,) = found
    assert channel["ids"] == {"version": "lb-version", "link": "lb-link"}
    assert live_ticket.check(services.settings.signing_secret(), channel["t"]).audience == Audience(frozenset({"bpbd"}))
    assert "lb-tick" not in json.dumps(layout)
