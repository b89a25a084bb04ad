"""A day from the event log, for the wall's replay (`/?replay=2026-11-29&speed=600`, assets/replay.js): what was
open at midnight WIB and every status change through the day, with each report's place and words (what the wall
shows anyway; no reporter data). Read from the store, never from the live snapshot, so any past day can be played."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from data_feeds.clock import WIB, iso_utc
from data_feeds.reports.lifecycle import OPEN
from data_feeds.store import Store, report_events, reports
from geodata.gazetteer import Gazetteer

from .shapes import ReplayDay, ReplayReport

MAX_EVENTS = 50_000  # a day of a city many times Tangerang's size; past it the replay says it stops short


def day_log(
    store: Store, gazetteer: Gazetteer, day: date, source: str | None = None, opds: frozenset[str] | None = None
) -> ReplayDay:
    """The day's replay, narrowed as Viewer.report_filter says: `source` one feed's reports, `opds` an agency's
    (None: not narrowed)."""
    start = datetime.combine(day, time(0), WIB)
    end = start + timedelta(days=1)
    e, r = report_events.c, reports.c
    with store.read() as conn:
        changes = conn.execute(
            select(e.report_id, e.to_status, e.at)
            .where(e.at >= start, e.at < end)
            .order_by(e.at, e.id)
            .limit(MAX_EVENTS + 1)
        ).all()
        last_before = select(func.max(e.id)).where(e.at < start).group_by(e.report_id)
        opened = conn.execute(
            select(e.report_id, e.to_status).where(e.id.in_(last_before), e.to_status.in_(OPEN))
        ).all()
        wanted = {row.report_id for row in changes} | {row.report_id for row in opened}
        rows = []
        ids = sorted(wanted)
        for k in range(0, len(ids), 500):
            query = select(
                r.id, r.title, r.category, r.lat, r.lon, r.kode_kec, r.kode_kel, r.opd, r.source, r.reported_at
            ).where(r.id.in_(ids[k : k + 500]))
            if opds is not None:
                query = query.where(r.opd.in_(opds))
            if source is not None:
                query = query.where(r.source == source)
            rows += conn.execute(query).all()
    shown: dict[str, ReplayReport] = {}
    for row in rows:
        kec, kel = gazetteer.kecamatan.get(row.kode_kec or ""), gazetteer.kelurahan.get(row.kode_kel or "")
        shown[row.id] = {
            "id": row.id,
            "t": row.title,
            "c": row.category,
            "kc": row.kode_kec,
            "k": kec.name if kec else "",
            "l": kel.name if kel else "",
            "o": row.opd or "",
            "ll": [round(row.lon, 5), round(row.lat, 5)],
            "r": iso_utc(row.reported_at),
            "demo": row.source == "demo",
        }
    return {
        "day": day.isoformat(),
        "start": iso_utc(start),
        "end": iso_utc(end),
        "reports": shown,
        "places": {code: p.name for code, p in gazetteer.kecamatan.items()},
        "at_start": {row.report_id: row.to_status for row in opened if row.report_id in shown},
        "events": [
            [int((row.at - start).total_seconds()), row.report_id, row.to_status]
            for row in changes[:MAX_EVENTS]
            if row.report_id in shown
        ],
        "truncated": len(changes) > MAX_EVENTS,
    }
