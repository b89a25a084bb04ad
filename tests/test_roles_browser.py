"""Each role in a real Chromium: signing in by the form and by the start-up's one-click link, what an
agency head's wall shows and what it cannot reach, an operator forwarding a report from the card, and
a paired wall screen that comes back after a browser restart without a sign-in prompt."""

from __future__ import annotations

import re

import pytest
import requests

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, at_kelurahan, open_wall, report_payload

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def marker(rid: str) -> str:
    return f'.lr-marker [data-report-id="{rid}"]'


def new_report(stack, **fields) -> str:
    resp = requests.post(
        f"{stack.url}/api/v1/reports", headers=stack.headers, json=report_payload(**fields), timeout=10
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def test_signing_in_by_the_form_wrong_then_right(live_stack, page):
    person, password = live_stack.person("pimpinan", name="Wali Kota Uji")
    page.goto(f"{live_stack.url}/laporan-tidak-ada")
    page.wait_for_selector("form[action='/masuk']")
    assert page.url.startswith(f"{live_stack.url}/masuk?next=")
    page.fill("#username", person.username)
    page.fill("#password", "bukan-kata-sandinya")
    page.click("button[type=submit]")
    page.wait_for_selector(".lr-signin-error")
    assert page.inner_text(".lr-signin-error") == "Nama pengguna atau kata sandi salah."
    assert page.input_value("#username") == person.username and page.input_value("#password") == ""
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#kpi-baru", timeout=WAIT_MS)
    assert "Wali Kota Uji · Pimpinan" in page.inner_text("#account")
    page.click(".lr-signout-btn")
    page.wait_for_selector("form[action='/masuk']")
    assert "Anda telah keluar." in page.inner_text("main")
    page.goto(live_stack.url)
    page.wait_for_selector("form[action='/masuk']")  # signed out means out
    assert page.errors == []


def test_the_start_up_link_lets_a_newcomer_in_with_one_click_once(live_stack, browser):
    import time

    deadline = time.monotonic() + WAIT_MS / 1000  # (printed once the server answers: a moment after the stack is ready)
    while (
        not (
            lines := [
                line
                for line in (live_stack.data_dir / "app.log").read_text().splitlines()
                if line.startswith("Sign in with one click as Operator lokal")
            ]
        )
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    last = lines[-1]
    link = re.search(r"(http://\S+/masuk/\S+)$", last).group(1)
    first = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    first.goto(link)
    first.wait_for_selector("#kpi-baru", timeout=WAIT_MS)
    assert "Operator lokal · Operator" in first.inner_text("#account")
    second = browser.new_context().new_page()
    second.goto(link)  # the same link, a second time
    second.wait_for_selector(".lr-signin-msg")
    assert "sudah dipakai" in second.inner_text(".lr-signin-msg")


def test_an_agency_heads_wall_shows_its_own_work_and_nothing_else_is_reachable(live_stack, page):
    road = new_report(
        live_stack, title="Jalan retak panjang di Cipondoh", category="jalan_rusak", **at_kelurahan("36.71.05.1001")
    )
    flood = new_report(live_stack, title="Banjir di perumahan", category="banjir")
    open_wall(page, live_stack.enter("opd", opds=("dpupr",)))
    assert page.inner_text("#scope-agency") == "Laporan DPUPR"
    page.wait_for_selector(marker(road), timeout=WAIT_MS)
    assert page.locator(marker(flood)).count() == 0
    page.wait_for_selector(f'#ticker [data-report-id="{road}"]', timeout=WAIT_MS)
    assert page.locator(f'#ticker [data-report-id="{flood}"]').count() == 0
    opd_table = page.inner_text("#opd-body")
    assert "BPBD" in opd_table and "DPUPR" in opd_table  # the league table: every agency, as aggregates
    # direct requests with this browser's own session, for another agency's report
    assert page.request.get(f"{live_stack.url}/api/v1/reports/{flood}").status == 404
    assert page.request.get(f"{live_stack.url}/open311/v2/requests/{flood}.json").status == 404
    assert page.request.get(f"{live_stack.url}/api/v1/reports/{road}").status == 200
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    # the card's callback as the renderer declares it (its outputs: the card, its rows and each action's button)
    deps = page.request.get(f"{live_stack.url}/_dash-dependencies").json()
    opens = next(
        d for d in deps if d["inputs"] and d["inputs"][0]["id"] == "map-markers" and "report-card.hidden" in d["output"]
    )
    values = {"map-markers": {"properties": {"id": flood}}, "report-card-close": 0, "lang": "id"}
    card = page.request.post(
        f"{live_stack.url}/_dash-update-component",
        headers={"X-CSRFToken": csrf},
        data={
            "output": opens["output"],
            "outputs": [
                {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
                for o in opens["output"].strip(".").split("...")
            ],
            "inputs": [{**i, "value": values[i["id"]]} for i in opens["inputs"]],
            "state": [{**s, "value": values[s["id"]]} for s in opens["state"]],
            "changedPropIds": ["map-markers.clickData"],
        },
    )
    assert card.status == 200 and "Banjir di perumahan" not in card.text() and "tidak ditemukan" in card.text()
    page.goto(f"{live_stack.url}/admin")
    assert "403" in page.inner_text("body")
    assert page.errors == []


def test_an_operator_forwards_a_report_from_its_card(live_stack, page):
    rid = new_report(
        live_stack,
        title="Saluran tersumbat sampah",
        category="jalan_rusak",
        **at_kelurahan("36.71.02.1003"),
        reporter={"name": "Rina Wati", "phone": "0812 5555 6666"},
    )
    open_wall(page, live_stack.enter("operator"))
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    page.click(marker(rid))
    page.wait_for_selector("#report-card:not([hidden]) .lr-card-title", timeout=WAIT_MS)
    assert "Rina Wati" in page.inner_text("#card-reporter")  # operators call back
    page.wait_for_selector("#act-forward-row:not([hidden])")
    page.click("#act-opd")
    page.get_by_text("Dinas Lingkungan Hidup", exact=True).click()
    page.fill("#act-note", "Saluran, bukan jalan: untuk DLH")
    page.click("#act-forward")
    page.wait_for_function(
        "() => document.querySelector('#act-result').innerText.startsWith('Diteruskan')", timeout=WAIT_MS
    )
    report = requests.get(f"{live_stack.url}/api/v1/reports/{rid}", headers=live_stack.headers, timeout=10).json()
    assert report["status"] == "diproses" and report["opd"]["code"] == "dlh"
    assert report["events"][-1]["note"] == "Saluran, bukan jalan: untuk DLH" and report["events"][-1][
        "actor"
    ].startswith("operator-")
    page.wait_for_function(
        f"() => document.querySelector('{marker(rid)}').dataset.status === 'diproses'", timeout=WAIT_MS
    )
    assert page.errors == []


def test_an_operator_finds_a_report_by_its_laksa_id_and_forwards_it_in_three_actions(live_stack, page):
    """Issue 28: forwarding one report whose LAKSA id was known took 9 clicks, 5 of them hunting through clusters.
    Now, once the wall has loaded: type the id in the header's search (1), choose the agency (2), forward (3)."""
    rid = new_report(live_stack, id="LKS-2026-031337", title="Saluran tersumbat", **at_kelurahan("36.71.12.1002"))
    open_wall(page, live_stack.enter("operator"))
    page.fill("#header-search", "LKS-2026-031337")  # 1: the id, and Enter
    page.press("#header-search", "Enter")
    page.wait_for_selector(".lr-rp-act-forward select", timeout=WAIT_MS)
    page.select_option(".lr-rp-act-forward select", "dlh")  # 2
    page.click(".lr-rp-act-forward button")  # 3
    page.wait_for_selector("#rp-said", timeout=WAIT_MS)
    assert page.inner_text("#rp-said") == "Diteruskan ke Dinas Lingkungan Hidup."
    assert page.url.endswith("/laporan/LKS-2026-031337?selesai=forward")
    report = requests.get(f"{live_stack.url}/api/v1/reports/{rid}", headers=live_stack.headers, timeout=10).json()
    assert report["status"] == "diproses" and report["opd"]["code"] == "dlh"
    wall = page.context.new_page()
    open_wall(wall, live_stack.url + "/")
    wall.wait_for_function(
        f"() => document.querySelector('{marker(rid)}') && document.querySelector('{marker(rid)}').dataset.status "
        "=== 'diproses'",
        timeout=WAIT_MS,
    )  # the wall shows the change
    assert page.errors == []


def test_a_paired_screen_survives_a_browser_restart(live_stack, browser, tmp_path):
    link = live_stack.pairing_link("Layar utama 1")
    profile = tmp_path / "chromium-profile"
    for visit in range(2):  # pair, close the browser; start another on the same profile (a rebooted screen)
        ctx = browser.browser_type.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": 1920, "height": 1080}
        )
        pg = ctx.pages[0] if ctx.pages else ctx.new_page()
        pg.goto(link if visit == 0 else live_stack.url)
        pg.wait_for_selector("#kpi-baru", timeout=WAIT_MS)
        assert "Layar utama 1 · Layar" in pg.inner_text("#account")
        assert pg.locator(".lr-signout-btn").count() == 0  # a screen does not sign out
        ctx.close()


def test_an_assessor_sees_figures_and_aggregates_but_no_report(live_stack, page):
    rid = new_report(
        live_stack, title="Tiang listrik miring dekat sekolah", category="jalan_rusak", **at_kelurahan("36.71.02.1004")
    )
    open_wall(page, live_stack.enter("penilai"))
    page.wait_for_function(
        "() => document.querySelector('#kpi-baru').innerText.replace(/\\./g, '') !== ''", timeout=WAIT_MS
    )
    page.wait_for_timeout(1500)  # several polls: nothing of a report arrives
    assert page.locator(".lr-marker").count() == 0 and not page.is_visible("#ticker")
    assert "Tiang listrik" not in page.content()
    assert page.request.get(f"{live_stack.url}/api/v1/reports/{rid}").status == 404
    page.click("#nav-indicators")
    page.wait_for_selector("#ind-value-tangerang_bisa", timeout=WAIT_MS)
    assert page.errors == []


def test_an_agency_resolves_its_report_with_a_photo_from_the_browser(live_stack, page, tmp_path):
    from PIL import Image

    rid = new_report(
        # (in a kelurahan away from its kecamatan's name: a name takes the clicks on what lies beneath it)
        live_stack,
        title="Trotoar ambles depan puskesmas",
        category="jalan_rusak",
        **at_kelurahan("36.71.03.1006"),
    )
    fake = tmp_path / "bukti.jpg"
    fake.write_text("ini bukan foto, hanya teks")
    photo = tmp_path / "bukti-asli.png"
    Image.new("RGB", (64, 48), (30, 160, 90)).save(photo)
    open_wall(page, live_stack.enter("opd", opds=("dpupr",)))
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    page.click(marker(rid))
    page.wait_for_selector("#act-progress-row:not([hidden])", timeout=WAIT_MS)
    assert page.is_hidden("#act-forward-row")  # forwarding is the operators'
    page.click("#act-process")
    page.wait_for_function("() => document.querySelector('#act-result').innerText === 'Diproses.'", timeout=WAIT_MS)
    page.set_input_files("#act-upload input[type=file]", str(fake))
    page.click("#act-resolve")
    page.wait_for_function(
        "() => document.querySelector('#act-result').innerText.startsWith('Tidak tersimpan')", timeout=WAIT_MS
    )
    # said in the page's words, not the machine's field name or English
    assert page.inner_text("#act-result") == (
        "Tidak tersimpan: jenis berkas ini tidak diterima; yang diterima: JPEG, PNG, WebP, MP4, WebM, MOV"
    )
    page.set_input_files("#act-upload input[type=file]", str(photo))
    page.click("#act-resolve")
    page.wait_for_function(
        "() => document.querySelector('#act-result').innerText.startsWith('Selesai')", timeout=WAIT_MS
    )
    page.wait_for_function(
        "() => { const i = document.querySelector('#report-card img.lr-card-media');"
        " return i && i.complete && i.naturalWidth === 64; }",
        timeout=WAIT_MS,
    )  # served back to its agency
    report = requests.get(f"{live_stack.url}/api/v1/reports/{rid}", headers=live_stack.headers, timeout=10).json()
    assert report["status"] == "selesai" and report["media"][-1].startswith(f"/bukti/{rid}/")
    assert requests.get(f"{live_stack.url}{report['media'][-1]}", timeout=10).status_code == 401  # nobody's: refused
    assert page.errors == []


def test_repeated_wrong_passwords_lock_the_account_in_the_browser(live_stack, page):
    person, password = live_stack.person("operator")
    page.goto(f"{live_stack.url}/masuk")
    for _ in range(5):
        page.fill("#username", person.username)
        page.fill("#password", "salah-lagi")
        page.click("button[type=submit]")
        page.wait_for_selector(".lr-signin-error")
    assert "dikunci sementara" in page.inner_text(".lr-signin-error")
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector(".lr-signin-error")
    assert "dikunci sementara" in page.inner_text(".lr-signin-error") and "/masuk" in page.url


def test_the_ticker_a_marker_and_the_page_lead_to_each_other_in_one_click(live_stack, page):
    """Issue 28: the ticker's row and a marker (as a link is: Ctrl or middle click) open the report's page; the page's
    "Lihat di peta" opens the wall with its card and the map at its place."""
    rid = new_report(live_stack, title="Pagar roboh di taman kota", **at_kelurahan("36.71.05.1004"))
    open_wall(page, live_stack.enter("operator"))
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    with page.context.expect_page() as opened:
        page.click(marker(rid), modifiers=["Control"])
    tab = opened.value
    tab.wait_for_selector("#rp-title", timeout=WAIT_MS)
    assert tab.inner_text("#rp-title") == "Pagar roboh di taman kota"
    assert page.is_hidden("#report-card")  # a link's click: the wall did not open the card as well
    page.click(f'.lr-ticker-item[data-report-id="{rid}"] a')
    page.wait_for_selector("#rp-on-map", timeout=WAIT_MS)
    page.click("#rp-on-map")
    page.wait_for_selector("#report-card:not([hidden])", timeout=WAIT_MS)
    page.wait_for_function(
        "() => document.querySelector('#card-ref') && document.querySelector('#card-ref').innerText.startsWith('LR-')",
        timeout=WAIT_MS,
    )
    assert page.inner_text(".lr-card-title") == "Pagar roboh di taman kota"
    page.wait_for_function(
        "() => window.liveroomMap && window.liveroomMap.getZoom() >= 16", timeout=WAIT_MS
    )  # its street
    assert page.errors == []
