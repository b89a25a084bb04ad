"""The wall's memory on a full map: does a busy city leave anything behind in the browser?

    .venv/bin/python -m bench.wall_heap [--reports 5000] [--minutes 10] [--per-second 4] [--path "/?scenes=peta"]

Starts `python app.py` (no demo) in a scratch folder, files --reports open reports (the wall's marker cap is 5,000),
opens the wall in Chromium on that full map, then for --minutes files --per-second reports a second and moves the
oldest open one to "diproses" for each, so every message changes the markers, the tiles and the ticker. Every 30 s:
the JS heap after a forced GC, DOM nodes, event listeners, markers drawn, and how many entries Dash's undo history
holds (live_link.js keeps it short: plotly/dash#727). Beside it in the same run, a second wall whose live_link.js
is served without that trim (the baseline: what Dash alone does). The figure is each wall's heap trend from the
first minute (the map settled) to the end (least squares over the samples), per two hours, beside the limit issue 15
sets for a two-hour wall (10 MB).
Results: bench/results/wall_heap.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import random
import statistics
import threading
import time

import requests
from playwright.sync_api import sync_playwright

from bench.common import save, tmpdir
from geodata import gazetteer
from tests.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.stack import LiveStack

LIMIT_MB_PER_2H = 10.0
TRIM = "past.splice(0, past.length - 1);"  # live_link.js's forgetHistory: taken out for the baseline wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--per-second", type=float, default=4)
    parser.add_argument("--path", default="/?scenes=peta", help="the wall's address (default: the kiosk's map scene)")
    args = parser.parse_args()
    stack = LiveStack(tmpdir("wall_heap"), demo=False).wait_ready()
    places = list(gazetteer.load().kelurahan.values())
    rng = random.Random(15)
    http = requests.Session()
    http.headers.update(stack.headers)

    def file(n: int) -> str:
        p = rng.choice(places)
        r = http.post(
            f"{stack.url}/api/v1/reports",
            timeout=30,
            json={
                "source": "laksa",
                "category": rng.choice(["sampah", "jalan_rusak", "pju_mati", "banjir"]),
                "title": f"Laporan uji {n}",
                "lat": p.lat,
                "lon": p.lon,
            },
        )
        r.raise_for_status()
        return r.json()["id"]

    stop = threading.Event()
    changes = {"filed": 0, "moved": 0, "errors": 0}

    def traffic(open_ids: list[str]) -> None:
        for n in itertools.count(args.reports):
            if stop.wait(1 / args.per_second):
                return
            try:
                open_ids.append(file(n))
                changes["filed"] += 1
                http.post(
                    f"{stack.url}/api/v1/reports/{open_ids.pop(0)}/status", json={"status": "diproses"}, timeout=30
                ).raise_for_status()
                changes["moved"] += 1
            except requests.RequestException:
                changes["errors"] += 1

    samples: list[dict] = []
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            open_ids = list(pool.map(file, range(args.reports)))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS + ["--enable-precise-memory-info"]
            )
            walls = {
                name: open_wall(browser, stack, args.path, keep_history=name == "baseline")
                for name in ("wall", "baseline")
            }
            writer = threading.Thread(target=traffic, args=(open_ids,), daemon=True)
            writer.start()
            started = time.time()
            while True:
                samples.append(
                    {
                        "minute": round((time.time() - started) / 60, 2),
                        **changes,
                        **{name: measure(*wall) for name, wall in walls.items()},
                    }
                )
                print(samples[-1], flush=True)
                if time.time() - started >= args.minutes * 60:
                    break
                time.sleep(30)
            stop.set()
            browser.close()
    finally:
        stop.set()
        stack.stop()
    settled = next((s for s in samples if s["minute"] >= 1), samples[0])
    hours = max(samples[-1]["minute"] - settled["minute"], 1e-9) / 60
    result = {
        "command": "python -m bench.wall_heap "
        + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()),
        "reports": args.reports,
        "per_second": args.per_second,
        "path": args.path,
        "limit_mb_per_2h": LIMIT_MB_PER_2H,
        "minutes_measured": round(hours * 60, 1),
    }
    after = [s for s in samples if s["minute"] >= settled["minute"]]
    for name in ("wall", "baseline"):
        growth = samples[-1][name]["js_heap_mb"] - settled[name]["js_heap_mb"]
        # the trend through every sample (one garbage collection more or less moves a single pair of ends)
        slope = statistics.linear_regression([s["minute"] for s in after], [s[name]["js_heap_mb"] for s in after]).slope
        result[name] = {
            "heap_mb": [settled[name]["js_heap_mb"], samples[-1][name]["js_heap_mb"]],
            "growth_mb": round(growth, 2),
            "per_2h_mb": round(slope * 120, 1),
            "dash_history": samples[-1][name]["dash_history"],
        }
        print(
            f"{name}: heap {result[name]['heap_mb'][0]} -> {result[name]['heap_mb'][1]} MB over {hours * 60:.1f} min: "
            f"{result[name]['per_2h_mb']} MB per two hours (limit {LIMIT_MB_PER_2H}); Dash history "
            f"{result[name]['dash_history']}"
        )
    save("wall_heap", {**result, "samples": samples})


def open_wall(browser, stack: LiveStack, path: str, keep_history: bool):
    """A signed-in wall on `path`; keep_history: its live_link.js served without the trim of Dash's history."""
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    if keep_history:

        def untrimmed(route):
            body = route.fetch().text()
            assert TRIM in body, "live_link.js no longer trims Dash's history where this bench expects"
            route.fulfill(body=body.replace(TRIM, ""), content_type="application/javascript")

        page.route("**/live_link*.js*", untrimmed)
    page.goto(stack.enter("pimpinan", next_path=path))
    page.wait_for_selector("#kpi-baru")
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=60_000)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    return page, cdp


def measure(page, cdp) -> dict:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "js_heap_mb": round(metrics["JSHeapUsedSize"] / 2**20, 2),
        "dom_nodes": int(metrics["Nodes"]),
        "listeners": int(metrics["JSEventListeners"]),
        "markers_drawn": page.evaluate("document.querySelectorAll('.leaflet-marker-icon').length"),
        "dash_history": page.evaluate("window.liveroomLink.historyLength()"),
        "messages": page.evaluate("window.liveroomLink.info().stats.messages"),
    }


if __name__ == "__main__":
    main()
