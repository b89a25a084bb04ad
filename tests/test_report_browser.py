"""The report browser and a report's page in a real Chromium: filters through the interface and through the
address, a report opened by its LAKSA id and by the keyboard alone, the citizen's photo beside the evidence, a
phone's screen, and a new matching report appearing while the table is open."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta, timezone

import pytest
import requests
from PIL import Image

from data_feeds.clock import WIB
from tests.helpers import WAIT_MS, at_kelurahan, report_payload

pytestmark = [pytest.mark.browser, pytest.mark.stack]
ROWS = ".lr-lb-table .ag-center-cols-container .ag-row"
WIDEST = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


def new_report(stack, **fields) -> str:
    resp = requests.post(
        f"{stack.url}/api/v1/reports", headers=stack.headers, json=report_payload(**fields), timeout=10
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def row_ids(page) -> list[str]:
    return page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.getAttribute('row-id')).filter(Boolean)")


def wait_rows(page, predicate: str):
    page.wait_for_function(
        f"() => {{ const ids = [...document.querySelectorAll('{ROWS}')].map(r => r.getAttribute('row-id'))"
        f".filter(Boolean); return {predicate}; }}",
        timeout=WAIT_MS,
    )


@pytest.fixture(scope="module")
def reports(live_stack):
    """A LAKSA road report in Karawaci, a flood in Cipondoh being handled, and a road report in Batuceper filed
    three days ago, past its SLA."""
    three_days_ago = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
    made = {
        "road": new_report(live_stack, id="LKS-2026-000321", title="Jalan berlubang depan SD Karawaci"),
        "flood": new_report(
            live_stack, category="banjir", title="Banjir di perumahan Cipondoh", **at_kelurahan("36.71.05.1001")
        ),
        "late": new_report(
            live_stack, title="Aspal amblas sejak lama", reported_at=three_days_ago, **at_kelurahan("36.71.03.1001")
        ),
    }
    requests.post(
        f"{live_stack.url}/api/v1/reports/{made['flood']}/status",
        headers=live_stack.headers,
        json={"status": "diproses", "note": "BPBD menuju lokasi"},
        timeout=10,
    ).raise_for_status()
    return made


def photo_url(stack, report_id: str, colour) -> str:
    """Resolve a report with a real photo, uploaded through the card's callback as an agency head would. -> its URL."""
    from tests.helpers import call_callback

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, format="PNG")
    http = stack.session("opd", opds=("dpupr",))
    values = {"act-process.n_clicks": 1, "card-report.data": report_id, "lang.data": "id"}
    call_callback(http, "act-process.n_clicks", values, url=stack.url, headers=dict(http.headers)).raise_for_status()
    values = {
        "act-resolve.n_clicks": 1,
        "card-report.data": report_id,
        "lang.data": "id",
        "act-note.value": "Sudah ditambal",
        "act-upload.contents": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode(),
    }
    call_callback(http, "act-resolve.n_clicks", values, url=stack.url, headers=dict(http.headers)).raise_for_status()
    report = requests.get(f"{stack.url}/api/v1/reports/{report_id}", headers=stack.headers, timeout=10).json()
    return report["events"][-1]["evidence"][0]["url"]


def test_each_filter_through_the_interface_moves_the_address_and_the_rows(live_stack, reports, page):
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/"))
    wait_rows(page, f"ids.includes('{reports['road']}') && ids.includes('{reports['flood']}')")
    page.click("#lb-status")
    page.get_by_role("option", name="… Diproses").click()
    page.keyboard.press("Escape")
    page.wait_for_url("**/laporan/?status=diproses", timeout=WAIT_MS)
    wait_rows(page, f"ids.includes('{reports['flood']}') && !ids.includes('{reports['road']}')")
    page.fill("#lb-q", "perumahan")
    page.press("#lb-q", "Enter")
    page.wait_for_url("**/laporan/?status=diproses&q=perumahan", timeout=WAIT_MS)
    wait_rows(page, f"ids.length === 1 && ids[0] === '{reports['flood']}'")
    assert page.get_attribute("#lb-export-csv", "href") == "/api/v1/export/reports.csv?status=diproses&q=perumahan"
    page.go_back()  # the browser's history follows the filters
    page.wait_for_url("**/laporan/?status=diproses", timeout=WAIT_MS)
    page.wait_for_function("() => document.querySelector('#lb-q').value === ''", timeout=WAIT_MS)
    page.click("#lb-reset")
    page.wait_for_url("**/laporan/", timeout=WAIT_MS)
    wait_rows(page, f"ids.includes('{reports['road']}')")
    assert page.errors == []


TODAY = datetime.now(WIB).date()
IN, OUT = "ids.includes('{}')", "!ids.includes('{}')"
# each filter: how a person sets it, what the address then says, which of the fixture's reports remain
FILTERS = {
    "status": (("choose", "#lb-status", "… Diproses"), "status=diproses", ["flood"], ["road", "late"]),
    "category": (("choose", "#lb-category", "Banjir / genangan"), "category=banjir", ["flood"], ["road", "late"]),
    "opd": (("choose", "#lb-opd", "BPBD"), "opd=bpbd", ["flood"], ["road", "late"]),
    "kecamatan": (("choose", "#lb-kecamatan", "Cipondoh"), "kecamatan=Cipondoh", ["flood"], ["road", "late"]),
    "kelurahan": (
        ("choose", "#lb-kelurahan", "Cipondoh (Cipondoh)"),
        "kelurahan=36.71.05.1001",
        ["flood"],
        ["road", "late"],
    ),
    "source": (("choose", "#lb-source", "LAKSA"), "source=laksa", ["road", "flood", "late"], []),
    "from": (
        ("type", "#lb-from", (TODAY - timedelta(days=1)).isoformat()),
        f"from={TODAY - timedelta(days=1)}",
        ["road", "flood"],
        ["late"],
    ),
    "to": (
        ("type", "#lb-to", (TODAY - timedelta(days=2)).isoformat()),
        f"to={TODAY - timedelta(days=2)}",
        ["late"],
        ["road", "flood"],
    ),
    "sla": (("choose", "#lb-sla", "Lewat SLA"), "sla=overdue", ["late"], ["road", "flood"]),
    "q": (("type", "#lb-q", "amblas"), "q=amblas", ["late"], ["road", "flood"]),
}


def expect(reports, kept, dropped) -> str:
    return " && ".join([IN.format(reports[k]) for k in kept] + [OUT.format(reports[k]) for k in dropped])


@pytest.mark.parametrize("name", list(FILTERS))
def test_each_filter_through_the_interface(live_stack, reports, page, name):
    (how, control, value), arg, kept, dropped = FILTERS[name]
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/"))
    wait_rows(page, expect(reports, ["road", "flood", "late"], []))
    if how == "choose":
        page.click(control)
        if "(" in value:  # a long list (104 kelurahan) is searched: by the whole label, so only it is left to pick
            page.keyboard.type(value)
        option = page.get_by_role("option", name=value, exact=True)
        option.wait_for(timeout=WAIT_MS)
        # (searching by a part of it, the list could still be settling under the click: it hit a neighbour)
        option.click()
        page.keyboard.press("Escape")
    else:
        page.fill(control, value)
        page.press(control, "Enter")
    page.wait_for_url(f"**/laporan/?{arg}", timeout=WAIT_MS)
    wait_rows(page, expect(reports, kept, dropped))
    assert page.errors == []


@pytest.mark.parametrize("name", list(FILTERS))
def test_each_filter_through_the_address(live_stack, reports, page, name):
    (how, control, value), arg, kept, dropped = FILTERS[name]
    page.goto(live_stack.enter("pimpinan", next_path=f"/laporan/?{arg}"))
    wait_rows(page, expect(reports, kept, dropped))
    if how == "choose":
        assert value in page.inner_text(control)
    else:
        assert page.input_value(control) == value
    assert page.url.endswith(f"/laporan/?{arg}") and page.errors == []


def test_the_dropdowns_speak_the_pages_language(live_stack, reports, page):
    """Dash's dropdown says "2 selected" of its own; the page gives it its words (data_feeds.i18n.dropdown_labels)."""
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/?status=baru,diproses"))
    page.locator("#lb-status").get_by_text("2 dipilih").wait_for(timeout=WAIT_MS)
    assert "selected" not in page.inner_text("#lb-status") and page.errors == []


def test_a_link_with_filters_opens_the_same_view(live_stack, reports, page):
    link = "/laporan/?status=baru&opd=dpupr&kecamatan=Karawaci&from=2026-01-01&q=berlubang"
    page.goto(live_stack.enter("pimpinan", next_path=link))
    wait_rows(page, f"ids.length === 1 && ids[0] === '{reports['road']}'")
    assert page.url.endswith(link)
    assert "Karawaci" in page.inner_text("#lb-kecamatan") and page.input_value("#lb-q") == "berlubang"
    assert page.input_value("#lb-from") == "2026-01-01"
    assert "Filter · 5 aktif" in page.inner_text("#lb-filters-summary")
    page.click("#lb-lang-switch")  # English, the same view
    wait_rows(page, f"ids.length === 1 && ids[0] === '{reports['road']}'")
    assert page.url.endswith(link) and page.inner_text("#lb-filters-summary") == "Filters · 5 set"
    assert page.errors == []


def test_a_report_opens_by_its_laksa_id_and_by_the_keyboard_alone(live_stack, reports, page):
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/?q=LKS-2026-000321"))
    wait_rows(page, f"ids.length === 1 && ids[0] === '{reports['road']}'")
    page.focus("#lb-q")
    for _ in range(40):  # Tab on through the filters and buttons into the table
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.ag-row')"):
            break
    assert page.evaluate("() => document.activeElement.closest('.ag-row').getAttribute('row-id')") == reports["road"]
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus ring shows on the dark table
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/laporan/{reports['road']}", timeout=WAIT_MS)
    assert page.inner_text("#rp-ref") == "LKS-2026-000321"
    page.goto(f"{live_stack.url}/laporan/LKS-2026-000321")
    assert page.inner_text("#rp-title") == "Jalan berlubang depan SD Karawaci"
    assert page.errors == []


def test_the_citizens_photo_and_the_evidence_side_by_side(live_stack, page):
    source = new_report(live_stack, title="Lampu taman mati")  # its evidence photo stands in for a citizen's photo
    citizen = live_stack.url + photo_url(live_stack, source, (200, 40, 40))
    rid = new_report(live_stack, id="LKS-2026-000555", title="Trotoar amblas", media=[citizen])
    after = photo_url(live_stack, rid, (40, 160, 60))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/LKS-2026-000555"))
    page.wait_for_selector("#rp-media")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#rp-media img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    before_img, after_img = page.locator("#rp-before img"), page.locator("#rp-after img")
    assert before_img.get_attribute("src") == citizen and after_img.get_attribute("src") == after
    b, a = before_img.bounding_box(), after_img.bounding_box()
    assert abs(b["y"] - a["y"]) < 2 and a["x"] > b["x"] + b["width"]  # side by side
    assert "Sudah ditambal" in page.inner_text("#rp-timeline")
    assert page.errors == []


@pytest.mark.parametrize("size", [(390, 844), (768, 1024)])
def test_on_a_phone_and_a_tablet_nothing_is_wider_than_the_screen_and_the_status_shows(
    live_stack, reports, browser, size
):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, has_touch=True, is_mobile=size[0] < 500)
    page = ctx.new_page()
    page.goto(live_stack.enter("operator"))
    page.wait_for_selector("#kpi-baru", timeout=WAIT_MS)
    page.wait_for_timeout(1500)
    assert page.evaluate(WIDEST) <= size[0]
    for sel in ("#status-banner", "#lang-switch"):
        box = page.locator(sel).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= size[0] and box["y"] < size[1], sel
    if size[0] < 500:
        assert page.get_attribute("#legend-box", "open") is None  # the legend folds away, the map is seen
    page.goto(f"{live_stack.url}/laporan/")
    page.wait_for_selector(ROWS, timeout=WAIT_MS)
    assert page.evaluate(WIDEST) <= size[0]
    assert page.locator("#lb-new").is_visible()
    page.locator(f'{ROWS}[row-id="{reports["road"]}"] [col-id="status_label"]').tap()  # a report opens by tap
    page.wait_for_url(f"**/laporan/{reports['road']}", timeout=WAIT_MS)
    assert page.evaluate(WIDEST) <= size[0]
    ctx.close()


def test_a_new_matching_report_appears_marked_while_the_table_is_open(live_stack, reports, page):
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/?kecamatan=Karawaci"))
    wait_rows(page, f"ids.includes('{reports['road']}')")
    page.evaluate("() => { window.__sameDocument = true; }")
    page.locator(f'{ROWS}[row-id="{reports["road"]}"] [col-id="title"]').click(modifiers=["Control"])  # focus, not open
    page.keyboard.press("ArrowLeft")  # the keyboard is on the road report's row
    other = new_report(live_stack, category="banjir", title="Genangan di Cipondoh", **at_kelurahan("36.71.05.1001"))
    fresh = new_report(live_stack, title="Lubang baru di Karawaci")
    wait_rows(page, f"ids.includes('{fresh}')")
    row = page.locator(f'{ROWS}[row-id="{fresh}"]')
    assert "BARU MASUK" in row.inner_text() and "lr-lb-row-new" in row.get_attribute("class")
    assert other not in row_ids(page)  # not in Karawaci: not this view's
    assert "lr-lb-row-new" not in page.locator(f'{ROWS}[row-id="{reports["road"]}"]').get_attribute("class")
    assert page.evaluate("() => window.__sameDocument === true")  # no reload
    focused = (
        "() => document.activeElement.closest('.ag-row') && "
        "document.activeElement.closest('.ag-row').getAttribute('row-id')"
    )
    assert page.evaluate(focused) == reports["road"]  # the update did not move the focus
    page.wait_for_function(
        "() => document.querySelector('#lb-count').innerText.includes('baru masuk')", timeout=WAIT_MS
    )
    assert page.errors == []


def test_the_map_toggle_shows_the_filtered_set_and_a_marker_opens_by_keyboard(live_stack, reports, page):
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/?status=diproses"))
    page.wait_for_selector(ROWS, timeout=WAIT_MS)
    page.click("#lb-map-toggle")
    marker = page.locator(f'#lb-map .lr-marker:has([data-report-id="{reports["flood"]}"])')
    marker.wait_for(timeout=WAIT_MS)
    assert page.locator(f'#lb-map [data-report-id="{reports["road"]}"]').count() == 0  # baru, not in this view
    marker.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/laporan/{reports['flood']}", timeout=WAIT_MS)
    assert page.errors == []


def test_on_the_wall_a_marker_opens_by_keyboard_and_the_card_leads_to_the_page(live_stack, reports, page):
    alone = new_report(
        live_stack, id="LKS-2026-000901", title="Pohon miring di Cibodas", **at_kelurahan("36.71.09.1002")
    )
    page.goto(live_stack.enter("operator"))
    marker = page.locator(f'#map .lr-marker:has([data-report-id="{alone}"])')
    marker.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(800)
    marker.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#report-card:not([hidden])", timeout=WAIT_MS)
    assert page.inner_text("#card-ref") == "LKS-2026-000901"
    page.click("#card-page")
    page.wait_for_url(f"**/laporan/{alone}", timeout=WAIT_MS)
    assert page.errors == []


def test_a_focused_ticker_row_keeps_the_focus_through_live_updates(live_stack, reports, page):
    page.goto(live_stack.enter("pimpinan"))
    link = page.locator(f'.lr-ticker-item[data-report-id="{reports["road"]}"] a')
    link.wait_for(timeout=WAIT_MS)
    link.focus()
    new_report(live_stack, title="Laporan lain saat fokus")
    page.wait_for_function(
        "() => document.querySelector('#ticker').innerText.includes('Laporan lain saat fokus')", timeout=WAIT_MS
    )
    assert (
        page.evaluate("() => document.activeElement.closest('.lr-ticker-item').getAttribute('data-report-id')")
        == reports["road"]
    )


@pytest.mark.parametrize("size", [(1440, 900), (1920, 1080), (3840, 2160)])
def test_the_walls_header_keeps_everything_on_screen_at_desk_and_wall_sizes(live_stack, reports, browser, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    page.goto(live_stack.enter("operator"))
    page.wait_for_selector("#kpi-baru", timeout=WAIT_MS)
    assert page.evaluate(WIDEST) <= size[0]
    for sel in ("#status-banner", "#lang-switch", "#clock", "#account", ".lr-signout-btn", "#nav-reports"):
        box = page.locator(sel).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= size[0], sel
    ctx.close()


def test_a_live_update_keeps_the_scroll_position(live_stack, reports, page):
    """(Last in this file: it files sixty reports in Periuk, which would crowd the others' views.)"""
    for n in range(60):
        new_report(live_stack, title=f"Saluran mampet nomor {n}", **at_kelurahan("36.71.08.1001"))
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/?kecamatan=Periuk"))
    page.wait_for_selector(ROWS, timeout=WAIT_MS)
    viewport = page.locator(".lr-lb-table .ag-body-viewport")
    viewport.evaluate("v => { v.scrollTop = 900; }")
    page.wait_for_timeout(800)
    before = viewport.evaluate("v => v.scrollTop")
    assert before > 800
    fresh = new_report(live_stack, title="Saluran mampet terbaru", **at_kelurahan("36.71.08.1001"))
    page.wait_for_function(
        "() => document.querySelector('#lb-count').innerText.includes('baru masuk')", timeout=WAIT_MS
    )
    page.wait_for_timeout(1000)  # the refreshed blocks are in
    assert viewport.evaluate("v => v.scrollTop") == before
    viewport.evaluate("v => { v.scrollTop = 0; }")
    wait_rows(page, f"ids[0] === '{fresh}'")  # it is there, at the top, for whoever scrolls back


def test_an_operator_ticks_rows_in_the_list_and_forwards_them_together(live_stack, page):
    """Issue 28: the list lets a person select rows and forward them at once; a tick never opens the report."""
    made = [new_report(live_stack, title=f"Gorong-gorong mampet blok {k}", category="jalan_rusak") for k in range(3)]
    page.goto(live_stack.enter("operator", next_path="/laporan/?q=gorong"))
    wait_rows(page, "ids.length === 3")
    for rid in made:
        page.click(f'{ROWS}[row-id="{rid}"] .ag-selection-checkbox input')
    assert "/laporan/?q=gorong" in page.url  # ticking is not opening
    page.wait_for_function("() => document.querySelector('#lb-bulk-count').innerText === '3 dipilih'", timeout=WAIT_MS)
    page.click("#lb-bulk-opd")
    page.get_by_text("Dinas Lingkungan Hidup", exact=True).click()
    page.fill("#lb-bulk-note", "Saluran: untuk DLH")
    page.click("#lb-bulk-apply")
    page.wait_for_function(
        "() => document.querySelector('#lb-bulk-result').innerText.startsWith('Teruskan: 3 laporan tersimpan.')",
        timeout=WAIT_MS,
    )
    for rid in made:
        report = requests.get(f"{live_stack.url}/api/v1/reports/{rid}", headers=live_stack.headers, timeout=10).json()
        assert report["opd"]["code"] == "dlh" and report["events"][-1]["note"] == "Saluran: untuk DLH"
    assert page.errors == []
