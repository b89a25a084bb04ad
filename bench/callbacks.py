"""The wall's callbacks under load: 50 polling dashboards over a store of 100,000 reports.

    .venv/bin/python -m bench.callbacks [--reports 100000] [--clients 50] [--seconds 30]

Fills a fresh store with a year of reports (most resolved, about 3 % open), starts
`python app.py --no-demo`, and runs 50 clients (5 processes x 10 threads) that each load
the page once and then call the live poll callback every 500 ms, exactly as the browser
does (same /_dash-update-component request, state carried from answer to answer). A
writer files one report and moves one report per second meanwhile, so some polls carry
changes. Prints p50/p95/p99 of the poll callback and of page loads, the bytes per poll
with and without a change, and the time one snapshot rebuild takes at this size.
"""
from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone
from multiprocessing import Pool

import requests
from ulid import ULID

from bench.common import save, summary_ms, tmpdir
from data_feeds.live.snapshot import compute
from data_feeds.reports import categories
from data_feeds.store import Store, reports
from geodata import gazetteer
from tests.stack import LiveStack

POLL_S = 0.5


def fill(store: Store, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    places = list(gazetteer.load().kelurahan.values())
    cats = list(categories.load().categories.values())
    now = datetime.now(timezone.utc)
    rows = []
    for _ in range(n):
        p, c = rng.choice(places), rng.choice(cats)
        at = now - timedelta(days=rng.uniform(0, 365))
        roll = rng.random()
        status = "baru" if roll < 0.015 else "diproses" if roll < 0.03 else "selesai"
        responded = at + timedelta(hours=rng.uniform(0.1, 30)) if status != "baru" else None
        resolved = responded + timedelta(hours=rng.uniform(1, 200)) if status == "selesai" else None
        if resolved and resolved > now:
            resolved = now
        rows.append(dict(id=str(ULID()), source="laksa", source_ref=None, category=c.code, title=f"Laporan {c.name_id}",
                         description="", lat=p.lat + rng.gauss(0, 0.003), lon=p.lon + rng.gauss(0, 0.003),
                         kode_kec=p.kecamatan_code, kode_kel=p.code, address=None, reported_at=at, received_at=at,
                         reporter_name=None, reporter_phone=None, media=[], status=status, opd=c.opd,
                         first_response_at=responded, resolved_at=resolved, updated_at=resolved or responded or at))
    for i in range(0, n, 5000):
        with store.write() as conn:
            conn.execute(reports.insert(), rows[i:i + 5000])


def find_by_id(node, wanted):
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == wanted:
            return node
        for v in node.values():
            hit = find_by_id(v, wanted)
            if hit:
                return hit
    elif isinstance(node, list):
        for v in node:
            hit = find_by_id(v, wanted)
            if hit:
                return hit
    return None


def client_process(args) -> dict:
    url, threads, seconds, seed, (cookies, csrf) = args
    signed = {"cookies": cookies, "headers": {"X-CSRFToken": csrf}}  # one pimpinan's session, as a browser holds it
    deps = requests.get(f"{url}/_dash-dependencies", timeout=30, **signed).json()
    poll = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == "live-poll")
    view = {"selection": None, "measure": "open", "url": "/"}  # the other inputs: the city wall, open-report colours
    out: dict[str, list] = {"poll": [], "poll_changed": [], "bytes_changed": [], "bytes_unchanged": [], "layout": [], "layout_bytes": []}
    lock = threading.Lock()

    def one_client(k: int) -> None:
        s = requests.Session()
        s.cookies.update(cookies)
        s.headers.update(signed["headers"])
        t0 = time.perf_counter()
        layout = s.get(f"{url}/_dash-layout", timeout=60)
        t_layout = time.perf_counter() - t0
        state = find_by_id(layout.json(), "live-state")["props"]["data"]
        n, end = 0, time.monotonic() + seconds
        time.sleep(random.Random(seed * 100 + k).uniform(0, POLL_S))  # clients are not in step
        local = []
        while time.monotonic() < end:
            n += 1
            body = {"output": poll["output"], "outputs": _outputs(poll), "changedPropIds": ["live-poll.data"],
                    "inputs": [{"id": "live-poll", "property": "data", "value": n},
                               *[{"id": i["id"], "property": i["property"], "value": view[i["id"]]} for i in poll["inputs"][1:]]],
                    "state": [{"id": "live-state", "property": "data", "value": state}, {"id": "lang", "property": "data", "value": "id"}]}
            t0 = time.perf_counter()
            r = s.post(f"{url}/_dash-update-component", json=body, timeout=30)
            dt = time.perf_counter() - t0
            changed = False
            if r.status_code == 200:
                resp = r.json()["response"]
                state = resp.get("live-state", {}).get("data", state)
                changed = "live-delta" in resp
            local.append((dt, changed, len(r.content)))
            time.sleep(max(0.0, POLL_S - dt))
        with lock:
            out["layout"].append(t_layout)
            out["layout_bytes"].append(len(layout.content))
            for dt, changed, size in local:
                out["poll"].append(dt)
                if changed:
                    out["poll_changed"].append(dt)
                    out["bytes_changed"].append(size)
                else:
                    out["bytes_unchanged"].append(size)

    pool = [threading.Thread(target=one_client, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return out


def _outputs(cb: dict) -> list:
    parts = cb["output"].strip(".").split("...")
    return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]


def writer(url: str, stop: threading.Event, headers: dict) -> int:
    places = list(gazetteer.load().kelurahan.values())
    rng, n, open_ids = random.Random(3), 0, []
    while not stop.wait(1.0):
        p = rng.choice(places)
        r = requests.post(f"{url}/api/v1/reports", headers=headers, json={"source": "laksa", "category": "sampah", "title": f"Bench {n}",
                                                         "lat": p.lat, "lon": p.lon}, timeout=10)
        open_ids.append(r.json()["id"])
        if len(open_ids) > 3:
            requests.post(f"{url}/api/v1/reports/{open_ids.pop(0)}/status", headers=headers, json={"status": "diproses"}, timeout=10)
        n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    folder = tmpdir("callbacks")
    store = Store(f"sqlite:///{folder / 'liveroom.db'}")
    store.create_schema()
    t0 = time.perf_counter()
    fill(store, args.reports)
    fill_s = time.perf_counter() - t0
    gz, routing = gazetteer.load(), categories.load()
    rebuilds = []
    for _ in range(10):
        t0 = time.perf_counter()
        summary, markers = compute(store, routing, gz, datetime.now(timezone.utc), 5000)
        rebuilds.append(time.perf_counter() - t0)
    store.dispose()

    stack = LiveStack(folder, demo=False, env={"LIVE_POLL_MS": "500"}).wait_ready()
    stop = threading.Event()
    written = []
    w = threading.Thread(target=lambda: written.append(writer(stack.url, stop, stack.headers)))
    try:
        w.start()
        procs = 5
        per = [args.clients // procs + (1 if i < args.clients % procs else 0) for i in range(procs)]
        with Pool(procs) as pool:
            signed = stack.session("pimpinan")
            auth = (signed.cookies.get_dict(), signed.headers["X-CSRFToken"])
            parts = pool.map(client_process, [(stack.url, k, args.seconds, i, auth) for i, k in enumerate(per)])
    finally:
        stop.set()
        w.join()
        stack.stop()
    merged = {k: [v for p in parts for v in p[k]] for k in parts[0]}
    save("callbacks", {
        "command": "python -m bench.callbacks", "stored_reports": args.reports, "open_reports_on_map": len(markers),
        "clients": args.clients, "poll_interval_ms": int(POLL_S * 1000), "seconds": args.seconds,
        "writes_during_run": f"{written[0] if written else 0} reports + status changes, 1/s each",
        "poll_callback": summary_ms(merged["poll"]),
        "poll_callback_with_changes": summary_ms(merged["poll_changed"]),
        "polls_per_s": round(len(merged["poll"]) / args.seconds, 1),
        "bytes_per_poll_unchanged_median": statistics.median(merged["bytes_unchanged"]) if merged["bytes_unchanged"] else None,
        "bytes_per_live_update_median": statistics.median(merged["bytes_changed"]) if merged["bytes_changed"] else None,
        "bytes_per_live_update_p95": (round(sorted(merged["bytes_changed"])[int(len(merged["bytes_changed"]) * 0.95)])
                                      if merged["bytes_changed"] else None),
        "page_load_layout": summary_ms(merged["layout"]),
        "page_load_layout_bytes_median": statistics.median(merged["layout_bytes"]),
        "snapshot_rebuild": summary_ms(rebuilds),
        "fill_seconds": round(fill_s, 1),
    })


if __name__ == "__main__":
    main()
