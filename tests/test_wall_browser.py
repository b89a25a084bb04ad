"""The wall view in a real headless Chromium, against the product started with `python app.py`."""

from __future__ import annotations

import pytest
import requests

from data_feeds.clock import wib_today
from data_feeds.i18n import fmt_duration
from tests.helpers import WAIT_MS, at_kelurahan, click_kecamatan, open_wall, report_payload

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def kpi(page, name: str) -> int:
    return int(page.inner_text(f"#kpi-{name}").replace(".", ""))


def marker(rid: str) -> str:
    return f'.lr-marker [data-report-id="{rid}"]'


def test_posted_report_appears_live_and_changes_colour(live_stack, page):
    open_wall(page, live_stack.enter())
    baru_before = kpi(page, "baru")
    resp = requests.post(
        f"{live_stack.url}/api/v1/reports",
        headers=live_stack.headers,
        timeout=10,
        json=report_payload(
            title="Pohon tumbang menutup Jl. Daan Mogot", category="pohon_tumbang", **at_kelurahan("36.71.05.1001")
        ),
    )  # Cipondoh
    assert resp.status_code == 201
    rid = resp.json()["id"]

    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    assert page.get_attribute(marker(rid), "data-status") == "baru"
    page.wait_for_function(
        f"() => document.querySelector('#kpi-baru').innerText.replace(/\\./g,'') == '{baru_before + 1}'",
        timeout=WAIT_MS,
    )
    page.wait_for_selector(f'#ticker [data-report-id="{rid}"]', timeout=WAIT_MS)
    assert "Pohon tumbang menutup Jl. Daan Mogot" in page.inner_text("#ticker")

    moved = requests.post(
        f"{live_stack.url}/api/v1/reports/{rid}/status",
        headers=live_stack.headers,
        json={"status": "diproses"},
        timeout=10,
    )
    assert moved.status_code == 200
    page.wait_for_selector(f'{marker(rid)}[data-status="diproses"]', timeout=WAIT_MS)
    page.wait_for_function(
        f"() => document.querySelector('#kpi-baru').innerText.replace(/\\./g,'') == '{baru_before}'", timeout=WAIT_MS
    )
    done = requests.post(
        f"{live_stack.url}/api/v1/reports/{rid}/status",
        headers=live_stack.headers,
        timeout=10,
        json={"status": "selesai", "evidence": ["https://laksa.example/bukti/pohon.jpg"]},
    )
    assert done.status_code == 200
    page.wait_for_selector(f'{marker(rid)}[data-status="selesai"]', timeout=WAIT_MS)
    colour = page.eval_on_selector(marker(rid), "el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(47, 208, 122)"  # --selesai green

    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    assert page.errors == []


def test_text_from_reports_is_shown_escaped(live_stack, page):
    title = '<img src=x onerror="window.__pwned=1"> Banjir'
    rid = requests.post(
        f"{live_stack.url}/api/v1/reports",
        headers=live_stack.headers,
        json=report_payload(title=title, category="banjir", **at_kelurahan("36.71.13.1001")),
        timeout=10,
    ).json()["id"]
    open_wall(page, live_stack.enter())
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    page.hover(marker(rid))
    page.wait_for_selector(".lr-tip", timeout=WAIT_MS)
    assert "<img" in page.inner_text(".lr-tip")  # shown as text, on the map...
    page.wait_for_selector(f'#ticker [data-report-id="{rid}"]', timeout=WAIT_MS)
    assert "<img" in page.inner_text(f'#ticker [data-report-id="{rid}"]')  # ...and in the ticker
    assert page.evaluate("window.__pwned") is None


def test_wall_switches_to_english_and_back(live_stack, page):
    open_wall(page, live_stack.enter())
    assert page.inner_text(".lr-kpis").count("Laporan hari ini") == 1
    page.click(".lr-lang")
    page.wait_for_selector("text=Reports today")
    assert "Newest reports" in page.text_content(".lr-ticker")
    page.click(".lr-lang")
    page.wait_for_selector("text=Laporan hari ini")


def test_durations_read_the_same_in_the_browser_as_on_the_server(live_stack, page):
    """One duration form on every screen: the OPD table (drawn by liveroom.js) writes what the KPI tile
    (data_feeds/i18n fmt_duration) writes."""
    open_wall(page, live_stack.enter())
    samples = [0, 40, 59.6, 3394, 3600, 5100, 86399, 86400, 183600, 30 * 86400 + 7]
    for lang in ("id", "en"):
        drawn = page.evaluate("([xs, lang]) => xs.map(s => window.liveroom.format.duration(s, lang))", [samples, lang])
        assert drawn == [fmt_duration(s, lang) for s in samples]


def test_wall_shows_seed_figures_with_as_of_date(live_stack, page):
    open_wall(page, live_stack.enter())
    assert page.inner_text("#vacc-dose-1") == "2.130.166"
    assert page.inner_text("#vacc-dose-2") == "1.701.575"
    assert page.inner_text("#vacc-dose-3") == "209.863"
    assert "per 28 Februari 2022" in page.inner_text("#vacc-asof")
    assert "110,5 % dari penduduk" in page.inner_text("#vacc-panel")  # over 100 %: shown, and explained
    assert "termasuk warga luar kota" in page.inner_text("#vacc-panel")
    assert "penduduk 1.927.815 (proyeksi BPS pertengahan 2024)" in page.inner_text(
        "#vacc-panel"
    )  # the denominator, named
    # a 2022 figure is far past its weekly cadence: amber, and said in words
    assert "lr-stale" in page.get_attribute("#vacc-asof", "class")
    assert "lebih lama dari jadwal pembaruan" in page.inner_text("#vacc-stale")
    assert page.eval_on_selector("#vacc-stale", "el => getComputedStyle(el).backgroundColor") == "rgb(74, 56, 0)"
    assert page.is_hidden("#demo-banner")  # --no-demo: no demo data, no demo label


def test_a_new_figure_reaches_the_panel_live_and_clears_the_amber(live_stack, page):
    open_wall(page, live_stack.enter())
    today = wib_today().isoformat()
    figures = [
        {"indicator": f"vaccination_dose_{n}", "as_of": today, "value": v, "source": "Dinkes Kota Tangerang"}
        for n, v in ((1, 2_200_000), (2, 1_750_000), (3, 260_000))
    ]
    resp = requests.post(f"{live_stack.url}/api/v1/indicators", headers=live_stack.headers, json=figures, timeout=10)
    assert resp.status_code == 201, resp.text
    page.wait_for_function("() => document.querySelector('#vacc-dose-1').innerText == '2.200.000'", timeout=WAIT_MS)
    panel = page.inner_text("#vacc-panel")
    assert "+69.834 sejak 28 Februari 2022" in panel and "Dinkes Kota Tangerang" in panel
    assert page.query_selector("#vacc-stale") is None and "lr-stale" not in page.get_attribute("#vacc-asof", "class")
    assert page.evaluate("window.__sameDocument") is True
    assert page.errors == []


def test_demo_feed_is_labelled_as_demo(demo_stack, page):
    open_wall(page, demo_stack.enter())
    page.wait_for_selector("#demo-banner", state="visible", timeout=WAIT_MS)
    assert "DATA DEMO" in page.inner_text("#demo-banner")
    page.wait_for_selector(".lr-marker.lr-demo, .lr-cluster", timeout=WAIT_MS)
    page.wait_for_selector("#ticker .lr-tag-demo", timeout=WAIT_MS)


def test_clicking_a_kecamatan_focuses_every_panel_and_reset_returns(live_stack, page):
    inside = requests.post(
        f"{live_stack.url}/api/v1/reports",
        headers=live_stack.headers,
        timeout=10,
        json=report_payload(title="Banjir di Kelurahan Karawaci", category="banjir", **at_kelurahan("36.71.07.1011")),
    ).json()
    elsewhere = requests.post(
        f"{live_stack.url}/api/v1/reports",
        headers=live_stack.headers,
        timeout=10,
        json=report_payload(title="Sampah di Larangan", category="sampah", **at_kelurahan("36.71.13.1002")),
    ).json()
    assert inside["kecamatan"]["name"] == "Karawaci" and elsewhere["kecamatan"]["name"] == "Larangan"
    open_wall(page, live_stack.enter())
    page.wait_for_selector(f'#ticker [data-report-id="{elsewhere["id"]}"]', timeout=WAIT_MS)
    city = {name: kpi(page, name) for name in ("baru", "today")}

    click_kecamatan(page, "Karawaci")
    page.wait_for_selector("#scope-title:has-text('Kecamatan Karawaci')", timeout=WAIT_MS)
    page.wait_for_selector(".lr-kel-drill-label", timeout=WAIT_MS)
    kel_names = page.locator(".lr-kel-drill-label").all_inner_texts()
    assert len(kel_names) == 16 and "Karawaci Baru" in kel_names  # Karawaci's 16 kelurahan, named
    # The ticker and the counts now speak of Karawaci only.
    page.wait_for_function(
        f"""() => !document.querySelector('#ticker [data-report-id="{elsewhere["id"]}"]')""", timeout=WAIT_MS
    )
    assert page.locator(f'#ticker [data-report-id="{inside["id"]}"]').count() == 1
    page.wait_for_function(
        f"() => Number(document.querySelector('#kpi-baru').innerText.replace(/\\./g,'')) < {city['baru']}",
        timeout=WAIT_MS,
    )
    assert page.is_visible("#vacc-scope")  # vaccination says it is the city's figure
    facts = page.inner_text("#scope-facts")
    assert (
        "16 kelurahan" in facts and "belum tersedia" in facts and "13,475 km²" in facts
    )  # no population figure: said so

    page.click("#scope-reset")
    page.wait_for_selector("#scope-title:has-text('Seluruh Kota Tangerang')", timeout=WAIT_MS)
    page.wait_for_selector(f'#ticker [data-report-id="{elsewhere["id"]}"]', timeout=WAIT_MS)
    page.wait_for_function("() => document.querySelectorAll('.lr-kel-drill-label').length === 0", timeout=WAIT_MS)
    assert kpi(page, "baru") == city["baru"]
    assert page.errors == []


def test_map_colour_follows_the_chosen_measure_with_a_fixed_legend(live_stack, page):
    open_wall(page, live_stack.enter())
    page.wait_for_selector("#map-legend .lr-legend-measure:has-text('Laporan terbuka')", timeout=WAIT_MS)
    before = page.eval_on_selector_all(".leaflet-overlay-pane path", "ps => ps.map(p => p.getAttribute('fill'))")
    page.click("#measure")
    page.get_by_text("Laporan terbuka per 10.000 penduduk", exact=True).click()
    page.wait_for_selector("#map-legend .lr-legend-measure:has-text('per 10.000 penduduk')", timeout=WAIT_MS)
    assert "tidak ada data" in page.inner_text("#map-legend")
    # population is known for only some kecamatan: the others turn "no data" grey, not a colour
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))
        .some(p => p.getAttribute('fill') === '#4b5563')""",
        timeout=WAIT_MS,
    )
    after = page.eval_on_selector_all(".leaflet-overlay-pane path", "ps => ps.map(p => p.getAttribute('fill'))")
    assert after != before
    assert page.errors == []


def test_kelurahan_appear_when_zooming_to_street_level(live_stack, page):
    open_wall(page, live_stack.enter())
    visible = (
        "() => Array.from(document.querySelectorAll('.lr-kel-all-label')).filter(e => e.offsetParent !== null).length"
    )
    assert page.evaluate(visible) == 0  # city view: kecamatan only
    for _ in range(3):
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(400)
    page.wait_for_function(f"() => ({visible})() > 0", timeout=WAIT_MS)
    assert page.locator(".lr-kel-all-label").count() == 104  # every kelurahan is there to be drawn
    for _ in range(3):
        page.click(".leaflet-control-zoom-out")
        page.wait_for_timeout(400)
    page.wait_for_function(f"() => ({visible})() === 0", timeout=WAIT_MS)
    assert page.errors == []


def test_overdue_report_is_flagged_and_counted_for_its_opd(live_stack, page):
    from datetime import datetime, timedelta, timezone

    open_wall(page, live_stack.enter())
    reported = (datetime.now(timezone.utc) - timedelta(hours=3)).isoformat()  # flood: 2 h to first response
    rid = requests.post(
        f"{live_stack.url}/api/v1/reports",
        headers=live_stack.headers,
        timeout=10,
        json=report_payload(
            title="Banjir belum ditangani", category="banjir", reported_at=reported, **at_kelurahan("36.71.02.1001")
        ),
    ).json()["id"]  # Jatiuwung: no other test's markers
    page.wait_for_selector(f'{marker(rid)}[data-sla="breached"]', timeout=WAIT_MS)
    page.wait_for_selector(f'#ticker [data-report-id="{rid}"] .lr-tag-breached', timeout=WAIT_MS)
    assert page.inner_text(f'#ticker [data-report-id="{rid}"] .lr-tag-breached') == "LEWAT SLA"
    row = '#opd-body tr[data-opd="bpbd"]'
    page.wait_for_selector(f"{row} .lr-opd-breached.lr-hot", timeout=WAIT_MS)
    assert page.inner_text(f"{row} .lr-opd-name") == "BPBD"
    assert int(page.inner_text(f"{row} .lr-opd-breached")) >= 1
    assert "Lewat SLA" in page.inner_text("#opd-note")
    # answered: the first-response clock stops; the 48 h resolution clock is far off, so no flag
    assert (
        requests.post(
            f"{live_stack.url}/api/v1/reports/{rid}/status",
            headers=live_stack.headers,
            timeout=10,
            json={"status": "diproses"},
        ).status_code
        == 200
    )
    page.wait_for_selector(f'{marker(rid)}[data-status="diproses"][data-sla=""]', timeout=WAIT_MS)
    page.wait_for_selector(f'#ticker [data-report-id="{rid}"]:not(:has(.lr-tag-breached))', timeout=WAIT_MS)
    assert page.errors == []


def test_clicking_a_marker_opens_the_report_with_history_and_evidence(live_stack, page):
    open_wall(page, live_stack.enter())

    def post(path, body):
        return requests.post(f"{live_stack.url}{path}", headers=live_stack.headers, json=body, timeout=10)

    rid = post(
        "/api/v1/reports",
        report_payload(
            title="Lampu jalan mati <b>total</b>",
            category="pju_mati",
            reporter={"name": "Rahasia Warga", "phone": "0812 9999 0000"},
            **at_kelurahan("36.71.04.1001"),
        ),
    ).json()["id"]  # Benda: no other test's markers
    assert (
        post(f"/api/v1/reports/{rid}/status", {"status": "diproses", "note": "Tim Dishub berangkat"}).status_code == 200
    )
    evidence = "https://laksa.example/bukti/pju-nyala.jpg"
    assert post(f"/api/v1/reports/{rid}/status", {"status": "selesai", "evidence": [evidence]}).status_code == 200
    page.wait_for_selector(f'{marker(rid)}[data-status="selesai"]', timeout=WAIT_MS)
    page.click(marker(rid))
    page.wait_for_selector("#report-card:not([hidden]) .lr-card-title", timeout=WAIT_MS)
    card = page.inner_text("#report-card")
    assert page.inner_text("#report-card .lr-card-title") == "Lampu jalan mati <b>total</b>"  # escaped, as given
    assert "Dinas Perhubungan" in card and "Benda" in card and "Tim Dishub berangkat" in card
    assert [li.inner_text().split("\n")[0] for li in page.query_selector_all(".lr-card-event .lr-card-event-what")] == [
        "Diproses → Selesai",
        "Baru → Diproses",
        "Laporan masuk",
    ]
    assert page.get_attribute("#report-card .lr-card-evidence", "href") == evidence
    assert "Rahasia" not in card and "0812" not in card  # no personal data on a wall
    page.click("#report-card-close")
    page.wait_for_selector("#report-card[hidden]", state="attached", timeout=WAIT_MS)
    assert page.errors == []
