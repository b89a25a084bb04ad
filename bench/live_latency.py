"""Time from a POST's 201 to the new marker being on screen, with 1 and with 50 open dashboards.

    .venv/bin/python -m bench.live_latency [--reports 30] [--dashboards 1 50]

Starts `python app.py --no-demo` (default poll interval) in a temporary folder. One wall
page in headless Chromium is the observer; the other N-1 dashboards are protocol-level
clients that load the page and poll exactly as a browser does (bench.callbacks), because
in the room each wall display renders on its own machine: 50 Chromiums on these two cores
would measure this box's rendering, not the product. The observer page: a MutationObserver records
when an element for each report id appears in the map's marker pane (a marker that lands
in a cluster is counted when its cluster is redrawn with it, taken from the map's data
update followed by the next paint). Reports are posted one at a time, at varying
kelurahan, every 1.5 s; latency = time on screen - time the 201 arrived (same clock).
"""
from __future__ import annotations

import argparse
import random
import time
from multiprocessing import Pool

import requests
from playwright.sync_api import sync_playwright

from bench.callbacks import client_process
from bench.common import save, summary_ms, tmpdir
from geodata import gazetteer
from tests.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.stack import LiveStack

OBSERVER = """
() => {
  window.__seen = {};
  const mark = (id, how) => { if (!(id in window.__seen)) window.__seen[id] = [Date.now(), how]; };
  const pane = document.querySelector('.leaflet-marker-pane');
  new MutationObserver(muts => {
    for (const m of muts) for (const n of m.addedNodes) {
      if (n.querySelector) { const el = n.querySelector('[data-report-id]'); if (el) mark(el.dataset.reportId, 'marker'); }
    }
  }).observe(pane, {childList: true, subtree: true});
  // Clustered markers have no element of their own: count them when the map data that holds
  // them has been applied and painted.
  const merge = window.dash_clientside.liveroom.merge;
  window.dash_clientside.liveroom.merge = function (delta, current) {
    const out = merge(delta, current);
    if (delta && delta.upserts) {
      const ids = delta.upserts.map(f => f.id);
      requestAnimationFrame(() => setTimeout(() => ids.forEach(id => {
        if (!document.querySelector('.leaflet-marker-pane [data-report-id="' + id + '"]')) mark(id, 'cluster');
      }), 0));
    }
    return out;
  };
}
"""


def run(stack: LiveStack, dashboards: int, n_reports: int, seed: int) -> dict:
    others = None
    if dashboards > 1:  # the other dashboards poll for the whole run
        seconds = int(n_reports * 1.5 + 25)
        procs = min(5, dashboards - 1)
        per = [(dashboards - 1) // procs + (1 if i < (dashboards - 1) % procs else 0) for i in range(procs)]
        others = Pool(procs)
        others_result = others.map_async(client_process, [(stack.url, k, seconds, i) for i, k in enumerate(per)])
        time.sleep(5)
    rng = random.Random(seed)
    places = list(gazetteer.load().kelurahan.values())
    args = CHROMIUM_ARGS + ["--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                            "--disable-backgrounding-occluded-windows"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
        observer = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        observer.goto(stack.enter("pimpinan"))
        observer.wait_for_selector(".leaflet-marker-pane", state="attached")
        observer.evaluate(OBSERVER)
        time.sleep(3)
        posted: dict[str, float] = {}
        for i in range(n_reports):
            p = rng.choice(places)
            body = {"source": "laksa", "category": "sampah", "title": f"Bench latency {i}", "lat": p.lat, "lon": p.lon}
            resp = requests.post(f"{stack.url}/api/v1/reports", headers=stack.headers, json=body, timeout=10)
            t_201 = time.time() * 1000
            posted[resp.json()["id"]] = t_201
            time.sleep(1.5)
        time.sleep(3)
        seen = observer.evaluate("window.__seen")
        browser.close()
    polls = None
    if others is not None:
        parts = others_result.get()
        others.close()
        polls = summary_ms([v for p in parts for v in p["poll"]])
    latencies = [(seen[rid][0] - t) / 1000 for rid, t in posted.items() if rid in seen]
    how = [seen[rid][1] for rid in posted if rid in seen]
    return {"dashboards": dashboards, "reports": n_reports, "seen": len(latencies),
            "seen_as_own_marker": how.count("marker"), "seen_in_cluster": how.count("cluster"),
            "latency": summary_ms(latencies), "other_dashboards_poll": polls}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--dashboards", type=int, nargs="+", default=[1, 50])
    args = parser.parse_args()
    results = []
    for n in args.dashboards:
        stack = LiveStack(tmpdir("latency"), demo=False, env={"LIVE_POLL_MS": "500"}).wait_ready()
        try:
            results.append(run(stack, n, args.reports, seed=n))
        finally:
            stack.stop()
        print(results[-1], flush=True)
    save("live_latency", {"command": "python -m bench.live_latency", "poll_interval_ms": 500,
                          "what": "POST 201 -> marker on screen in headless Chromium (observer page); other dashboards poll over HTTP",
                          "runs": results})


if __name__ == "__main__":
    main()
