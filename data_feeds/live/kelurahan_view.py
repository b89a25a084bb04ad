"""One kelurahan's figures, as the wall draws an area (shapes.AreaView: KPI tiles, ticker, OPD table), and the
facts its scope line gives (open reports, overdue, per 10,000 residents). Read for a kelurahan when a reader
drills into it, in that reader's scope, and kept per live version by the caller (callbacks/area.py): the city's
snapshot carries the thirteen kecamatan, not the 104 kelurahan nobody may look at."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TypedDict

from sqlalchemy import func, select

from data_feeds.clock import wib_day_start
from data_feeds.reports import lifecycle
from data_feeds.reports.categories import RoutingTable
from data_feeds.store import Store, reports
from geodata.gazetteer import Gazetteer

from .snapshot import sla_by_area, ticker_row
from .snapshot_reads import SLA_WINDOW, TICKER_SIZE, TTFR_WINDOW
from .tally import tally
from .view import opd_rows, ticker_view

PER = 10_000  # open reports per this many residents


class KelurahanFacts(TypedDict):
    open: int
    overdue: int
    population: int | None  # None: no official figure for this kelurahan
    per_10k: float | None


def read(
    store: Store, routing: RoutingTable, gz: Gazetteer, code: str, opds: frozenset[str] | None, now: datetime
) -> dict:
    """-> {"area": the area as the browser draws it (view.build's areas[...]), "facts": KelurahanFacts}."""
    r = reports.c
    scope = [r.kode_kel == code] + ([r.opd.in_(sorted(opds))] if opds is not None else [])
    today = wib_day_start(now)
    cols = (r.id, r.source_ref, r.human_ref, r.source, r.category, r.title, r.kode_kec, r.kode_kel, r.status)
    with store.read() as conn:  # each read on the (kode_kel, reported_at) index: one kelurahan's few thousand rows
        open_rows = conn.execute(
            select(r.id, r.kode_kel, r.category, r.opd, r.status, r.reported_at).where(
                *scope, r.status.in_(lifecycle.OPEN)
            )
        ).all()
        days = conn.execute(
            select(r.opd, r.reported_at >= today, r.resolved_at >= today).where(
                *scope, (r.reported_at >= today) | (r.resolved_at >= today)
            )
        ).all()
        responded = conn.execute(
            select(
                r.kode_kel,
                r.opd,
                store.seconds_between(r.reported_at, r.first_response_at),
                r.first_response_at >= now - TTFR_WINDOW,
            ).where(*scope, r.first_response_at >= now - SLA_WINDOW)
        ).all()
        resolved = conn.execute(
            select(r.kode_kel, r.opd, store.seconds_between(r.reported_at, r.resolved_at)).where(
                *scope, r.resolved_at >= now - SLA_WINDOW
            )
        ).all()
        overdue = conn.execute(select(func.count()).select_from(reports).where(*scope, r.due_at < now)).scalar_one()
        newest = conn.execute(
            select(*cols, r.reported_at, r.opd).where(*scope).order_by(r.reported_at.desc()).limit(TICKER_SIZE)
        ).all()
    per_status = Counter((code, opd, status) for _id, _kel, _cat, opd, status, _at in open_rows)
    counted = tally(
        [code],
        [(*key, n) for key, n in per_status.items()],
        Counter((code, opd) for opd, filed, _done in days if filed).items(),
        Counter((code, opd) for opd, _filed, done in days if done).items(),
        responded,
        TTFR_WINDOW,
    )
    states, panel = sla_by_area(open_rows, responded, resolved, routing, gz, now, areas=[code])
    place = gz.kelurahan.get(code)
    population = place.population if place else None
    facts: KelurahanFacts = {
        "open": len(open_rows),
        "overdue": overdue,
        "population": population,
        "per_10k": round(len(open_rows) * PER / population, 1) if population else None,
    }
    area = {
        "kpi": counted.kpis(None)[code],
        "ticker": ticker_view([ticker_row(row, gz, states) for row in newest]),
        "opd": opd_rows(panel[code]),
    }
    return {"area": area, "facts": facts}
