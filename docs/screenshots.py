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


def main() -> None:
    stack = LiveStack(Path(tempfile.mkdtemp()), demo=True).wait_ready()
    try:
        time.sleep(15)  # a few demo reports
        rid = requests.post(f"{stack.url}/api/v1/reports", headers=stack.headers, timeout=10, json=report_payload(
            title="Saluran tersumbat di depan pasar", category="jalan_rusak", reporter={"name": "Rina Wati", "phone": "0812 5555 6666"},
            **at_kelurahan("36.71.02.1003"))).json()["id"]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

            def shot(name: str, url: str, size=(1920, 1080), then=None):
                ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
                page = ctx.new_page()
                page.goto(url)
                if "/masuk" not in page.url and "/admin" not in page.url:
                    page.wait_for_selector("#kpi-baru")
                    page.wait_for_timeout(4000)
                if then:
                    then(page)
                page.screenshot(path=str(OUT / f"{name}.png"))
                ctx.close()

            shot("signin-1920x1080", f"{stack.url}/masuk")
            shot("signin-390x844", f"{stack.url}/masuk", (390, 844))
            shot("opd-dpupr-1920x1080", stack.enter("opd", opds=("dpupr",)))

            def forward(page):
                page.click(f'.lr-marker [data-report-id="{rid}"]')
                page.wait_for_selector("#act-forward-row:not([hidden])")
                page.click("#act-opd")
                page.get_by_text("Dinas Lingkungan Hidup", exact=True).click()
                page.fill("#act-note", "Saluran, bukan jalan: untuk DLH")
                page.click("#act-forward")
                page.wait_for_function("() => document.querySelector('#act-result').innerText.startsWith('Diteruskan')")
            shot("operator-forwarding-1920x1080", stack.enter("operator"), then=forward)
            shot("penilai-1920x1080", stack.enter("penilai"))
            shot("admin-1440x900", stack.enter("admin", next_path="/admin"), (1440, 900))
            browser.close()
    finally:
        stack.stop()
    print("\n".join(sorted(str(p) for p in OUT.glob("*.png") if re.search(r"\d+x\d+", p.name))))


if __name__ == "__main__":
    main()
