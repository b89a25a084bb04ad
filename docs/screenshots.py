"""Make the README's screenshots from a running demo stack, as each user sees it:

.venv/bin/python -m docs.screenshots      (writes docs/screenshots/*.png; about a minute)
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, at_kelurahan, report_payload
from tests.stack import LiveStack

OUT = Path(__file__).resolve().parent / "screenshots"


def evidence(stack: LiveStack, report_id: str, colour) -> str:
    """Start and resolve a report as its agency head does, with an uploaded photo. -> the photo's address."""
    import base64
    import io

    from PIL import Image, ImageDraw

    from tests.helpers import call_callback

    img = Image.new("RGB", (640, 420), colour)
    ImageDraw.Draw(img).rectangle((180, 150, 460, 290), outline=(240, 240, 240), width=6)
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    report = requests.get(f"{stack.url}/api/v1/reports/{report_id}", headers=stack.headers, timeout=10).json()
    http = stack.session("opd", opds=(report["opd"]["code"],))
    base = {"card-report.data": report_id, "lang.data": "id"}
    call_callback(
        http, "act-process.n_clicks", {**base, "act-process.n_clicks": 1}, url=stack.url, headers=dict(http.headers)
    )
    call_callback(
        http,
        "act-resolve.n_clicks",
        {
            **base,
            "act-resolve.n_clicks": 1,
            "act-note.value": "Sudah ditangani",
            "act-upload.contents": "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode(),
        },
        url=stack.url,
        headers=dict(http.headers),
    )
    report = requests.get(f"{stack.url}/api/v1/reports/{report_id}", headers=stack.headers, timeout=10).json()
    return report["events"][-1]["evidence"][0]["url"]


def kiosk_shots(stack: LiveStack, shot) -> None:
    """The wall's kiosk scenes at 1080p and 4K, the disconnected state (the live channel stopped), a replayed day."""
    import os
    import signal
    from datetime import timedelta

    from bench.live_channel import channel_pid
    from data_feeds.clock import wib_today

    for w, h in ((1920, 1080), (3840, 2160)):
        for scene in ("peta", "opd", "vaksin", "indikator"):
            shot(f"kiosk-{scene}-{w}x{h}", stack.enter("pimpinan", next_path=f"/?scenes={scene}"), (w, h))
    pid = channel_pid(stack.proc.pid)

    def cut_off(page):
        os.kill(pid, signal.SIGSTOP)
        try:
            page.wait_for_function("() => document.documentElement.classList.contains('lr-cut')", timeout=60_000)
            page.wait_for_timeout(3000)
            page.screenshot(
                path=str(OUT / f"kiosk-disconnected-{page.viewport_size['width']}x{page.viewport_size['height']}.png")
            )
        finally:
            os.kill(pid, signal.SIGCONT)

    for size in ((1920, 1080), (3840, 2160)):
        shot("_scratch", stack.enter("pimpinan", next_path="/?scenes=peta"), size, then=cut_off)
    (OUT / "_scratch.png").unlink(missing_ok=True)
    yesterday = (wib_today() - timedelta(days=1)).isoformat()
    shot(
        "replay-1920x1080",
        stack.enter("pimpinan", next_path=f"/?scenes=peta&replay={yesterday}&speed=1200"),
        (1920, 1080),
        then=lambda page: page.wait_for_timeout(30_000),
    )


def main() -> None:
    # a quieter demo day than the default (a report every 2 h on average): the desk shots click single markers
    stack = LiveStack(Path(tempfile.mkdtemp()), demo=True, env={"DEMO_INTERVAL_S": "7200"}).wait_ready()
    try:
        time.sleep(15)  # a few demo reports
        rid = requests.post(
            f"{stack.url}/api/v1/reports",
            headers=stack.headers,
            timeout=10,
            json=report_payload(
                title="Saluran tersumbat di depan pasar",
                category="jalan_rusak",
                reporter={"name": "Rina Wati", "phone": "0812 5555 6666"},
                **at_kelurahan("36.71.02.1003"),
            ),
        ).json()["id"]
        # a LAKSA report with the citizen's photo (a file this site serves: an earlier report's evidence), resolved
        # by its agency with a photo of the work: the report page's before and after
        photo_source = requests.post(
            f"{stack.url}/api/v1/reports",
            headers=stack.headers,
            timeout=10,
            json=report_payload(title="Foto warga (sumber tangkapan layar)", **at_kelurahan("36.71.07.1014")),
        ).json()["id"]
        closed = requests.post(
            f"{stack.url}/api/v1/reports",
            headers=stack.headers,
            timeout=10,
            json=report_payload(
                id="LKS-2026-000777",
                title="Jalan berlubang di depan SDN Karawaci 3",
                category="jalan_rusak",
                media=[f"{stack.url}{evidence(stack, photo_source, (150, 110, 80))}"],
                **at_kelurahan("36.71.07.1014"),
            ),
        ).json()["id"]
        evidence(stack, closed, (90, 120, 90))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

            def shot(name: str, url: str, size=(1920, 1080), then=None, wait_for="#kpi-baru", full_page=False):
                ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
                page = ctx.new_page()
                page.goto(url)
                if "/masuk" not in page.url and "/admin" not in page.url and wait_for:
                    page.wait_for_selector(wait_for)
                    page.wait_for_timeout(4000)
                if then:
                    then(page)
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)
                ctx.close()

            shot("signin-1920x1080", f"{stack.url}/masuk")
            shot("signin-390x844", f"{stack.url}/masuk", (390, 844))
            shot("opd-dpupr-1920x1080", stack.enter("opd", opds=("dpupr",)))

            def forward(page):  # the card opened by the report page's "Lihat di peta" link (/?laporan=<id>)
                page.wait_for_selector("#act-forward-row:not([hidden])")
                page.click("#act-opd")
                page.get_by_text("Dinas Lingkungan Hidup", exact=True).click()
                page.fill("#act-note", "Saluran, bukan jalan: untuk DLH")
                page.click("#act-forward")
                page.wait_for_function("() => document.querySelector('#act-result').innerText.startsWith('Diteruskan')")

            shot("operator-forwarding-1920x1080", stack.enter("operator", next_path=f"/?laporan={rid}"), then=forward)

            def kelurahan(page):  # chosen in the searchable picker: its figures, its ticker, the breadcrumb
                page.click("#area-picker", position={"x": 24, "y": 12})
                page.keyboard.type("Pasir Jaya")  # (where the reports this script files stand)
                page.get_by_role("option", name="Pasir Jaya · Kec. Jatiuwung", exact=True).click()
                page.wait_for_function("() => document.querySelector('#kel-facts').innerText !== ''")
                page.wait_for_timeout(2500)

            for size in ((1920, 1080), (1440, 900)):
                shot(f"wall-kelurahan-{size[0]}x{size[1]}", stack.enter("operator"), size, then=kelurahan)
            shot("penilai-1920x1080", stack.enter("penilai"))
            shot("admin-1440x900", stack.enter("admin", next_path="/admin"), (1440, 900))
            rows = ".lr-lb-table .ag-row"
            for size in ((1920, 1080), (1440, 900), (390, 844)):
                tag = f"{size[0]}x{size[1]}"
                shot(
                    f"reports-{tag}",
                    stack.enter("pimpinan", next_path="/laporan/?status=baru,diproses"),
                    size,
                    wait_for=rows,
                )
                shot(
                    f"report-page-{tag}",
                    stack.enter("pimpinan", next_path="/laporan/LKS-2026-000777"),
                    size,
                    wait_for="#rp-media",
                    full_page=True,
                )
                shot(  # an agency head's queue: their open reports, nearest due first, the counts, the bulk bar
                    f"queue-{tag}",
                    stack.enter("opd", opds=("dpupr", "dlh"), next_path="/antrian"),
                    size,
                    wait_for="#queue",
                    full_page=size[0] < 500,
                )
                shot(  # an open report as the operator finds it: the actions it may take now
                    f"report-page-actions-{tag}",
                    stack.enter("operator", next_path=f"/laporan/{rid}"),
                    size,
                    wait_for="#rp-actions",
                    full_page=size[0] < 500,
                )

            def tick_three(page):
                for box in page.locator(".lr-lb-table .ag-center-cols-container .ag-selection-checkbox input").all()[
                    :3
                ]:
                    box.click()
                page.wait_for_timeout(500)

            shot(  # the list with three rows ticked for a bulk action
                "reports-bulk-1440x900",
                stack.enter("operator", next_path="/laporan/?status=baru"),
                (1440, 900),
                wait_for=rows,
                then=tick_three,
            )
            shot(
                "reports-map-1440x900",
                stack.enter("pimpinan", next_path="/laporan/?status=baru"),
                (1440, 900),
                wait_for=rows,
                then=lambda page: (page.click("#lb-map-toggle"), page.wait_for_timeout(2500)),
            )
            shot("wall-390x844", stack.enter("pimpinan"), (390, 844))
            shot(
                "report-print-1440x900",
                stack.enter("pimpinan", next_path="/laporan/LKS-2026-000777?cetak=1"),
                (1440, 900),
                wait_for="#rp-media",
                full_page=True,
            )
            kiosk_shots(stack, shot)
            browser.close()
    finally:
        stack.stop()
    print("\n".join(sorted(str(p) for p in OUT.glob("*.png") if re.search(r"\d+x\d+", p.name))))


if __name__ == "__main__":
    main()
