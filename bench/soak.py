"""A long day holds: the product under steady traffic for hours, watched for anything that only grows.

    .venv/bin/python -m bench.soak [--minutes 125] [--dashboards 200] [--sample-minutes 5] [--wall [--kiosk]]
        [--out soak]

Starts `python app.py` with the demo feed on (DEMO_INTERVAL_S=4: a report every ~4 s, 75 times the default demo's
day, each moved through its lifecycle when its SLA-drawn time comes) in a scratch folder. On top: one report a
second posted through the API, each moved to
"diproses" after 2 minutes and "selesai" (with evidence) after 10, as staff would; 200 dashboards following
the live channel (protocol clients, as bench.live_channel), and with --wall one real Chromium wall. Time runs as on the
wall clock (nothing is sped up): two hours of this is ~7,200 API reports and ~1,800 demo reports.

Every --sample-minutes it records: resident memory of each server process (web server and its workers, live
channel, worker, Redis) and their sum; Redis's used memory; the length of the event stream and of the
marker-delta stream; the outbox's rows and backlog; the store's size on disk; the channel's clients; with
--wall, the Chromium wall's JS heap (after a forced GC) and DOM nodes, its scene and whether it reloaded itself
(--kiosk: the wall as the room runs it, every scene in turn). bench/results/<--out>.json is rewritten after every
sample, so a run cut short keeps what it saw.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import signal
import sys
import threading
import time
from multiprocessing import Process
from pathlib import Path

import redis
import requests
from playwright.sync_api import sync_playwright

from bench.common import save, tmpdir
from bench.live_channel import clients_process, stack_cpu_seconds
from data_feeds.live.bus import Keys
from data_feeds.store import Store
from geodata import gazetteer
from tests.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.stack import LiveStack

KIOSK = "/?scenes=peta,opd,vaksin,indikator&seconds=30"


def processes(root: int) -> dict[str, int]:
    """{name: rss kB} for every process of the stack, named by what it runs."""
    out: dict[str, int] = {}
    for pid in stack_cpu_seconds(root):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            rss = next(
                int(line.split()[1])
                for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("VmRSS:")
            )
        except (OSError, StopIteration):
            continue
        name = (
            "channel"
            if "runtime.channel" in cmd
            else "worker"
            if "runtime.worker" in cmd
            else "redis"
            if "valkey" in cmd
            else "web"
            if ("granian" in cmd or "gunicorn" in cmd)
            else "app.py"
            if "app.py" in cmd
            else cmd[:40]
        )
        out[name] = out.get(name, 0) + rss
    return out


def staff(stack: LiveStack, stop: threading.Event, counts: dict) -> None:
    """One report a second; each answered after 2 minutes and resolved after 10."""
    rng = random.Random(5)
    places = list(gazetteer.load().kelurahan.values())
    due: list[tuple[float, str, str]] = []
    http = requests.Session()
    http.headers.update(stack.headers)
    n = 0
    while not stop.wait(max(0.0, 1.0 - (time.monotonic() % 1.0))):
        p = rng.choice(places)
        try:
            body = {
                "source": "laksa",
                "category": rng.choice(["sampah", "jalan_rusak", "pju_mati", "banjir"]),
                "title": f"Soak {n}",
                "lat": p.lat,
                "lon": p.lon,
            }
            r = http.post(f"{stack.url}/api/v1/reports", json=body, timeout=10)
            if r.status_code == 201:
                counts["posted"] += 1
                now = time.monotonic()
                due += [(now + 120, r.json()["id"], "diproses"), (now + 600, r.json()["id"], "selesai")]
            else:
                counts["refused"] += 1
        except requests.RequestException:
            counts["errors"] += 1
        n += 1
        now = time.monotonic()
        for item in [d for d in due if d[0] <= now]:
            due.remove(item)
            body = {"status": item[2]} | (
                {"evidence": ["https://laksa.example/bukti/soak.jpg"]} if item[2] == "selesai" else {}
            )
            try:
                http.post(f"{stack.url}/api/v1/reports/{item[1]}/status", json=body, timeout=10)
                counts["moved"] += 1
            except requests.RequestException:
                counts["errors"] += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=125)
    parser.add_argument("--dashboards", type=int, default=200)
    parser.add_argument("--sample-minutes", type=float, default=5)
    parser.add_argument(
        "--wall",
        action="store_true",
        help="also keep a real Chromium wall open and record its JS heap "
        "(it costs this two-core box about half a core of rendering)",
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="the wall as the room runs it: every scene in turn, 30 s each "
        "(/?scenes=peta,opd,vaksin,indikator&seconds=30)",
    )
    parser.add_argument("--out", default="soak", help="results file name under bench/results/")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped early: still stop the stack (finally)
    folder = tmpdir("soak")
    stack = LiveStack(folder, demo=True, env={"DEMO_INTERVAL_S": "4"}).wait_ready()  # a busy day: a report every ~4 s
    r = redis.Redis.from_url(stack.redis_url())
    keys = Keys("liveroom")
    store = Store(stack.database_url)
    samples: list[dict] = []
    counts = {"posted": 0, "refused": 0, "errors": 0, "moved": 0}
    stop = threading.Event()
    end = time.time() + args.minutes * 60
    try:
        stop_file = folder / "clients-stop"
        clients = Process(
            target=_clients_forever,
            args=(stack, args.dashboards - (1 if args.wall else 0), end, str(stop_file)),
            daemon=True,
        )
        if args.dashboards - (1 if args.wall else 0) > 0:
            clients.start()
        writer = threading.Thread(target=staff, args=(stack, stop, counts), daemon=True)
        writer.start()
        with contextlib.ExitStack() as scope:
            cdp = wall = None
            if args.wall:
                pw = scope.enter_context(sync_playwright())
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS + ["--enable-precise-memory-info"]
                )
                scope.callback(browser.close)
                wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
                wall.goto(stack.enter("pimpinan", next_path=KIOSK if args.kiosk else "/"))
                wall.wait_for_selector("#kpi-baru")
                cdp = wall.context.new_cdp_session(wall)
                cdp.send("Performance.enable")
            started = time.time()
            while True:
                info = r.info("memory")
                rss = processes(stack.proc.pid)
                sample = {
                    "minute": round((time.time() - started) / 60, 1),
                    "rss_mb": {k: round(v / 1024, 1) for k, v in sorted(rss.items())},
                    "rss_total_mb": round(sum(rss.values()) / 1024, 1),
                    "redis_used_mb": round(info["used_memory"] / 2**20, 2),
                    "event_stream_len": r.xlen(keys.events),
                    "delta_stream_len": r.xlen(keys.deltas),
                    "outbox_rows": store.outbox_size(),
                    "outbox_backlog": store.outbox_backlog(),
                    "store_mb": round(sum(f.stat().st_size for f in folder.glob("liveroom.db*")) / 2**20, 1),
                    "channel_clients": requests.get(stack.channel_url + "/live/healthz", timeout=10).json()["clients"],
                    **counts,
                }
                if cdp is not None:
                    cdp.send("HeapProfiler.collectGarbage")
                    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                    sample.update(
                        wall_js_heap_mb=round(metrics.get("JSHeapUsedSize", 0) / 2**20, 1),
                        wall_dom_nodes=int(metrics.get("Nodes", 0)),
                        wall_link=wall.evaluate("window.liveroomLink.info().stats"),
                        wall_scene=wall.evaluate("document.documentElement.getAttribute('data-scene')"),
                        wall_reloaded=wall.evaluate("window.liveroomHealing ? window.liveroomHealing.last() : null"),
                    )
                samples.append(sample)
                save(
                    args.out,
                    {
                        "command": "python -m bench.soak " + " ".join(sys.argv[1:]),
                        "minutes": args.minutes,
                        "dashboards": args.dashboards,
                        "traffic": "demo feed on (~1 report / 4 s, lifecycle) + 1 API report/s, each answered after "
                        "2 min "
                        "and resolved after 10; real time",
                        "samples": samples,
                    },
                )
                if time.time() >= end:
                    break
                time.sleep(min(args.sample_minutes * 60, max(1.0, end - time.time())))
        stop_file.touch()
        if clients.is_alive():
            clients.join(timeout=120)
    finally:
        stop.set()
        store.dispose()
        stack.stop()


def _clients_forever(stack: LiveStack, n: int, end: float, stop_file: str) -> None:
    """n stream dashboards until `end`, with a fresh ticket every 10 minutes (the channel ends a stream whose ticket ran
    out).
    """
    while time.time() < end and not Path(stop_file).exists():
        http = requests.Session()
        http.get(stack.enter("pimpinan"), timeout=30)
        ticket = http.get(stack.url + "/_liveroom/ticket", timeout=10).json()["t"]
        phase_end = min(end, time.time() + 600)
        marker = f"{stop_file}-{int(phase_end)}"
        timer = threading.Timer(max(0.0, phase_end - time.time()), lambda m=marker: Path(m).touch())
        timer.start()
        clients_process((stack.channel_url, ticket, n, (end, marker), "stream"))
        timer.cancel()
        if Path(stop_file).exists():
            break


if __name__ == "__main__":
    main()
