"""The durable store: reports, their event log, and the outbox to the live bus.

One transaction writes the event, the report's current state derived from it, and an
outbox row; the API answers 201 only after that commit. SQLite (WAL, synchronous=FULL:
a commit is on disk) is the embedded default; the same code speaks PostgreSQL by URL.

The ground floor, in rooms: tables.py, engine.py (connections), group_commit.py, inserts.py (rows to the
driver), schema.py (made at start; a large load's indexes), outbox.py, audit.py. It imports no domain: each
domain keeps its own SQL (reports/repository.py, access/people.py, indicators/series.py)."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import Connection

from data_feeds.store.audit import Audit
from data_feeds.store.engine import owner_only, sqlite_engine
from data_feeds.store.group_commit import GroupCommitter
from data_feeds.store.outbox import Outbox
from data_feeds.store.schema import Schema
from data_feeds.store.tables import (  # the tables and their types: the store's public face
    FINITE_FIGURE,
    LOAD_DEFERRED_INDEXES,
    NotFound,
    UTCDateTime,
    api_keys,
    audit_events,
    devices,
    indicator_values,
    metadata,
    one_time_tokens,
    outbox,
    people,
    report_events,
    report_numbers,
    reports,
    sessions,
    signin_failures,
)

__all__ = [
    "FINITE_FIGURE",
    "LOAD_DEFERRED_INDEXES",
    "NotFound",
    "Store",
    "UTCDateTime",
    "api_keys",
    "audit_events",
    "devices",
    "indicator_values",
    "metadata",
    "one_time_tokens",
    "outbox",
    "people",
    "report_events",
    "report_numbers",
    "reports",
    "sessions",
    "signin_failures",
]


class Store(Schema, Outbox, Audit):
    def __init__(self, url: str, durable: bool = True):
        """durable=False: commits may be lost to a power cut (SQLite synchronous=NORMAL, PostgreSQL
        synchronous_commit=off), for a process whose writes are safe to repeat (the relay marking outbox rows
        published: one lost mark is published again and refused by the stream as a duplicate)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._lock_path: Path | None = None
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                owner_only(Path(path))
                self._lock_path = Path(path + ".writelock")
            self.writer = sqlite_engine(url, immediate=True, durable=durable)
            self.reader = sqlite_engine(url, immediate=False)
        else:
            self.writer = self.reader = create_engine(
                url,
                pool_size=20,
                max_overflow=40,
                pool_pre_ping=True,
                **({} if durable else {"connect_args": {"options": "-c synchronous_commit=off"}}),
            )
        self._committer: GroupCommitter | None = None
        self._committer_lock = threading.Lock()
        self.loading = False  # inside bulk_load: the secondary indexes and the text index are built at its end
        self.loaded: list[tuple[int, str]] = []  # inside bulk_load: (reports, last report's id) per batch stored

    def commit_together(self, job: Callable[[Connection], object]):
        """Run `job(conn)` in a write transaction shared with the other jobs waiting now (GroupCommitter); returns
        its result once committed, or raises its error (the others still commit)."""
        return self._group().run(job)

    def _group(self) -> GroupCommitter:
        # Per process: a committer made before a fork has no thread in the child.
        with self._committer_lock:
            if self._committer is None or self._committer.pid != os.getpid():
                self._committer = GroupCommitter(self)
            return self._committer

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction. On SQLite, processes queue on a file lock first: it wakes the next
        writer the moment the last one commits, where SQLite's own busy handler sleeps and retries."""
        if self._lock_path is None:
            with self.writer.begin() as conn:
                yield conn
            return
        with open(self._lock_path, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with self.writer.begin() as conn:
                    yield conn
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.reader.connect() as conn:
            yield conn

    def seconds_between(self, start, end):
        """SQL for (end - start) in seconds: durations computed by the database arrive as plain numbers,
        not as two datetimes per row to parse (the snapshot's SLA windows read tens of thousands)."""
        if self.is_sqlite:
            return (func.julianday(end) - func.julianday(start)) * 86400.0
        return func.extract("epoch", end - start)

    def refresh_statistics(self) -> None:
        """Give the query planner fresh row statistics, so a filter that matches most reports walks the time index
        and one that matches few uses its own (without them SQLite sorted every laksa report for one page).
        SQLite: ANALYZE on a sample (analysis_limit: milliseconds even at a million rows); PostgreSQL's autovacuum
        keeps its own, so nothing to do there."""
        if not self.is_sqlite:
            return
        with self.write() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")

    def ping(self) -> None:
        with self.read() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
