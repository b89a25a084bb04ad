"""The durable store: reports, their event log, and the outbox to the live bus.

One transaction writes the event, the report's current state derived from it, and an
outbox row; the API answers 201 only after that commit. SQLite (WAL, synchronous=FULL:
a commit is on disk) is the embedded default; the same code speaks PostgreSQL by URL.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import (
    JSON, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint,
    create_engine, event, func, select, text, update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(DateTime(timezone=True))


metadata = MetaData()

reports = Table(
    "reports", metadata,
    Column("id", String(32), primary_key=True),
    Column("source", String(40), nullable=False),
    Column("source_ref", String(80)),  # the sender's own id: makes a repeated POST idempotent
    Column("category", String(40), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("kode_kec", String(16)),
    Column("kode_kel", String(20)),
    Column("address", String(300)),
    Column("reported_at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("reporter_name", String(120)),  # personal data: never on a wall
    Column("reporter_phone", String(32)),
    Column("media", JSON, nullable=False, default=list),
    Column("status", String(16), nullable=False),
    Column("opd", String(40)),
    Column("first_response_at", UTCDateTime),
    Column("resolved_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("source", "source_ref", name="uq_reports_source_ref"),
    Index("ix_reports_status", "status"),
    Index("ix_reports_reported_at", "reported_at"),
    Index("ix_reports_resolved_at", "resolved_at"),
    Index("ix_reports_source_received", "source", "received_at"),
)

report_events = Table(
    "report_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", String(32), ForeignKey("reports.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # created | status
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("opd", String(40)),
    Column("actor", String(120)),
    Column("note", Text),
    Column("evidence", JSON, nullable=False, default=list),
    Column("at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index("ix_events_report", "report_id", "id"),
)

outbox = Table(
    "outbox", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=False),
    Column("report_id", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime),
    Index("ix_outbox_pending", "seq", sqlite_where=text("published_at IS NULL"), postgresql_where=text("published_at IS NULL")),
)


class NotFound(Exception):
    pass


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=20, max_overflow=40)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # a commit is on disk before we answer 201
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Writers take the lock up front: a deferred read-then-write transaction can fail
        # with SQLITE_BUSY_SNAPSHOT, which no busy timeout retries.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Store:
    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.writer = _sqlite_engine(url, immediate=True)
            self.reader = _sqlite_engine(url, immediate=False)
        else:
            self.writer = self.reader = create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True)

    def create_schema(self) -> None:
        metadata.create_all(self.writer)

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.writer.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.reader.connect() as conn:
            yield conn

    def ping(self) -> None:
        with self.read() as conn:
            conn.execute(text("SELECT 1")).scalar_one()

    # -- reports ---------------------------------------------------------------------------

    def insert_report(self, row: dict, event_row: dict) -> tuple[dict, bool]:
        """Insert a report with its 'created' event and outbox row. Idempotent on (source, source_ref):
        a repeat returns the stored report and False, and writes nothing."""
        with self.write() as conn:
            if row.get("source_ref"):
                existing = conn.execute(
                    select(reports).where(reports.c.source == row["source"], reports.c.source_ref == row["source_ref"])
                ).mappings().first()
                if existing:
                    return dict(existing), False
            conn.execute(reports.insert().values(**row))
            self._append_event(conn, row["id"], event_row)
        return row, True

    def apply_event(self, report_id: str, decide: Callable[[dict, list[dict]], tuple[dict, dict]]) -> dict:
        """Append one event chosen by `decide(current_report, events)` -> (event_row, report_updates),
        inside one write transaction, so the check and the write see the same state."""
        with self.write() as conn:
            lock = select(reports).where(reports.c.id == report_id)
            if not self.is_sqlite:
                lock = lock.with_for_update()
            current = conn.execute(lock).mappings().first()
            if current is None:
                raise NotFound(report_id)
            history = self._events(conn, report_id)
            event_row, updates = decide(dict(current), history)
            conn.execute(update(reports).where(reports.c.id == report_id).values(**updates))
            self._append_event(conn, report_id, event_row)
            return {**dict(current), **updates}

    def _append_event(self, conn: Connection, report_id: str, event_row: dict) -> None:
        event_id = conn.execute(report_events.insert().values(report_id=report_id, **event_row)).inserted_primary_key[0]
        payload = {
            "event_id": event_id, "report_id": report_id, "kind": event_row["kind"],
            "from": event_row.get("from_status"), "to": event_row["to_status"], "at": event_row["at"].isoformat(),
        }
        conn.execute(outbox.insert().values(
            event_id=event_id, report_id=report_id, payload=json.dumps(payload), created_at=event_row["recorded_at"],
        ))

    def _events(self, conn: Connection, report_id: str) -> list[dict]:
        rows = conn.execute(
            select(report_events).where(report_events.c.report_id == report_id).order_by(report_events.c.id)
        ).mappings()
        return [dict(r) for r in rows]

    def get_report(self, report_id: str) -> tuple[dict, list[dict]]:
        with self.read() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
            if row is None:
                raise NotFound(report_id)
            return dict(row), self._events(conn, report_id)

    def count_reports(self) -> int:
        with self.read() as conn:
            return conn.execute(select(func.count()).select_from(reports)).scalar_one()

    def report_ids(self) -> set[str]:
        with self.read() as conn:
            return set(conn.execute(select(reports.c.id)).scalars())

    def feed_latest(self) -> dict[str, datetime]:
        """Newest received item per source (one index range scan per source)."""
        with self.read() as conn:
            rows = conn.execute(select(reports.c.source, func.max(reports.c.received_at)).group_by(reports.c.source))
            return {src: UTCDateTime().process_result_value(ts, self.reader.dialect) if isinstance(ts, datetime) else _parse_ts(ts)
                    for src, ts in rows if ts is not None}

    # -- outbox ----------------------------------------------------------------------------

    def pending_outbox(self, limit: int = 500) -> list[dict]:
        with self.read() as conn:
            rows = conn.execute(
                select(outbox.c.seq, outbox.c.payload).where(outbox.c.published_at.is_(None)).order_by(outbox.c.seq).limit(limit)
            ).mappings()
            return [dict(r) for r in rows]

    def mark_published(self, seqs: list[int], when: datetime) -> None:
        if not seqs:
            return
        with self.write() as conn:
            conn.execute(update(outbox).where(outbox.c.seq.in_(seqs)).values(published_at=when))

    def outbox_backlog(self) -> int:
        with self.read() as conn:
            return conn.execute(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))).scalar_one()


def _parse_ts(value) -> datetime:
    """SQLite's max() returns the stored text, not a datetime."""
    dt = datetime.fromisoformat(str(value))
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt
