"""Indicator figures at scale: how fast a spreadsheet imports, how long the per-change summary takes as
the table grows, and what the indicators page costs a browser.

    .venv/bin/python -m bench.indicators [--rows 10000] [--sizes 10000,100000]

- import: a CSV and an XLSX of --rows weekly per-area vaccination figures (rising, as a
  cumulative series must), through `import_file` (all checks, one transaction); rows per second.
- summary: summarise() over a table of each size (cold: what a figure change costs the worker once),
  and summarise_on_change() when nothing changed (what every other snapshot rebuild pays: one max(id)).
- page: the pillar cards as JSON (what the poll sends when a figure changes while /indikator is open).
"""

from __future__ import annotations

import argparse
import io
import json
import time
from datetime import date, timedelta

import plotly
from openpyxl import Workbook

from bench.common import save, summary_ms, tmpdir
from callbacks.live import area_names
from data_feeds.indicators import demo as demo_indicators
from data_feeds.indicators import summary as indicators
from data_feeds.indicators.config import load as load_indicators
from data_feeds.indicators.importer import import_file
from data_feeds.indicators.series import IndicatorService
from data_feeds.reports import categories
from data_feeds.store import Store
from geodata import gazetteer
from layouts import indicators_page

HEADER = ["indicator", "place", "as_of", "value", "source"]


def figures(n: int, start: date = date(2015, 1, 4)) -> list[list]:
    """n rising weekly figures over every kecamatan and kelurahan x 3 doses (351 series): 100,000 of
    them reach back about five years, as a city's weekly vaccination feed would."""
    gz = gazetteer.load()
    places = [*gz.kecamatan, *gz.kelurahan]
    rows = []
    week = 0
    while len(rows) < n:
        for k, place in enumerate(places):
            for dose in (1, 2, 3):
                if len(rows) < n:
                    rows.append(
                        [
                            f"vaccination_dose_{dose}",
                            place,
                            (start + timedelta(weeks=week)).isoformat(),
                            1000 * (week + 1) + k,
                            "bench",
                        ]
                    )
        week += 1
    return rows


def service_at(prefix: str) -> IndicatorService:
    store = Store(f"sqlite:///{tmpdir(prefix) / 'liveroom.db'}")
    store.create_schema()
    service = IndicatorService(store, gazetteer.load())
    service.seed()
    return service


def time_import(n: int, kind: str) -> dict:
    rows = figures(n)
    if kind == "csv":
        body = "\n".join(",".join(map(str, r)) for r in [HEADER, *rows]).encode()
    else:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(HEADER)
        for r in rows:
            ws.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        body = buf.getvalue()
    service = service_at(f"ind-import-{kind}")
    t0 = time.perf_counter()
    stored, errors = import_file(service, io.BytesIO(body), f"figures.{kind}", actor="bench")
    took = time.perf_counter() - t0
    assert not errors and stored == n, errors[:3]
    return {"rows": n, "bytes": len(body), "seconds": round(took, 2), "rows_per_s": round(n / took)}


def time_summary(n: int, runs: int = 5) -> dict:
    service = service_at(f"ind-summary-{n}")
    chunk = 20_000
    rows = figures(n)
    for i in range(0, n, chunk):  # in chunks: one record() call checks its rows in one transaction
        service.record([dict(zip(HEADER, r, strict=True)) for r in rows[i : i + chunk]], actor="bench")
    config, gz, today = load_indicators(), service.gz, date.today()
    cold = []
    for _ in range(runs):
        t0 = time.perf_counter()
        places, subjects = indicators.summarise(service.store, config, gz, today)
        cold.append(time.perf_counter() - t0)
    indicators.summarise_on_change(service.store, config, gz, today)
    warm = []
    for _ in range(runs * 4):
        t0 = time.perf_counter()
        indicators.summarise_on_change(service.store, config, gz, today)
        warm.append(time.perf_counter() - t0)
    return {
        "figures": n,
        "summary_cold": summary_ms(cold),
        "summary_unchanged": summary_ms(warm),
        "snapshot_bytes": len(json.dumps([places, subjects])),
    }


def page_bytes() -> dict:
    service = service_at("ind-page")
    demo_indicators.synthesise(service)
    places, subjects = indicators.summarise(service.store, load_indicators(), service.gz, date.today())
    opd_short = {c: o.short for c, o in categories.load().opds.items()}
    t0 = time.perf_counter()
    bodies = indicators_page.pillar_bodies(
        load_indicators(), places, subjects, opd_short, area_names(service.gz, "id"), "id"
    )
    render = time.perf_counter() - t0
    payload = json.dumps(bodies, cls=plotly.utils.PlotlyJSONEncoder)
    return {"cards": sum(len(b) for b in bodies), "bytes": len(payload), "render_ms": round(render * 1000, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    save(
        "indicators",
        {
            "import": {kind: time_import(args.rows, kind) for kind in ("csv", "xlsx")},
            "summary": [time_summary(int(n)) for n in args.sizes.split(",")],
            "page": page_bytes(),
        },
    )


if __name__ == "__main__":
    main()
