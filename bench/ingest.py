"""Sustained ingest through the production server: single POSTs and bulk import, on SQLite and PostgreSQL,
beside each store's raw insert rates in the same run.

    .venv/bin/python -m bench.ingest [--seconds 20] [--connections 32] [--sizes 10000,1000000] [--bulk-rows 50000]
                                     [--databases sqlite,postgresql]

For each store, size and run: starts the product with `python app.py --no-demo` (granian, SQLite WAL with
synchronous=FULL, or a throwaway PostgreSQL cluster) over a fresh store prefilled with that many reports, imports
a CSV of --bulk-rows reports with `python -m data_feeds import reports` while the product runs (a first load of
history when the file outgrows the store: the read indexes are built at its end), then a top-up of a tenth as
many (indexes kept row by row), each its own figure (the import, without the interpreter's start); then drives
POST /api/v1/reports with wrk and checks that the store holds exactly as many reports as got a 201. The raw rates, on
a fresh store of the same kind:
`Store.insert_report` one report at a time in one thread (what a POST ends in), and `Store.insert_batch` of
1,000 prepared reports with their history (what an import batch ends in, without reading, checking or
placing anything).
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
from data_feeds.reports.repository import ReportRepository
from data_feeds.store import Store
from tests.stack import LiveStack

BODY = {
    "source": "laksa",
    "category": "sampah",
    "title": "Tumpukan sampah belum diangkut",
    "description": "Sudah tiga hari",
    "lat": -6.1805,
    "lon": 106.6297,
}


def _raw_row(now, n: int, kel=("36.71.07", "36.71.07.1014")) -> dict:
    return dict(
        id=str(ULID()),
        source="laksa",
        source_ref=f"RAW-{n}",
        category="sampah",
        title=BODY["title"],
        description=BODY["description"],
        lat=BODY["lat"],
        lon=BODY["lon"],
        kode_kec=kel[0],
        kode_kel=kel[1],
        address=None,
        reported_at=now,
        received_at=now,
        reporter_name=None,
        reporter_phone=None,
        media=[],
        status="baru",
        opd="dlh",
        first_response_at=None,
        resolved_at=None,
        updated_at=now,
    )


def raw_insert_rate(url: str, n: int) -> dict:
    store = Store(url)
    store.create_schema()
    repository = ReportRepository(store)
    now = datetime.now(timezone.utc)
    times = []
    for i in range(n):
        event = dict(
            kind="created",
            from_status=None,
            to_status="baru",
            opd="dlh",
            actor="laksa",
            note=None,
            evidence=[],
            at=now,
            recorded_at=now,
        )
        row = _raw_row(now, i)
        t0 = time.perf_counter()
        repository.insert_report(row, event)
        times.append(time.perf_counter() - t0)
    store.dispose()
    return {
        "inserts": n,
        "per_s": round(n / sum(times), 1),
        "latency": summary_ms(times),
        "what": "Store.insert_report (report + created event + outbox row, one transaction, durable), one thread",
    }


def raw_batch_rate(url: str, rows: int) -> dict:
    """Store.insert_batch of prepared reports (half resolved, three events each), 1,000 a batch."""
    from datetime import timedelta

    store = Store(url)
    store.create_schema()
    now = datetime.now(timezone.utc)
    items = []
    for i in range(rows):
        row = _raw_row(now, 10_000_000 + i)
        ev = dict(opd="dlh", actor="laksa", note=None, evidence=[], recorded_at=now)
        events = [{**ev, "kind": "created", "from_status": None, "to_status": "baru", "at": now}]
        if i % 2 == 0:
            row.update(
                status="selesai", first_response_at=now + timedelta(hours=1), resolved_at=now + timedelta(hours=7)
            )
            events += [
                {
                    **ev,
                    "kind": "status",
                    "from_status": "baru",
                    "to_status": "diproses",
                    "at": now + timedelta(hours=1),
                },
                {
                    **ev,
                    "kind": "status",
                    "from_status": "diproses",
                    "to_status": "selesai",
                    "at": now + timedelta(hours=7),
                    "evidence": ["https://x.example/bukti.jpg"],
                },
            ]
        items.append((row, events))
    t0 = time.perf_counter()
    for k in range(0, rows, 1000):
        ReportRepository(store).insert_batch(items[k : k + 1000], now)
    elapsed = time.perf_counter() - t0
    store.dispose()
    return {
        "rows": rows,
        "per_s": round(rows / elapsed, 1),
        "what": "Store.insert_batch of prepared rows, 1,000 a batch",
    }


def prefill(url, n: int, seed: int = 5, days: float = 3 * 365) -> float:
    """n reports of history (`days` of it, three years by default; nearly all resolved, ~0.3% still open), written
    in bulk batches without validation: the set-up, not what is measured. -> seconds taken."""
    import random
    from datetime import timedelta

    from geodata import gazetteer

    rng = random.Random(seed)
    places = list(gazetteer.load().kelurahan.values())
    cats = [
        ("sampah", "dlh"),
        ("jalan_rusak", "dpupr"),
        ("banjir", "bpbd"),
        ("pju_mati", "dishub"),
        ("ketertiban", "satpolpp"),
    ]
    store = Store(url if "://" in str(url) else f"sqlite:///{url}")
    store.create_schema()
    now = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    done = 0
    while done < n:
        items = []
        for _ in range(min(10_000, n - done)):
            p, (cat, opd) = rng.choice(places), rng.choice(cats)
            reported = now - timedelta(hours=rng.uniform(1, days * 24))
            is_open = rng.random() < 0.003
            responded, resolved = (
                reported + timedelta(hours=rng.uniform(0.5, 30)),
                reported + timedelta(hours=rng.uniform(30, 200)),
            )
            if resolved > now:
                is_open = True
            row = dict(
                id=str(ULID()),
                source="laksa",
                source_ref=None,
                category=cat,
                title="Laporan riwayat",
                description="",
                lat=p.lat,
                lon=p.lon,
                kode_kec=p.kecamatan_code,
                kode_kel=p.code,
                address=None,
                reported_at=reported,
                received_at=reported,
                reporter_name=None,
                reporter_phone=None,
                media=[] if is_open else ["https://x.example/b.jpg"],
                status="baru" if is_open else "selesai",
                opd=opd,
                first_response_at=None if is_open else responded,
                resolved_at=None if is_open else resolved,
                duplicate_of=None,
                updated_at=resolved if not is_open else reported,
            )
            ev = dict(opd=opd, actor="laksa", note=None, evidence=[], recorded_at=reported)
            events = [{**ev, "kind": "created", "from_status": None, "to_status": "baru", "at": reported}]
            if not is_open:
                events += [
                    {**ev, "kind": "status", "from_status": "baru", "to_status": "diproses", "at": responded},
                    {**ev, "kind": "status", "from_status": "diproses", "to_status": "selesai", "at": resolved},
                ]
            items.append((row, events))
        ReportRepository(store).insert_batch(items, now)
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
        w.writerow(
            [
                "id",
                "source",
                "category",
                "title",
                "lat",
                "lon",
                "reported_at",
                "status",
                "responded_at",
                "resolved_at",
                "evidence",
            ]
        )
        for i in range(n):
            p = rng.choice(places)
            day = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
            done = i % 2 == 0
            w.writerow(
                [
                    f"IMP-{seed}-{i}",
                    "laksa",
                    "sampah",
                    f"Sampah menumpuk {i}",
                    round(p.lat, 6),
                    round(p.lon, 6),
                    f"{day}T08:00:00+07:00",
                    "selesai" if done else "baru",
                    f"{day}T09:00:00+07:00" if done else "",
                    f"{day}T15:00:00+07:00" if done else "",
                    "https://x.example/bukti.jpg" if done else "",
                ]
            )


def post_rate(wrk: str, stack, seconds: int, connections: int, threads: int) -> dict:
    """wrk against POST /api/v1/reports; checks that every 201 is stored."""
    folder = stack.data_dir
    script = folder / "post.lua"
    script.write_text(WRK_POST_LUA % (json.dumps(BODY), stack.key))
    url = f"{stack.url}/api/v1/reports"
    subprocess.run([wrk, "-t1", "-c4", "-d3s", "-s", str(script), url], capture_output=True)  # warm up
    before = ReportRepository(Store(stack.database_url)).count_reports()
    cpu_before, wrk_before = cpu_by_part(stack), _children_cpu_s()
    out = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
    ).stdout
    cpu_after, wrk_after = cpu_by_part(stack), _children_cpu_s()
    stats = json.loads(re.search(r"^JSON (.*)$", out, re.M).group(1))
    per_post = {
        part: round((cpu_after[part] - cpu_before.get(part, 0.0)) / max(stats["requests"], 1) * 1000, 3)
        for part in cpu_after
    }
    per_post["wrk"] = round((wrk_after - wrk_before) / max(stats["requests"], 1) * 1000, 3)
    time.sleep(1)
    stored = ReportRepository(Store(stack.database_url)).count_reports() - before
    ok = stats["requests"] - stats["non2xx"]
    return {
        "load": f"wrk -t{threads} -c{connections} -d{seconds}s, one JSON report per request",
        "post_per_s": round(stats["requests"] / (stats["duration_us"] / 1e6), 1),
        "post_latency_ms": {
            "p50": stats["p50_us"] / 1000,
            "p95": stats["p95_us"] / 1000,
            "p99": stats["p99_us"] / 1000,
        },
        "non_2xx": stats["non2xx"],
        "socket_errors": stats["errors"],
        "answered_201": ok,
        "stored_during_run": stored,
        "lost": max(ok - stored, 0),
        "outbox_pending_after_1s": stack_health(stack)["store"]["outbox_pending"],
        "cpu_ms_per_post": per_post,
        "cpu_ms_per_post_total": round(sum(per_post.values()), 3),
    }


def cpu_by_part(stack) -> dict[str, float]:
    """CPU seconds so far of each part of the running product (web server, live worker, channel, Redis)."""
    from bench.live_channel import stack_cpu_seconds

    out: dict[str, float] = {}
    for pid, seconds in stack_cpu_seconds(stack.proc.pid).items():
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        except OSError:
            continue
        part = (
            "channel"
            if "runtime.channel" in cmd
            else "worker"
            if "runtime.worker" in cmd
            else "redis"
            if "valkey" in cmd
            else "web"
            if ("granian" in cmd or "gunicorn" in cmd)
            else "app.py"
        )
        out[part] = out.get(part, 0.0) + seconds
    return out


def _children_cpu_s() -> float:
    """CPU seconds of this process's finished children (wrk, once it has exited)."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def bulk_rate(stack, rows: int, seed: int = 9) -> dict:
    """`python -m data_feeds import reports FILE` into the running product's store, timed end to end."""
    import os
    import sys

    from data_feeds.settings import PROJECT_DIR

    path = stack.data_dir / "history.csv"
    history_file(path, rows, seed=seed)
    env = {**os.environ, "DATA_DIR": str(stack.data_dir), "DATABASE_URL": stack.database_url}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "data_feeds", "import", "reports", str(path)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"import failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    line = done.stdout.strip().splitlines()[-1]
    own = re.search(r"; ([\d.]+) s \(([\d,]+) rows/s\)$", line)
    return {
        "rows": rows,
        "seconds_with_start": round(elapsed, 1),
        "rows_per_s_with_start": round(rows / elapsed, 1),
        "import_seconds": float(own.group(1)),
        "rows_per_s": float(own.group(2).replace(",", "")),
        "what": "python -m data_feeds import reports (CSV, half with resolved history), batches of 1,000, while the "
        "product runs; rows_per_s: the import itself (its own clock), without the interpreter's start",
        "output": line,
    }


def fresh_store(pg) -> str:
    """An empty store of the kind measured: a new database in the throwaway cluster, or a new SQLite file."""
    return pg.new_database() if pg else f"sqlite:///{tmpdir('raw') / 'raw.db'}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sizes", default="10000,1000000", help="stored reports before each measurement")
    parser.add_argument("--bulk-rows", type=int, default=50_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="measurements per size (this machine is noisy): all are kept"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--web-threads", type=int, default=16, help="the web server's threads per worker (WEB_THREADS)")
    parser.add_argument("--out", default="ingest", help="results file name under bench/results/")
    args = parser.parse_args()
    wrk = need("wrk")
    results = []
    for database in args.databases.split(","):
        pg = None
        if database == "postgresql":
            from tests.pg import ThrowawayPostgres

            pg = ThrowawayPostgres().start()
        try:
            raw = {
                "insert_report": raw_insert_rate(fresh_store(pg), 3000),
                "insert_batch": raw_batch_rate(fresh_store(pg), args.bulk_rows),
            }
            print(database, json.dumps(raw), flush=True)
            for size in [int(x) for x in args.sizes.split(",")]:
                runs = []
                for run in range(args.repeat):  # each run on its own store of `size` reports
                    folder = tmpdir(f"ingest-{database}-{size}-{run}")
                    url = pg.new_database() if pg else f"sqlite:///{folder / 'liveroom.db'}"
                    fill_s = prefill(url, size)
                    env = {"WEB_THREADS": str(args.web_threads), **({"DATABASE_URL": url} if pg else {})}
                    stack = LiveStack(folder, demo=False, env=env).wait_ready(timeout=300)
                    try:
                        # a city's history first (a load larger than the store: read indexes built at its end), then
                        # a top-up (smaller than the store: indexes kept row by row), then the live intake
                        bulk = bulk_rate(stack, args.bulk_rows, seed=run)
                        top_up = bulk_rate(stack, max(1000, args.bulk_rows // 10), seed=100 + run)
                        single = post_rate(wrk, stack, args.seconds, args.connections, args.threads)
                    finally:
                        stack.stop()
                    runs.append({"single_post": single, "bulk_import": bulk, "bulk_top_up": top_up})
                    print(json.dumps(runs[-1], indent=2), flush=True)
                    shutil.rmtree(folder, ignore_errors=True)
                med = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
                results.append(
                    {
                        "database": database,
                        "stored_reports_before": size,
                        "prefill_s": round(fill_s, 1),  # (the last run's)
                        "median": {
                            "post_per_s": med([r["single_post"]["post_per_s"] for r in runs]),
                            "post_p50_ms": med([r["single_post"]["post_latency_ms"]["p50"] for r in runs]),
                            "post_p95_ms": med([r["single_post"]["post_latency_ms"]["p95"] for r in runs]),
                            "bulk_rows_per_s": med([r["bulk_import"]["rows_per_s"] for r in runs]),
                            "bulk_top_up_rows_per_s": med([r["bulk_top_up"]["rows_per_s"] for r in runs]),
                            "lost": sum(r["single_post"]["lost"] for r in runs),
                        },
                        "raw": {
                            "insert_report_per_s": raw["insert_report"]["per_s"],
                            "insert_batch_rows_per_s": raw["insert_batch"]["per_s"],
                        },
                        "runs": runs,
                    }
                )
        finally:
            if pg:
                pg.stop()
    save(
        args.out,
        {
            "command": "python -m bench.ingest " + " ".join(sys.argv[1:]),
            "server": f"granian: 2 workers x {args.web_threads} blocking threads (python app.py defaults: 2 x 16)",
            "stores": "SQLite WAL synchronous=FULL (the embedded default); PostgreSQL 15, a throwaway cluster "
            "(tests/pg.py)",
            "limits": {"post_per_s": 1000, "bulk_rows_per_s": 20000},
            "by_store_and_size": results,
        },
    )


def stack_health(stack) -> dict:
    import requests

    return requests.get(f"{stack.url}/healthz", timeout=10).json()


if __name__ == "__main__":
    main()
