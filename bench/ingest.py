"""Sustained ingest through the production server: single POSTs and bulk import, at 10,000 and at
1,000,000 stored reports, beside the store's raw insert rate.

    .venv/bin/python -m bench.ingest [--seconds 20] [--connections 32] [--sizes 10000,1000000] [--bulk-rows 20000]

Starts the product with `python app.py --no-demo` (gunicorn, gthread workers, SQLite WAL
with synchronous=FULL) in a temporary folder, drives POST /api/v1/reports with wrk, then
checks that the store holds exactly as many reports as got a 201. The raw insert rate is
`Store.insert_report` in one thread on a fresh file of the same kind, in the same run.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone

from ulid import ULID

from bench.common import WRK_POST_LUA, need, save, summary_ms, tmpdir
from data_feeds.store import Store
from tests.stack import LiveStack

BODY = {"source": "laksa", "category": "sampah", "title": "Tumpukan sampah belum diangkut",
        "description": "Sudah tiga hari", "lat": -6.1805, "lon": 106.6297}



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


def prefill(db_path, n: int, seed: int = 5) -> float:
    """n reports of history (three years, nearly all resolved, ~0.3% still open), written in bulk
    batches without validation: the set-up, not what is measured. -> seconds taken."""
    import random
    from datetime import timedelta

    from geodata import gazetteer
    rng = random.Random(seed)
    places = list(gazetteer.load().kelurahan.values())
    cats = [("sampah", "dlh"), ("jalan_rusak", "dpupr"), ("banjir", "bpbd"), ("pju_mati", "dishub"), ("ketertiban", "satpolpp")]
    store = Store(f"sqlite:///{db_path}")
    store.create_schema()
    now = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    done = 0
    while done < n:
        items = []
        for _ in range(min(10_000, n - done)):
            p, (cat, opd) = rng.choice(places), rng.choice(cats)
            reported = now - timedelta(hours=rng.uniform(1, 3 * 365 * 24))
            is_open = rng.random() < 0.003
            responded, resolved = reported + timedelta(hours=rng.uniform(0.5, 30)), reported + timedelta(hours=rng.uniform(30, 200))
            if resolved > now:
                is_open = True
            row = dict(id=str(ULID()), source="laksa", source_ref=None, category=cat, title="Laporan riwayat", description="",
                       lat=p.lat, lon=p.lon, kode_kec=p.kecamatan_code, kode_kel=p.code, address=None, reported_at=reported,
                       received_at=reported, reporter_name=None, reporter_phone=None, media=[] if is_open else ["https://x.example/b.jpg"],
                       status="baru" if is_open else "selesai", opd=opd, first_response_at=None if is_open else responded,
                       resolved_at=None if is_open else resolved, duplicate_of=None, updated_at=resolved if not is_open else reported)
            ev = dict(opd=opd, actor="laksa", note=None, evidence=[], recorded_at=reported)
            events = [{**ev, "kind": "created", "from_status": None, "to_status": "baru", "at": reported}]
            if not is_open:
                events += [{**ev, "kind": "status", "from_status": "baru", "to_status": "diproses", "at": responded},
                           {**ev, "kind": "status", "from_status": "diproses", "to_status": "selesai", "at": resolved}]
            items.append((row, events))
        store.insert_batch(items, now)
        done += len(items)
    store.dispose()
    return time.perf_counter() - t0


def history_file(path, n: int, seed: int = 9) -> None:
    """A CSV of n reports as a city would export them: half resolved with evidence, the rest open."""
    import csv
    import random

    from geodata import gazetteer
    rng = random.Random(seed)
    places = list(gazetteer.load().kelurahan.values())
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "source", "category", "title", "lat", "lon", "reported_at", "status", "responded_at", "resolved_at", "evidence"])
        for i in range(n):
            p = rng.choice(places)
            day = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
            done = i % 2 == 0
            w.writerow([f"IMP-{seed}-{i}", "laksa", "sampah", f"Sampah menumpuk {i}", round(p.lat, 6), round(p.lon, 6),
                        f"{day}T08:00:00+07:00", "selesai" if done else "baru", f"{day}T09:00:00+07:00" if done else "",
                        f"{day}T15:00:00+07:00" if done else "", "https://x.example/bukti.jpg" if done else ""])


def post_rate(wrk: str, stack, seconds: int, connections: int, threads: int) -> dict:
    """wrk against POST /api/v1/reports; checks that every 201 is stored."""
    folder = stack.data_dir
    script = folder / "post.lua"
    script.write_text(WRK_POST_LUA % (json.dumps(BODY), stack.key))
    url = f"{stack.url}/api/v1/reports"
    subprocess.run([wrk, "-t1", "-c4", "-d3s", "-s", str(script), url], capture_output=True)  # warm up
    before = Store(f"sqlite:///{folder / 'liveroom.db'}").count_reports()
    out = subprocess.run([wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(script), url], capture_output=True, text=True).stdout
    stats = json.loads(re.search(r"^JSON (.*)$", out, re.M).group(1))
    time.sleep(1)
    stored = Store(f"sqlite:///{folder / 'liveroom.db'}").count_reports() - before
    ok = stats["requests"] - stats["non2xx"]
    return {
        "load": f"wrk -t{threads} -c{connections} -d{seconds}s, one JSON report per request",
        "post_per_s": round(stats["requests"] / (stats["duration_us"] / 1e6), 1),
        "post_latency_ms": {"p50": stats["p50_us"] / 1000, "p95": stats["p95_us"] / 1000, "p99": stats["p99_us"] / 1000},
        "non_2xx": stats["non2xx"], "socket_errors": stats["errors"],
        "answered_201": ok, "stored_during_run": stored, "lost": max(ok - stored, 0),
        "outbox_pending_after_1s": stack_health(stack)["store"]["outbox_pending"],
    }


def bulk_rate(stack, rows: int, seed: int = 9) -> dict:
    """`python -m data_feeds import reports FILE` into the running product's store, timed end to end."""
    import os
    import sys

    from data_feeds.runtime.settings import PROJECT_DIR
    path = stack.data_dir / "history.csv"
    history_file(path, rows, seed=seed)
    env = {**os.environ, "DATA_DIR": str(stack.data_dir)}
    env.pop("DATABASE_URL", None)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "data_feeds", "import", "reports", str(path)], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"import failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return {"rows": rows, "seconds": round(elapsed, 1), "rows_per_s": round(rows / elapsed, 1),
            "what": "python -m data_feeds import reports (CSV, half with resolved history), batches of 1,000, "
                    "process start included, while the product runs", "output": done.stdout.strip().splitlines()[-1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sizes", default="10000,1000000", help="stored reports before each measurement")
    parser.add_argument("--bulk-rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="measurements per size (this machine is noisy): all are kept")
    parser.add_argument("--servers", default="granian", help="web servers to measure in turn (WEB_SERVER), e.g. granian,gunicorn")
    parser.add_argument("--out", default="ingest", help="results file name under bench/results/")
    args = parser.parse_args()
    wrk = need("wrk")
    raw = raw_insert_rate(3000)
    by_size = []
    for size, server in [(int(x), s) for x in args.sizes.split(",") for s in args.servers.split(",")]:
        folder = tmpdir(f"ingest-{size}")
        fill_s = prefill(folder / "liveroom.db", size)
        runs = []
        for run in range(args.repeat):  # each run adds its reports to the store: ~10-30k, small beside 1M
            stack = LiveStack(folder, demo=False, env={"WEB_SERVER": server}).wait_ready(timeout=300)
            try:
                single = post_rate(wrk, stack, args.seconds, args.connections, args.threads)
                bulk = bulk_rate(stack, args.bulk_rows, seed=run)
            finally:
                stack.stop()
            runs.append({"single_post": single, "bulk_import": bulk})
            print(json.dumps(runs[-1], indent=2), flush=True)
        med = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
        by_size.append({
            "stored_reports_before": size, "server": server, "prefill_s": round(fill_s, 1),
            "median": {"post_per_s": med([r["single_post"]["post_per_s"] for r in runs]),
                       "post_p50_ms": med([r["single_post"]["post_latency_ms"]["p50"] for r in runs]),
                       "post_p95_ms": med([r["single_post"]["post_latency_ms"]["p95"] for r in runs]),
                       "bulk_rows_per_s": med([r["bulk_import"]["rows_per_s"] for r in runs]),
                       "lost": sum(r["single_post"]["lost"] for r in runs)},
            "runs": runs})
        shutil.rmtree(folder, ignore_errors=True)
    save(args.out, {
        "command": "python -m bench.ingest " + " ".join(sys.argv[1:]),
        "servers": "granian: 2 workers x 16 blocking threads; gunicorn: gthread 2 workers x 16 threads (python app.py defaults)",
        "store": "SQLite WAL, synchronous=FULL (the embedded default)",
        "by_stored_reports": by_size, "raw_store_insert": raw,
    })


def stack_health(stack) -> dict:
    import requests
    return requests.get(f"{stack.url}/healthz", timeout=10).json()


if __name__ == "__main__":
    main()
