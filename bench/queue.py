"""The queue in a big store: the first and a later page of `GET /api/v1/reports?order=due` (open reports, nearest
SLA due first, keyset pages) and the queue's three counts, as the service runs them, for the whole room (an
operator) and for one agency, with 1,000,000 stored reports on SQLite and PostgreSQL, beside the limit issue 28
sets (p95 <= 300 ms) and, in the same run, the newest-first page the list already served.

    .venv/bin/python -m bench.queue [--reports 1000000] [--runs 20] [--databases sqlite,postgresql]

The store is bench.search's (three years of reports, ~0.3 % still open, each with its due time). Times are server
time: no HTTP, no JSON.
"""

from __future__ import annotations

import time

from bench.common import save, summary_ms
from bench.search import LIMIT_MS, big_store_args, filled_stores
from data_feeds.access.viewer import Viewer
from data_feeds.reports import categories, search
from data_feeds.reports.personal import Sealer
from data_feeds.reports.service import ReportService
from data_feeds.store import Store
from geodata import gazetteer

READERS = {
    "operator (every agency)": Viewer("person", "bench-op", "bench", "operator"),
    "agency (DPUPR)": Viewer("person", "bench-opd", "bench", "opd", frozenset({"dpupr"})),
}


def timed(fn, runs: int) -> tuple[dict, object]:
    fn()  # warm
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return summary_ms(times), out


def time_cases(store: Store, runs: int) -> dict:
    routing, gz = categories.load(), gazetteer.load()
    service = ReportService(store, routing, gz, lambda: None, Sealer("bench"))
    due = search.ReportQuery(order="due")
    newest = search.ReportQuery()
    out = {}
    for name, reader in READERS.items():
        first, (rows, cursor) = timed(lambda r=reader: service.search(due, r, 50), runs)
        after = search.decode_cursor(cursor, by_due=True) if cursor else None
        later, _ = timed(lambda r=reader, a=after: service.search(due, r, 50, a), runs)
        counts, figures = timed(lambda r=reader: service.queue_counts(due, r), runs)
        baseline, _ = timed(lambda r=reader: service.search(newest, r, 50), runs)
        in_order = all(a["sla"]["next_due"] <= b["sla"]["next_due"] for a, b in zip(rows, rows[1:], strict=False))
        out[name] = {
            "order=due first page": {**first, "rows": len(rows), "nearest_due_first": in_order},
            "order=due second page (cursor)": later,
            "queue counts (overdue, 2 h, today)": {**counts, **{f"count_{k}": v for k, v in figures.items()}},
            "baseline: newest first page": baseline,
        }
        for case, figure in out[name].items():
            print(f"  {name:<24} {case:<36} p95 {figure['p95_ms']:>7} ms", flush=True)
    return out


def main() -> None:
    args = big_store_args()
    results = {}
    for db, store, filled in filled_stores(args.databases, args.reports, "queue"):
        cases = time_cases(store, args.runs)
        worst = max(c["p95_ms"] for reader in cases.values() for name, c in reader.items() if "baseline" not in name)
        results[db] = {
            **filled,
            "cases": cases,
            "worst_p95_ms": worst,
            "limit_p95_ms": LIMIT_MS,
            "within_limit": worst <= LIMIT_MS,
        }
    save("queue", {"command": "python -m bench.queue", "reports": args.reports, "page": 50, "by_database": results})


if __name__ == "__main__":
    main()
