"""The transactional outbox: each event's message written in the event's own transaction, relayed to the
live bus by the worker, marked published, pruned."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import (
    delete,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection

from data_feeds.store.inserts import insert_sql, run_insert
from data_feeds.store.tables import outbox, report_events

INSERT_OUTBOX = outbox.insert()


def outbox_payload(event_id: int, report_id: str, event_row: dict) -> dict:
    """What the outbox tells the live worker of one event (event_id first: see created_together)."""
    return {
        "event_id": event_id,
        "report_id": report_id,
        "kind": event_row["kind"],
        "from": event_row.get("from_status"),
        "to": event_row["to_status"],
        "at": event_row["at"].isoformat(),
    }


def append_event(conn: Connection, report_id: str, event_row: dict, prepared: tuple[str, tuple] | None = None) -> int:
    """An event and its outbox message, in the caller's transaction (`prepared`: the event's INSERT made before the
    write lock was taken). -> the event's id."""
    postgres = conn.dialect.name == "postgresql"
    sql, values = prepared or insert_sql(
        postgres, report_events, {"report_id": report_id, **event_row}, returning_id=True
    )
    event_id = run_insert(conn, sql, values, returning_id=True)
    payload = outbox_payload(event_id, report_id, event_row)
    run_insert(
        conn,
        *insert_sql(
            postgres,
            outbox,
            {
                "event_id": event_id,
                "report_id": report_id,
                "payload": json.dumps(payload),
                "created_at": event_row["recorded_at"],
            },
        ),
    )
    return event_id


def announce_bulk(conn: Connection, count: int, last_report: str, at: datetime) -> None:
    """One outbox row for reports stored in bulk: the dashboards recompute their aggregates."""
    last_event = conn.execute(select(func.max(report_events.c.id))).scalar_one()
    payload = {"event_id": last_event, "kind": "bulk", "reports": count, "at": at.isoformat()}
    conn.execute(
        INSERT_OUTBOX,
        {"event_id": last_event, "report_id": last_report, "payload": json.dumps(payload), "created_at": at},
    )


class Outbox:
    """Store's outbox rows: pending, published, pruned, counted."""

    def pending_outbox(self, limit: int = 500) -> list[dict]:
        with self.read() as conn:
            rows = conn.execute(
                select(outbox.c.seq, outbox.c.payload)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.seq)
                .limit(limit)
            ).mappings()
            return [dict(r) for r in rows]

    def mark_published(self, seqs: list[int], when: datetime) -> None:
        if not seqs:
            return
        with self.write() as conn:
            conn.execute(update(outbox).where(outbox.c.seq.in_(seqs)).values(published_at=when))

    def prune_outbox(self, batch: int = 10_000) -> int:
        """Delete outbox rows already in the stream (the events table is the log; the outbox only relays). The
        newest row always stays: SQLite would otherwise hand its seq to the next row, and the stream, which
        already holds that seq, would refuse the new event as published. -> rows deleted (at most `batch`)."""
        newest = select(func.max(outbox.c.seq)).scalar_subquery()
        done = (
            select(outbox.c.seq)
            .where(outbox.c.published_at.is_not(None), outbox.c.seq < newest)
            .order_by(outbox.c.seq)
            .limit(batch)
        )
        with self.write() as conn:
            return conn.execute(delete(outbox).where(outbox.c.seq.in_(done))).rowcount or 0

    def outbox_size(self) -> int:
        with self.read() as conn:
            return conn.execute(select(func.count()).select_from(outbox)).scalar_one()

    def outbox_backlog(self) -> int:
        with self.read() as conn:
            return conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            ).scalar_one()
