"""Sustained single-report POST rate through the production server, beside the store's raw insert rate.

    .venv/bin/python -m bench.ingest [--seconds 20] [--connections 32]

Starts the product with `python app.py --no-demo` (gunicorn, gthread workers, SQLite WAL
with synchronous=FULL) in a temporary folder, drives POST /api/v1/reports with wrk, then
checks that the store holds exactly as many reports as got a 201. The raw insert rate is
`Store.insert_report` in one thread on a fresh file of the same kind, in the same run.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import time
from datetime import datetime, timezone

from ulid import ULID

from bench.common import need, save, summary_ms, tmpdir
from data_feeds.store import Store
from tests.stack import LiveStack

BODY = {"source": "laksa", "category": "sampah", "title": "Tumpukan sampah belum diangkut",
        "description": "Sudah tiga hari", "lat": -6.1805, "lon": 106.6297}

LUA = """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "%s"
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %%d, \\"non2xx\\": %%d, \\"errors\\": %%d, \\"p50_us\\": %%d, \\"p95_us\\": %%d, \\"p99_us\\": %%d, \\"duration_us\\": %%d}\\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.duration))
end
"""


def raw_insert_rate(n: int) -> dict:
    folder = tmpdir("raw")
    store = Store(f"sqlite:///{folder / 'raw.db'}")
    store.create_schema()
    now = datetime.now(timezone.utc)
    times = []
    for _ in range(n):
        row = dict(id=str(ULID()), source="laksa", source_ref=None, category="sampah", title=BODY["title"],
                   description=BODY["description"], lat=BODY["lat"], lon=BODY["lon"], kode_kec="36.71.07",
                   kode_kel="36.71.07.1014", address=None, reported_at=now, received_at=now, reporter_name=None,
                   reporter_phone=None, media=[], status="baru", opd="dlh", first_response_at=None, resolved_at=None, updated_at=now)
        event = dict(kind="created", from_status=None, to_status="baru", opd="dlh", actor="laksa", note=None, evidence=[],
                     at=now, recorded_at=now)
        t0 = time.perf_counter()
        store.insert_report(row, event)
        times.append(time.perf_counter() - t0)
    store.dispose()
    return {"inserts": n, "per_s": round(n / sum(times), 1), "latency": summary_ms(times),
            "what": "Store.insert_report (report + created event + outbox row, one transaction, synchronous=FULL), one thread"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    wrk = need("wrk")
    raw = raw_insert_rate(3000)
    folder = tmpdir("ingest")
    stack = LiveStack(folder, demo=False).wait_ready()
    try:
        script = folder / "post.lua"
        script.write_text(LUA % (json.dumps(BODY), stack.key))
        url = f"{stack.url}/api/v1/reports"
        subprocess.run([wrk, "-t1", "-c4", "-d3s", "-s", str(script), url], capture_output=True)  # warm up
        before = Store(f"sqlite:///{folder / 'liveroom.db'}").count_reports()
        out = subprocess.run([wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s",
                              "-s", str(script), url], capture_output=True, text=True).stdout
        stats = json.loads(re.search(r"^JSON (.*)$", out, re.M).group(1))
        time.sleep(1)
        stored = Store(f"sqlite:///{folder / 'liveroom.db'}").count_reports() - before
        health = stack_health(stack)
    finally:
        stack.stop()
    ok = stats["requests"] - stats["non2xx"]
    save("ingest", {
        "command": "python -m bench.ingest", "server": "gunicorn gthread, 2 workers x 16 threads (python app.py defaults)",
        "load": f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, one JSON report per request",
        "post_per_s": round(stats["requests"] / (stats["duration_us"] / 1e6), 1),
        "post_latency_ms": {"p50": stats["p50_us"] / 1000, "p95": stats["p95_us"] / 1000, "p99": stats["p99_us"] / 1000},
        "non_2xx": stats["non2xx"], "socket_errors": stats["errors"],
        "answered_201": ok, "stored_during_run": stored, "lost": max(ok - stored, 0),
        "outbox_pending_after_1s": health["store"]["outbox_pending"],
        "raw_store_insert": raw,
    })


def stack_health(stack) -> dict:
    import requests
    return requests.get(f"{stack.url}/healthz", timeout=10).json()


if __name__ == "__main__":
    main()
