"""The indicators page and the kecamatan vaccination figures, in a real headless Chromium against `python app.py`."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from data_feeds.clock import wib_today
from tests.helpers import WAIT_MS, click_kecamatan, open_wall

pytestmark = [pytest.mark.browser, pytest.mark.stack]
AMBER_NOTE = "rgb(74, 56, 0)"


def open_indicators(page, stack):
    page.goto(stack.enter("penilai", next_path="/indikator"))
    page.wait_for_selector("#ind-value-tangerang_bisa", timeout=WAIT_MS)


def card(page, code: str) -> str:
    return page.inner_text(f"#ind-{code}")


def today_wib() -> str:
    return wib_today().isoformat()


def test_indicators_page_shows_the_seed_figures_by_pillar(live_stack, page):
    open_indicators(page, live_stack)
    assert page.is_visible("#ind-page")
    shown = {
        code: page.inner_text(f"#ind-value-{code}")
        for code in (
            "tangerang_bisa",
            "tangerang_emas",
            "food_aid",
            "house_renovation_total",
            "tangerang_live_downloads",
            "tangerang_live_services",
            "tangerang_live_menus",
            "tbc_cadres",
            "kur_credit",
        )
    }
    assert shown == {
        "tangerang_bisa": "9.891",
        "tangerang_emas": "280",
        "food_aid": "9.653",
        "house_renovation_total": "7.482",
        "tangerang_live_downloads": "1.062.235",
        "tangerang_live_services": "14",
        "tangerang_live_menus": "36",
        "tbc_cadres": "5.000",
        "kur_credit": "1 triliun",
    }
    # every card: unit, pillar, owner OPD, as-of date and source
    bisa = card(page, "tangerang_bisa")
    assert "UMKM" in bisa and "Economy · Diskop UKM" in bisa
    assert (
        page.inner_text("#ind-asof-tangerang_bisa") == "per 28 Februari 2022 · Sumber: Suararepubliknews, 28 Feb 2022"
    )
    assert "per 13 November 2023" in page.inner_text("#ind-asof-tangerang_live_downloads")
    # house renovation: the 2023 target, city-wide and where known per kecamatan and kelurahan, realisation not yet
    # reported
    renov = card(page, "house_renovation")
    assert "Target 700 (2023); realisasi belum dilaporkan" in renov and "Living · Disperkimtan" in renov
    page.click("#ind-house_renovation summary")
    rows = page.locator("#ind-house_renovation .lr-ind-areas tbody tr").all_inner_texts()
    assert any(r.startswith("Karawaci") and "107" in r for r in rows)
    assert any(r.startswith("Kel. Pabuaran (Karawaci)") and "\t8\t" in r for r in rows), rows
    # per subject: assistive devices (yearly allocation as target), food safety per market
    devices = card(page, "assistive_devices")
    assert "Kursi roda" in devices and "100" in devices and "Alat bantu dengar" in devices
    assert "Pasar Poris" in card(page, "food_safety_safe_share") and "92,6 %" in card(page, "food_safety_safe_share")
    # six pillars, each titled; the environment pillar says it has no indicator yet
    titles = page.locator(".lr-pillar-title").all_inner_texts()
    assert [t.split(" ·")[0].upper() for t in titles] == [
        "SMART " + p for p in ("GOVERNANCE", "BRANDING", "ECONOMY", "LIVING", "SOCIETY", "ENVIRONMENT")
    ]
    assert "Belum ada indikator" in page.inner_text("#pillar-environment")
    # ... but its agencies' complaint handling is there (DLH, BPBD), and says for which area
    page.wait_for_selector("#pillar-opd-environment .lr-pillar-opd-title", timeout=WAIT_MS)
    assert "Pengaduan ke OPD pilar ini, seluruh kota (30 hari)" in page.inner_text("#pillar-opd-environment")
    dose1 = card(page, "vaccination_dose_1")
    assert (
        "110,5 % dari penduduk 1.927.815 (proyeksi BPS pertengahan 2024)" in dose1
        and "termasuk warga luar kota" in dose1
    )
    # freshness: the 2022 figure is past its 180-day cadence: amber, in words
    assert "lr-ind-stale" in page.get_attribute("#ind-tangerang_bisa", "class")
    assert "Lewat jadwal pembaruan" in page.inner_text("#ind-stale-tangerang_bisa")
    assert (
        page.eval_on_selector("#ind-stale-tangerang_bisa", "el => getComputedStyle(el).backgroundColor") == AMBER_NOTE
    )
    assert page.errors == []


def test_a_programme_figure_posted_updates_its_card_live(live_stack, page):
    open_indicators(page, live_stack)
    page.evaluate("window.__sameDocument = true")
    figures = [
        {"indicator": "tangerang_bisa", "as_of": today_wib(), "value": 10_250, "source": "Diskop UKM, rekap bulanan"},
        {
            "indicator": "house_renovation",
            "period": "2023",
            "as_of": "2023-12-31",
            "value": 520,
            "source": "Disperkimtan",
        },
        {
            "indicator": "house_renovation",
            "place": "Karawaci",
            "period": "2023",
            "as_of": "2023-12-31",
            "value": 100,
            "source": "Disperkimtan",
        },
    ]
    resp = requests.post(f"{live_stack.url}/api/v1/indicators", headers=live_stack.headers, json=figures, timeout=10)
    assert resp.status_code == 201, resp.text
    page.wait_for_function(
        "() => document.querySelector('#ind-value-tangerang_bisa').innerText == '10.250'", timeout=WAIT_MS
    )
    assert "+359 sejak 28 Februari 2022" in card(page, "tangerang_bisa")
    assert page.query_selector("#ind-stale-tangerang_bisa") is None  # fresh now: no amber
    assert "lr-ind-stale" not in page.get_attribute("#ind-tangerang_bisa", "class")
    page.wait_for_function(
        "() => document.querySelector('#ind-value-house_renovation').innerText == '520'", timeout=WAIT_MS
    )
    renov = card(page, "house_renovation")
    assert "74,3 % dari target 700 (2023)" in renov
    assert "lr-state-warn" in page.get_attribute(
        "#ind-house_renovation", "class"
    )  # 74 %: between warn 60 % and good 90 %
    page.click("#ind-house_renovation summary")
    rows = page.locator("#ind-house_renovation .lr-ind-areas tbody tr").all_inner_texts()
    assert any(r.startswith("Karawaci") and "100\t107\t93,5 %" in r for r in rows), rows
    # back to the wall without a reload; the map is there
    page.click("#nav-wall")
    page.wait_for_selector("#ind-page", state="hidden", timeout=WAIT_MS)
    assert page.is_visible(".leaflet-container") and page.evaluate("window.__sameDocument") is True
    assert page.errors == []


def test_export_for_assessors(live_stack, page):
    open_indicators(page, live_stack)
    href = page.get_attribute("#export-csv", "href")
    assert requests.get(f"{live_stack.url}{href}", timeout=10).status_code == 401  # nobody's export: refused
    resp = live_stack.session("penilai").get(f"{live_stack.url}{href}", timeout=10)
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    rows = list(
        csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";")
    )  # as Indonesian Excel reads it
    emas = next(r for r in rows if r["kode_indikator"] == "tangerang_emas")
    assert (emas["pilar"], emas["nilai"], emas["satuan"], emas["per_tanggal"], emas["opd"]) == (
        "Smart Economy",
        "280",
        "penerima",
        "28/02/2022",
        "Diskop UKM",
    )
    pillars = [r["pilar"] for r in rows]
    assert pillars == sorted(
        pillars,
        key=[
            "Smart Governance",
            "Smart Branding",
            "Smart Economy",
            "Smart Living",
            "Smart Society",
            "Smart Environment",
        ].index,
    )  # grouped by pillar, in order


def test_english_switch_stays_on_the_indicators_page(live_stack, page):
    open_indicators(page, live_stack)
    page.click(".lr-lang")
    page.wait_for_selector("text=City indicators by the six Smart City pillars", timeout=WAIT_MS)
    page.wait_for_selector("#ind-value-tangerang_emas", timeout=WAIT_MS)
    assert page.inner_text("#ind-value-kur_credit") == "1 trillion"
    assert "as of 28 February 2022" in page.inner_text("#ind-asof-tangerang_emas")
    page.click(".lr-lang")
    page.wait_for_selector("text=Indikator kota menurut enam pilar Smart City", timeout=WAIT_MS)


def test_selecting_a_kecamatan_shows_its_own_vaccination_figures(live_stack, page):
    figures = [
        {
            "indicator": f"vaccination_dose_{n}",
            "place": "Cipondoh",
            "as_of": "2022-02-28",
            "value": v,
            "source": "Dinkes, rekap kecamatan",
        }
        for n, v in ((1, 200_000), (2, 180_000), (3, 30_000))
    ]
    assert (
        requests.post(
            f"{live_stack.url}/api/v1/indicators", headers=live_stack.headers, json=figures, timeout=10
        ).status_code
        == 201
    )
    open_wall(page, live_stack.enter())
    click_kecamatan(page, "Cipondoh")
    page.wait_for_selector("#scope-title:has-text('Kecamatan Cipondoh')", timeout=WAIT_MS)
    page.wait_for_function("() => document.querySelector('#vacc-dose-1').innerText == '200.000'", timeout=WAIT_MS)
    panel = page.inner_text("#vacc-panel")
    assert page.inner_text("#vacc-dose-2") == "180.000" and "72,5 % dari penduduk" in panel
    assert "penduduk 248.210 (Sensus Penduduk 2020)" in panel and "Dinkes, rekap kecamatan" in panel
    assert page.query_selector("#vacc-scope") is None  # not the city's figure: no "city only" note
    page.click("#scope-reset")
    page.wait_for_function("() => document.querySelector('#vacc-dose-1').innerText != '200.000'", timeout=WAIT_MS)
    assert page.errors == []


def test_the_indicators_page_prints_on_a4_light_and_whole(live_stack, page, tmp_path):
    """Printed (the browser's print, as an assessor saves it as PDF): A4 pages on a light background, the page's
    title, every indicator of every pillar with its figure and as-of date: nothing cut, no navigation, no map."""
    import subprocess

    from PIL import Image

    from data_feeds.indicators.config import load

    open_indicators(page, live_stack)
    page.wait_for_timeout(500)
    pdf = tmp_path / "indikator.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "pts (A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 6
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Indikator kota menurut enam pilar Smart City" in text and "TANGERANG LIVE ROOM" in text
    for ind in load().values():
        words = ind.name("id").split()[:2]  # a card's title (wrapped lines joined above)
        assert " ".join(words) in text, ind.code
    for figure in ("2.130.166", "1.701.575", "209.863", "1.062.235", "per 28 Februari 2022"):
        assert figure in text
    assert "Daftar laporan" not in text and "Warna peta" not in text  # the navigation and the map are not printed
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    first = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    light = sum(first.histogram()[236:]) / (first.width * first.height)
    assert light > 0.6  # a light page, not the wall's dark theme
