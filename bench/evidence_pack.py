"""How long the assessors' evidence pack takes for a year of data at 100,000 reports, beside the same pack on a store
with no reports (the fixed part: fonts, charts, maps) in the same run.

    .venv/bin/python -m bench.evidence_pack [--reports 100000] [--repeat 3]

A SQLite store (the embedded default) with the seed indicator figures and --reports reports spread over the last 365
days (nearly all resolved, as bench.ingest's history); the pack for those 365 days, built as the API builds it
(evidence_pack.gather and render, as build does the first time: the snapshot computed from the store, the period's
complaint figures, every chart and map), timed --repeat times; the same on the empty store. Also the page count and
the file's size.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from datetime import timedelta

from bench.common import save, tmpdir
from bench.ingest import prefill
from data_feeds.clock import wib_today
from data_feeds.documents import evidence_pack
from data_feeds.runtime.embedded_redis import EmbeddedRedis
from data_feeds.services import Services
from data_feeds.settings import Settings


def measure(folder, redis_url: str, reports: int, repeat: int) -> dict:
    url = f"sqlite:///{folder / 'liveroom.db'}"
    settings = Settings.from_env(
        data_dir=folder, database_url=url, redis_url=redis_url, demo=False, key_prefix=f"b{reports}"
    )
    services = Services(settings)
    services.store.create_schema()
    services.indicators.seed()
    fill_s = prefill(url, reports, days=365) if reports else 0.0
    end = wib_today()
    start = end - timedelta(days=364)
    times, pdf = [], b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        pdf = evidence_pack.render(
            evidence_pack.gather(services, start, end, "id"), services
        )  # (build would reuse the first)
        times.append(time.perf_counter() - t0)
    path = folder / "pack.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)
    services.store.dispose()
    return {
        "reports": reports,
        "prefill_s": round(fill_s, 1),
        "seconds": [round(t, 2) for t in times],
        "median_s": round(sorted(times)[len(times) // 2], 2),
        "pages": pages,
        "bytes": len(pdf),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = tmpdir("evidence")
    server = EmbeddedRedis(folder / "redis")
    (folder / "redis").mkdir(exist_ok=True)
    server.start()
    try:
        (folder / "empty").mkdir(exist_ok=True)
        (folder / "full").mkdir(exist_ok=True)
        empty = measure(folder / "empty", server.url, 0, args.repeat)
        full = measure(folder / "full", server.url, args.reports, args.repeat)
    finally:
        server.stop()
    result = {
        "command": "python -m bench.evidence_pack",
        "period_days": 365,
        "empty_store": empty,
        "year_of_reports": full,
        "data_part_s": round(full["median_s"] - empty["median_s"], 2),
    }
    print(result)
    save("evidence_pack", result)


if __name__ == "__main__":
    main()
