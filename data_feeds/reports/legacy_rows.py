"""Reports an older version stored without what this one gives every report at intake, mended once at the live
worker's start: a human id (reports without a sender's id) and the queue's due time (open reports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import bindparam, select, update

from data_feeds.store import Store, reports

from . import human_id

BATCH = 2000


def number_unnumbered(store: Store, batch: int = BATCH) -> int:
    """Human ids for reports stored without one (and without a sender's id), oldest received first, each under the
    year it was received. -> how many were numbered."""
    r, done = reports.c, 0
    while True:
        with store.write() as conn:
            rows = conn.execute(
                select(r.id, r.received_at)
                .where(r.source_ref.is_(None), r.human_ref.is_(None))
                .order_by(r.received_at, r.id)
                .limit(batch)
            ).all()
            by_prefix: dict[str, list] = {}
            for rid, received in rows:
                by_prefix.setdefault(human_id.prefix_for(received), []).append((rid, received))
            for group in by_prefix.values():
                human_id.number(conn, [rid for rid, _ in group], group[0][1])
        done += len(rows)
        if len(rows) < batch:
            return done


def fill_due(store: Store, due: Callable[[str, datetime, str], datetime | None], batch: int = BATCH) -> int:
    """The due time of open reports stored without one: `due(status, reported_at, category)`. -> how many."""
    r, done = reports.c, 0
    while True:
        with store.write() as conn:
            rows = conn.execute(
                select(r.id, r.status, r.reported_at, r.category)
                .where(r.status.in_(("baru", "diproses")), r.due_at.is_(None))
                .limit(batch)
            ).all()
            if rows:
                conn.execute(
                    update(reports).where(reports.c.id == bindparam("rid")).values(due_at=bindparam("due")),
                    [{"rid": rid, "due": due(status, at, category)} for rid, status, at, category in rows],
                )
        done += len(rows)
        if len(rows) < batch:
            return done
