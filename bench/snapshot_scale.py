"""How long the live snapshot takes to rebuild as the store grows (it runs once per change batch,
off the request path, but it shares the machine's two cores with the web workers).

    .venv/bin/python -m bench.snapshot_scale [--sizes 10000,100000,1000000] [--db PATH]

Each size gets a fresh SQLite store filled by bench.ingest.prefill (three years of history,
~0.3 % still open); --db reuses a store already filled (its size is counted).
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.common import save, summary_ms, tmpdir
from bench.ingest import prefill
from data_feeds.live.snapshot import agency_scopes, compute
from data_feeds.reports import categories
from data_feeds.reports.repository import ReportRepository
from data_feeds.store import Store
from geodata import gazetteer


def time_rebuilds(db: Path, runs: int = 7) -> dict:
    """Rebuilds as the worker does them (the city and every agency's own view), beside the city alone: the
    agency views' cost, measured in the same run, alternating so both see the same machine."""
    store = Store(f"sqlite:///{db}")
    store.create_schema()
    routing, gz = categories.load(), gazetteer.load()
    scopes = agency_scopes(store, routing)
    cache: dict = {}
    compute(
        store, routing, gz, datetime.now(timezone.utc), 5000, feature_cache=cache, scopes=scopes
    )  # warm: page cache
    times: dict[str, list[float]] = {"with_agency_views": [], "city_only": []}
    for _ in range(runs):
        for kind, with_scopes in (("with_agency_views", scopes), ("city_only", None)):
            t0 = time.perf_counter()
            summary, markers = compute(
                store, routing, gz, datetime.now(timezone.utc), 5000, feature_cache=cache, scopes=with_scopes
            )
            times[kind].append(time.perf_counter() - t0)
    out = {
        "reports": ReportRepository(store).count_reports(),
        "open": summary["kpi"]["baru"] + summary["kpi"]["diproses"],
        "markers": len(markers),
        "agency_views": len(scopes),
        "rebuild": summary_ms(times["with_agency_views"]),
        "rebuild_city_only": summary_ms(times["city_only"]),
    }
    store.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--db", action="append", default=[], help="an already filled store to time as well")
    args = parser.parse_args()
    results = []
    for size in [int(x) for x in args.sizes.split(",") if x]:
        db = tmpdir(f"snapshot-{size}") / "liveroom.db"
        fill_s = prefill(db, size)
        results.append({**time_rebuilds(db), "prefill_s": round(fill_s, 1)})
        print(results[-1], flush=True)
    for db in args.db:
        results.append(time_rebuilds(Path(db)))
        print(results[-1], flush=True)
    save(
        "snapshot_scale",
        {"command": "python -m bench.snapshot_scale", "store": "SQLite WAL (embedded default)", "by_size": results},
    )


if __name__ == "__main__":
    main()
