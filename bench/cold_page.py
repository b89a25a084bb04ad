"""The cold page, in headless Chromium against `python app.py` (300 live reports, no demo feed: the server
otherwise idle): bytes transferred by a cold load of each page (new browser profile: nothing cached) and by a
warm reload, and the wall's time from navigation to markers on screen; each beside the same load with
compression refused (Accept-Encoding: identity), in the same run, and beside the issue's limits (wall <= 500 KB,
other pages <= 1 MB, warm reload <= 100 KB, markers p50 <= 2 s).

    .venv/bin/python -m bench.cold_page [--runs 10]

Bytes are the browser's own count (Resource Timing transferSize: headers and body as they crossed the wire).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from bench.common import save, summary_ms
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, at_kelurahan, report_payload
from tests.stack import LiveStack

KELURAHAN = [
    "36.71.01.1001",
    "36.71.02.1001",
    "36.71.03.1001",
    "36.71.04.1001",
    "36.71.05.1001",
    "36.71.06.1001",
    "36.71.07.1001",
    "36.71.08.1001",
    "36.71.09.1001",
    "36.71.10.1001",
    "36.71.11.1001",
    "36.71.12.1001",
]
LIMITS = {"wall": 500_000, "other": 1_000_000, "warm": 100_000, "markers_p50_s": 2.0}
# when the first marker or cluster is drawn, by the page's own clock
FIRST_MARKER = """
new MutationObserver((_, obs) => {
  if (document.querySelector('.lr-marker, .lr-cluster')) { window.__firstMarker = performance.now(); obs.disconnect(); }
}).observe(document, {childList: true, subtree: true});
"""
TRANSFERRED = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return performance.getEntriesByType('resource')
    .reduce((n, r) => n + (r.transferSize || 0), nav ? nav.transferSize : 0);
}"""


def measure(browser, stack: LiveStack, path: str, ready: str, compressed: bool, markers: bool) -> dict:
    ctx = browser.new_context(
        viewport={"width": 1920, "height": 1080},
        extra_http_headers={} if compressed else {"Accept-Encoding": "identity"},
    )
    page = ctx.new_page()
    if markers:
        page.add_init_script(FIRST_MARKER)
    page.goto(stack.enter("pimpinan", next_path=path))
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_timeout(1500)  # what loads after (the wall polls on: never "network idle"), a few polls included
    cold = page.evaluate(TRANSFERRED)
    first_marker = page.evaluate("() => window.__firstMarker || null") if markers else None
    page.reload()
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_timeout(1500)
    warm = page.evaluate(TRANSFERRED)
    ctx.close()
    return {"cold": cold, "warm": warm, "first_marker_ms": first_marker}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    stack = LiveStack(Path(tempfile.mkdtemp()), demo=False).wait_ready()
    try:
        for n in range(300):
            requests.post(
                f"{stack.url}/api/v1/reports",
                headers=stack.headers,
                timeout=10,
                json=report_payload(title=f"Laporan uji {n}", **at_kelurahan(KELURAHAN[n % len(KELURAHAN)])),
            ).raise_for_status()
        rid = requests.get(f"{stack.url}/api/v1/reports", headers=stack.headers, timeout=10).json()["reports"][0]["id"]
        time.sleep(2)  # the worker's snapshot has them
        pages = {
            "wall": ("/", ".lr-marker, .lr-cluster", True),
            "indicators": ("/indikator", "#ind-page", False),
            "report browser": ("/laporan/", ".lr-lb-table .ag-row", False),
            "report page": (f"/laporan/{rid}", "#rp-timeline", False),
        }
        results = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, (path, ready, markers) in pages.items():
                runs = {
                    mode: [
                        measure(browser, stack, path, ready, mode == "compressed", markers)
                        for _ in range(args.runs if markers else 3)
                    ]
                    for mode in ("compressed", "identity")
                }
                out = {}
                for mode, rows in runs.items():
                    out[mode] = {"cold_bytes": max(r["cold"] for r in rows), "warm_bytes": max(r["warm"] for r in rows)}
                    if markers:
                        out[mode]["first_marker"] = summary_ms([r["first_marker_ms"] / 1000 for r in rows])
                limit = LIMITS["wall" if name == "wall" else "other"]
                out["cold_limit_bytes"], out["warm_limit_bytes"] = limit, LIMITS["warm"]
                results[name] = out
                marker = (
                    f", markers p50 {out['compressed']['first_marker']['p50_ms']} ms (identity "
                    f"{out['identity']['first_marker']['p50_ms']} ms)"
                    if markers
                    else ""
                )
                print(
                    f"{name:<15} cold {out['compressed']['cold_bytes']:>9,} B (identity "
                    f"{out['identity']['cold_bytes']:>9,} B, "
                    f"limit {limit:,}), warm {out['compressed']['warm_bytes']:>7,} B{marker}",
                    flush=True,
                )
            browser.close()
    finally:
        stack.stop()
    save(
        "cold_page",
        {
            "command": "python -m bench.cold_page",
            "live_reports": 300,
            "runs": args.runs,
            "pages": results,
            "limits": LIMITS,
        },
    )


if __name__ == "__main__":
    main()
