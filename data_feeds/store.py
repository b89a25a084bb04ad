"""The durable store: reports, their event log, and the outbox to the live bus.

One transaction writes the event, the report's current state derived from it, and an
outbox row; the API answers 201 only after that commit. SQLite (WAL, synchronous=FULL:
a commit is on disk) is the embedded default; the same code speaks PostgreSQL by URL.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
    text,
    update,
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
    "reports",
    metadata,
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
    Column("duplicate_of", String(32)),  # for status duplikat: the original report
    Column("first_response_at", UTCDateTime),
    Column("resolved_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("source", "source_ref", name="uq_reports_source_ref"),
    # a page of one status, newest first, without sorting the million reports that are selesai (and the open ones,
    # few, for the snapshot's counts)
    Index("ix_reports_status_reported_at", "status", "reported_at"),
    Index("ix_reports_source_reported_at", "source", "reported_at"),  # a page of one feed's reports, newest first
    # Covering the snapshot's time-window reads (SLA times per OPD and kecamatan), so a window of
    # weeks never touches the table's rows; at 1M reports that is ~10x faster.
    Index("ix_reports_response_cover", "first_response_at", "reported_at", "kode_kec", "opd"),
    Index("ix_reports_kec_reported_at", "kode_kec", "reported_at"),  # each kecamatan's newest reports
    Index("ix_reports_kel_reported_at", "kode_kel", "reported_at"),  # a kelurahan's reports: its page and its count
    Index("ix_reports_reported_at", "reported_at"),
    Index("ix_reports_opd_reported_at", "opd", "reported_at"),  # an agency's newest reports (its own wall)
    Index("ix_reports_resolved_cover", "resolved_at", "reported_at", "kode_kec", "opd"),
    Index("ix_reports_source_received", "source", "received_at"),
    Index("ix_reports_duplicate_of", "duplicate_of"),  # a report's page lists the reports marked as its duplicates
)

report_events = Table(
    "report_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", String(32), ForeignKey("reports.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # created | status | reassigned | reopened | comment
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("opd", String(40)),
    Column("actor", String(120)),  # who, as people read it: a source, an agency, a person
    Column("actor_key", String(16)),  # the API key that acted, if one did (never shown publicly)
    Column("note", Text),
    Column("evidence", JSON, nullable=False, default=list),
    Column("at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column(
        "external_id", String(80)
    ),  # the sender's own id for the event (an Open311 update_id): a resend is not a second event
    Index("ix_events_report", "report_id", "id"),
    Index("ix_events_external", "report_id", "external_id"),
    Index("ix_events_recorded_at", "recorded_at"),  # Open311 servicerequestupdates by date
)

outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=False),
    Column("report_id", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime),
    Index(
        "ix_outbox_pending",
        "seq",
        sqlite_where=text("published_at IS NULL"),
        postgresql_where=text("published_at IS NULL"),
    ),
)


api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),  # the key's public part: lookup without scanning hashes
    Column("source", String(40), nullable=False),  # the feed this key speaks for ("" for an agency key)
    Column("roles", JSON, nullable=False, default=list),
    Column("opds", JSON),  # an agency key: the OPDs whose reports it acts on, whatever their source
    Column("label", String(200)),
    Column("secret_sha256", String(64), nullable=False),  # never the key itself
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)


indicator_values = Table(
    "indicator_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(60), nullable=False),
    Column("place", String(20), nullable=False),  # Kemendagri code: 36.71 (city), 36.71.KK, 36.71.KK.1NNN
    Column("period", String(10), nullable=False, default=""),  # "" for cumulative series; "2023" for per-period ones
    Column("measure", String(10), nullable=False, default="value"),  # value | target
    # within the place: a market tested, a kind of device ("" for the place as a whole); nullable only so an
    # older database gains the column, every write sets it
    Column("subject", String(60), nullable=True, default=""),
    Column("as_of", String(10), nullable=False),  # the date the figure describes (ISO date)
    Column("value", Float, nullable=False),
    Column("source", String(300), nullable=False),
    Column("correction", Integer, nullable=False, default=0),  # 1: knowingly lowers a cumulative series
    Column("demo", Integer, nullable=False, default=0),  # synthesised by the demo feed
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(120)),
    Index("ix_indicator_series", "indicator", "place", "measure", "period", "as_of"),
    # the summary's "newest figures of each series": walked in this order, no sort of the whole table
    Index("ix_indicator_newest", "indicator", "place", "subject", "measure", "period", "as_of", "id"),
)


people = Table(
    "people",
    metadata,  # who signs in (data_feeds/access/people.py); devices and keys have their own tables
    Column("id", String(16), primary_key=True),
    Column("username", String(60), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("role", String(20), nullable=False),  # pimpinan | operator | opd | penilai | admin
    Column("opds", JSON, nullable=False, default=list),  # an opd account's agencies
    Column("personal", Integer, nullable=False, default=0),  # 1: may read reporters' contact beyond the role
    Column("password_hash", String(200), nullable=False),  # argon2id, never the password
    Column("failures", Integer, nullable=False, default=0),  # wrong passwords in a row
    Column("locked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime),
)


devices = Table(
    "devices",
    metadata,  # wall screens (data_feeds/access/devices.py): paired once, then trusted until revoked
    Column("id", String(16), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("secret_sha256", String(64)),  # the credential the screen keeps; null until paired
    Column("created_at", UTCDateTime, nullable=False),
    Column("paired_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("last_seen_at", UTCDateTime),
)


one_time_tokens = Table(
    "one_time_tokens",
    metadata,  # one-click sign-in links and pairing links (data_feeds/access/tokens.py)
    Column("digest", String(64), primary_key=True),  # SHA-256 of the token: the link itself is never stored
    Column("purpose", String(10), nullable=False),  # signin | pair
    Column("subject", String(16), nullable=False),  # the person's or the device's id
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)


audit_events = Table(
    "audit_events",
    metadata,  # who read or did what: never shown on a wall, never exported
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_kind", String(10), nullable=False),  # key | person | device | cli (an admin at the command line)
    Column("actor", String(120), nullable=False),  # the key id (or, with sign-in, the person)
    Column("action", String(40), nullable=False),  # personal_read, signin, signin_failed, pair, forward, ...
    Column("outcome", String(10), nullable=False),  # allowed | refused
    Column("report_id", String(32)),
    Column("address", String(64)),  # where the request came from
    Column("detail", String(300)),
    Index("ix_audit_at", "at"),
)


# Figures are checked finite on the way in; one stored before that check (Infinity, NaN) is left out of every
# read rather than break the JSON of every screen and feed that would carry it.
FINITE_FIGURE = indicator_values.c.value.between(-1.0e308, 1.0e308)


EVENTS_REPORT_FK = "report_events_report_id_fkey"  # PostgreSQL's own name for it, as create_all makes it
# Set aside during Store.bulk_load and built at its end: every index that only speeds reads (the unique ones stay:
# they keep a resent report out).
LOAD_DEFERRED_INDEXES = tuple(
    index for table in (reports, report_events) for index in table.indexes if not index.unique
)


RARE_MATCHES = 2000  # a search with fewer hits than this is paged from its hits, not by walking the time index


class NotFound(Exception):
    pass


@dataclass
class ReportColumns:
    """Reports and their events as columns, column name -> one value per row, in the store's Python types (what
    `Store.insert_batch` writes: no dict per row built and taken apart again). Each event's `report_id` names
    its report; both sides have the same columns for every row."""

    reports: dict[str, list]
    events: dict[str, list]

    def __len__(self) -> int:
        return len(self.reports.get("id", ()))

    @classmethod
    def from_items(cls, items: list[tuple[dict, list[dict]]]) -> ReportColumns:
        """From (report row, its events) pairs, as `ReportService.replay` makes them."""
        rows = [row for row, _ in items]
        events = [{"report_id": row["id"], **e} for row, evs in items for e in evs]
        return cls(_columns(rows), _columns(events))

    def plus(self, other: ReportColumns) -> ReportColumns:
        if not len(other):
            return self
        if not len(self):
            return other
        if self.reports.keys() != other.reports.keys() or self.events.keys() != other.events.keys():
            raise ValueError("report batches with different columns")
        return ReportColumns(
            {k: v + other.reports[k] for k, v in self.reports.items()},
            {k: v + other.events[k] for k, v in self.events.items()},
        )

    def rows(self) -> list[tuple[dict, list[dict]]]:
        """Back to (report row, events) pairs (for tests and tools: the store writes columns)."""
        by_report: dict[str, list[dict]] = {}
        names = [k for k in self.events if k != "report_id"]
        for i, rid in enumerate(self.events.get("report_id", [])):
            by_report.setdefault(rid, []).append({k: self.events[k][i] for k in names})
        return [
            ({k: v[i] for k, v in self.reports.items()}, by_report.get(rid, []))
            for i, rid in enumerate(self.reports["id"])
        ]


@dataclass
class DriverRows:
    """A batch as the database driver takes it (`Store.driver_rows`: values converted, rows as tuples), made
    where the batch was checked (bulk import's checking process), written by `Store.insert_batch`."""

    postgres: bool
    reports: tuple[tuple[str, ...], list[tuple]]  # (column names, rows)
    events: tuple[tuple[str, ...], list[tuple]]
    keys: list[tuple[str, str, str | None]]  # per report: (id, source, sender's id)

    def __len__(self) -> int:
        return len(self.keys)

    def plus(self, other: DriverRows) -> DriverRows:
        """Two batches written as one (the same columns, made for the same store)."""
        if (self.postgres, self.reports[0], self.events[0]) != (other.postgres, other.reports[0], other.events[0]):
            if not len(other):
                return self
            if not len(self):
                return other
            raise ValueError("batches with different columns")
        return DriverRows(
            self.postgres,
            (self.reports[0], self.reports[1] + other.reports[1]),
            (self.events[0], self.events[1] + other.events[1]),
            self.keys + other.keys,
        )

    def without(self, report_ids: set[str]) -> DriverRows:
        """The batch less the reports named (and their events)."""
        (names, rows), (event_names, events) = self.reports, self.events
        at, event_at = names.index("id"), event_names.index("report_id")
        return DriverRows(
            self.postgres,
            (names, [r for r in rows if r[at] not in report_ids]),
            (event_names, [e for e in events if e[event_at] not in report_ids]),
            [k for k in self.keys if k[0] not in report_ids],
        )


def _columns(rows: list[dict]) -> dict[str, list]:
    """Rows -> columns; a column some rows lack is None in them (as a missing key always was)."""
    names = dict.fromkeys(k for row in rows for k in row)
    return {k: [row.get(k) for row in rows] for k in names}


# Statements built once: the per-request cost is binding parameters, not compiling SQL.
_INSERT_REPORT = reports.insert()
_INSERT_EVENT = report_events.insert()
_INSERT_OUTBOX = outbox.insert()
_LATEST_BY_SOURCE = select(func.max(reports.c.received_at)).where(reports.c.source == bindparam("source"))
_BY_SOURCE_REF = select(reports).where(
    reports.c.source == bindparam("source"), reports.c.source_ref == bindparam("source_ref")
)


def _sqlite_engine(url: str, immediate: bool, durable: bool = True) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=20, max_overflow=40)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before we answer 201. NORMAL (WAL: safe from a process crash, a power cut may
        # lose the last commits) only for a store that writes what can be written again (Store(durable=False))
        cur.execute("PRAGMA synchronous=FULL" if durable else "PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Writers take the lock up front: a deferred read-then-write transaction can fail
        # with SQLITE_BUSY_SNAPSHOT, which no busy timeout retries.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class _JobFailed(Exception):
    """A job raised in a batch run without savepoints: the transaction is gone, the batch runs again isolated."""


class GroupCommitter:
    """One writer thread per process that commits concurrent writes together.

    Each request hands in a job and waits; the writer runs every job queued at that moment
    in one transaction, commits once, and only then answers them all. A commit costs one fsync
    however many reports it carries, and writers never contend for the lock inside a process.
    One bad job fails alone: a batch first runs straight through (a savepoint per job was two more
    round trips per report on PostgreSQL), and only if a job raises is it rolled back and run again
    with each job in its own savepoint.
    """

    def __init__(self, store: Store, max_batch: int = 256):
        self.store, self.max_batch = store, max_batch
        self.pid = os.getpid()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="group-commit", daemon=True).start()

    def run(self, job: Callable[[Connection], object]):
        future: Future = Future()
        self._queue.put((job, future))
        return future.result()

    def _loop(self) -> None:
        while True:
            self._commit(self._queue.get())

    def _take_waiting(self, batch: list) -> None:
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                return

    def _commit(self, first) -> None:
        """The jobs waiting now, and those that arrive while the write lock is awaited (another process or the
        worker holds it): the batch grows with the contention, so a busy store makes fewer, larger commits."""
        batch = [first]
        try:
            try:
                outcomes = self._attempt(batch, isolated=False)
            except _JobFailed as failed:
                if len(batch) == 1:  # its own transaction, rolled back: nothing else to save
                    outcomes = [(batch[0][1], None, failed.__cause__)]
                else:
                    outcomes = self._attempt(batch, isolated=True)
        except BaseException as exc:  # noqa: BLE001 - the commit failed: nothing in the batch is stored
            for _job, future in batch:
                future.set_exception(exc)
            return
        for future, result, exc in outcomes:  # answered only after the commit is on disk
            if exc is None:
                future.set_result(result)
            else:
                future.set_exception(exc)

    def _attempt(self, batch: list, isolated: bool) -> list:
        """Run the batch in one transaction. Straight through (raises _JobFailed, rolling back, if a job raises),
        or `isolated`: each job in a savepoint, a failing one rolled back alone. -> (future, result, error) each."""
        outcomes = []
        with self.store.write() as conn:
            if not isolated:
                self._take_waiting(batch)
            raw = conn.connection.driver_connection  # savepoints said to the driver: the lock is held meanwhile
            for job, future in batch:
                if not isolated:
                    try:
                        outcomes.append((future, job(conn), None))
                    except BaseException as exc:  # noqa: BLE001 - run again isolated, or handed back
                        raise _JobFailed() from exc
                    continue
                raw.execute("SAVEPOINT job")
                try:
                    result = job(conn)
                except BaseException as exc:  # noqa: BLE001 - handed back to that request
                    raw.execute("ROLLBACK TO SAVEPOINT job")
                    raw.execute("RELEASE SAVEPOINT job")
                    outcomes.append((future, None, exc))
                else:
                    raw.execute("RELEASE SAVEPOINT job")
                    outcomes.append((future, result, None))
        return outcomes


class Store:
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
                _owner_only(Path(path))
                self._lock_path = Path(path + ".writelock")
            self.writer = _sqlite_engine(url, immediate=True, durable=durable)
            self.reader = _sqlite_engine(url, immediate=False)
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
        self._loading = False  # inside bulk_load: the secondary indexes and the text index are built at its end
        self._loaded: list[tuple[int, str]] = []  # inside bulk_load: (reports, last report's id) per batch stored

    def _group(self) -> GroupCommitter:
        # Per process: a committer made before a fork has no thread in the child.
        with self._committer_lock:
            if self._committer is None or self._committer.pid != os.getpid():
                self._committer = GroupCommitter(self)
            return self._committer

    def create_schema(self) -> None:
        """Create the tables; add columns that newer code knows and an older database lacks (additive,
        nullable only: anything more wants a real migration)."""
        metadata.create_all(self.writer)
        inspector = inspect(self.reader)  # (a writer connection would hold the write lock it then waits for)
        with self.writer.begin() as conn:
            for table in metadata.sorted_tables:
                have = {c["name"] for c in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in have and column.nullable:
                        kind = column.type.compile(dialect=self.writer.dialect)
                        conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                        if column.default is not None and column.default.is_scalar:  # older rows get what new ones get
                            conn.execute(table.update().values({column.name: column.default.arg}))
        inspector = inspect(self.reader)  # afresh: it caches what it read before the columns were added
        for table in metadata.sorted_tables:  # indexes added since an older database was made
            have = {c["name"] for c in inspector.get_columns(table.name)}
            for index in table.indexes:
                if all(c.name in have for c in index.columns):
                    index.create(self.writer, checkfirst=True)
        self._create_deferred()  # (and what a bulk load that died set aside)

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """A large load (bulk import): the reports' and events' secondary indexes and the full-text index are set
        aside while rows go in, and built once at the end (a sorted build: several times cheaper than keeping
        eleven indexes and a text index row by row). Rows are durable batch by batch as ever; queries meanwhile
        run without those indexes (slower, still correct), text search does not yet find the new rows, and the
        dashboards hear of the load once, at its end (recomputing their aggregates after every batch without the
        indexes took a core's share from the load). If the process dies inside, the next `create_schema` (every
        process's start) builds what is missing, and the worker's periodic recompute shows the rows."""
        with self.write() as conn:
            for index in LOAD_DEFERRED_INDEXES:
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
            if self.is_sqlite:
                conn.exec_driver_sql("DROP TRIGGER IF EXISTS reports_fts_insert")
            else:  # PostgreSQL checked each event's report with a query and a row lock: a third of its load time
                conn.exec_driver_sql("DROP INDEX IF EXISTS ix_reports_search")
                conn.exec_driver_sql(f"ALTER TABLE report_events DROP CONSTRAINT IF EXISTS {EVENTS_REPORT_FK}")
        self._loading, self._loaded = True, []
        try:
            yield
        finally:
            self._loading = False
            self._create_deferred()
            if self._loaded:  # announced once, with the indexes the dashboards' queries need
                with self.write() as conn:
                    self._announce_bulk(
                        conn, sum(count for count, _ in self._loaded), self._loaded[-1][1], datetime.now(timezone.utc)
                    )

    def _create_deferred(self) -> None:
        """What a bulk load sets aside, made again where missing: the read indexes, the text index, and on
        PostgreSQL the events' foreign key (checked over the whole table as it is added)."""
        inspector = inspect(self.reader)
        have = {table: {c["name"] for c in inspector.get_columns(table)} for table in ("reports", "report_events")}
        indexes = [
            index
            for index in LOAD_DEFERRED_INDEXES  # (an older table may lack a column yet: no index on it)
            if all(c.name in have[index.table.name] for c in index.columns)
        ]
        if self.is_sqlite:
            with self.write() as conn:  # one transaction: one commit, and the write lock taken once
                for index in indexes:
                    index.create(conn, checkfirst=True)
        else:  # two sessions, each building half (CREATE INDEX lets others build beside it): both cores at work
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="index-build") as pool:
                list(
                    pool.map(
                        self._create_pg_indexes, (indexes[0::2], indexes[1::2]), (False, "search" in have["reports"])
                    )
                )
        self._create_text_index()
        if not self.is_sqlite and not any(
            fk["referred_table"] == "reports" for fk in inspect(self.reader).get_foreign_keys("report_events")
        ):
            with self.writer.begin() as conn:
                conn.exec_driver_sql(
                    f"ALTER TABLE report_events ADD CONSTRAINT {EVENTS_REPORT_FK} "
                    "FOREIGN KEY (report_id) REFERENCES reports (id)"
                )

    def _create_pg_indexes(self, indexes, with_text: bool) -> None:
        with self.writer.begin() as conn:
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")  # sorted in memory (the default: 64 MB)
            for index in indexes:
                index.create(conn, checkfirst=True)
            if with_text:
                conn.exec_driver_sql(_PG_TEXT_INDEX)

    def _create_text_index(self) -> None:
        """Full-text search over the source's id, title and description. SQLite: an FTS5 table over the reports'
        rows, kept by triggers (filled from the existing rows when it is first made). PostgreSQL: a generated
        tsvector column with a GIN index. Both split text into words of letters and digits (no stemming:
        Indonesian words and ids are searched as typed, each as a prefix)."""
        have = {c["name"] for c in inspect(self.reader).get_columns("reports")}
        if not {"source_ref", "title", "description"} <= have:
            return  # a table too old to carry the words (only additive nullable columns are added here)
        with self.writer.begin() as conn:
            if self.is_sqlite:
                made = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'reports_fts'").first() is None
                # no insert trigger: a bulk load set it aside (and may have died before its end): rows are missing
                unkept = (
                    conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'reports_fts_insert'").first()
                    is None
                )
                conn.exec_driver_sql(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(source_ref, title, description, "
                    "content='reports', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
                )
                conn.exec_driver_sql(_FTS_INSERT_TRIGGER)
                conn.exec_driver_sql(
                    "CREATE TRIGGER IF NOT EXISTS reports_fts_delete AFTER DELETE ON reports BEGIN "
                    "INSERT INTO reports_fts(reports_fts, rowid, source_ref, title, description) "
                    "VALUES ('delete', old.rowid, old.source_ref, old.title, old.description); END"
                )
                conn.exec_driver_sql(
                    "CREATE TRIGGER IF NOT EXISTS reports_fts_update AFTER UPDATE OF source_ref, title, description "
                    "ON reports BEGIN "
                    "INSERT INTO reports_fts(reports_fts, rowid, source_ref, title, description) "
                    "VALUES ('delete', old.rowid, old.source_ref, old.title, old.description); "
                    "INSERT INTO reports_fts(rowid, source_ref, title, description) "
                    "VALUES (new.rowid, new.source_ref, new.title, new.description); END"
                )
                if made or unkept:
                    conn.exec_driver_sql("INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')")
            else:
                conn.exec_driver_sql(
                    "ALTER TABLE reports ADD COLUMN IF NOT EXISTS search tsvector GENERATED ALWAYS AS "
                    # (words of letters and digits, as FTS5 splits them: PostgreSQL's parser would read "-2026" as a
                    # number)
                    "(to_tsvector('simple', regexp_replace(coalesce(source_ref, '') || ' ' || title || ' ' || "
                    "coalesce(description, ''), '[^[:alnum:]]+', ' ', 'g'))) STORED"
                )
                conn.exec_driver_sql(_PG_TEXT_INDEX)

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

    # -- reports ---------------------------------------------------------------------------

    def insert_report(self, row: dict, event_row: dict) -> tuple[dict, bool]:
        """Insert a report with its 'created' event and outbox row; returns once committed.
        Idempotent on (source, source_ref): a repeat returns the stored report and False, and writes nothing."""

        postgres = not self.is_sqlite
        report_insert = _insert_sql(postgres, reports, row)  # prepared here: not while the write lock is held
        event_insert = _insert_sql(postgres, report_events, {"report_id": row["id"], **event_row}, returning_id=True)

        together = _created_together(report_insert, event_insert, row["id"], event_row) if postgres else None

        def job(conn: Connection) -> tuple[dict, bool]:
            if row.get("source_ref"):
                existing = (
                    conn.execute(_BY_SOURCE_REF, {"source": row["source"], "source_ref": row["source_ref"]})
                    .mappings()
                    .first()
                )
                if existing:
                    return dict(existing), False
            if together:
                _run_insert(conn, *together)
            else:
                _run_insert(conn, *report_insert)
                self._append_event(conn, row["id"], event_row, event_insert)
            return row, True

        return self._group().run(job)

    def driver_rows(self, batch: ReportColumns) -> DriverRows:
        """A batch's values as this store's driver takes them. Touches no connection: a checking process makes it."""
        postgres = not self.is_sqlite
        return DriverRows(
            postgres,
            _driver_values(postgres, reports, batch.reports),
            _driver_values(postgres, report_events, batch.events),
            list(zip(*(batch.reports.get(name, ()) for name in ("id", "source", "source_ref")), strict=True)),
        )

    def insert_batch(
        self, items: list[tuple[dict, list[dict]]] | ReportColumns | DriverRows, recorded_at: datetime
    ) -> tuple[int, int]:
        """Bulk import: reports with their whole event history, in ONE transaction (all or nothing), given as
        (report row, events) pairs, as ReportColumns or as `driver_rows`. Reports whose (source, source_ref) is
        already stored are skipped. One outbox row announces the batch (the dashboards recompute their aggregates;
        they need no per-row event; inside `bulk_load`, one for the whole load at its end).
        -> (inserted, already stored)."""
        batch = (
            items
            if isinstance(items, DriverRows)
            else self.driver_rows(items if isinstance(items, ReportColumns) else ReportColumns.from_items(items))
        )
        if batch.postgres == self.is_sqlite:
            raise ValueError("rows made for another kind of store")
        if not len(batch):
            return 0, 0
        with self.write() as conn:
            refs: dict[str, dict[str, str]] = {}  # source -> sender's id -> report id
            for rid, source, ref in batch.keys:
                if ref:
                    refs.setdefault(source, {})[ref] = rid
            stored: set[str] = set()  # the batch's report ids whose (source, source_ref) is stored
            for source, wanted in refs.items():
                for chunk in _chunks(sorted(wanted), 500):
                    if self.is_sqlite:
                        found = conn.execute(
                            select(reports.c.source_ref).where(
                                reports.c.source == source, reports.c.source_ref.in_(chunk)
                            )
                        ).scalars()
                    else:  # each wanted id looked up in the (source, source_ref) index: an IN list was planned as a
                        # scan, and so was a join while a load outgrew the planner's statistics (a LIMIT in a LATERAL
                        # subquery is always run per id)
                        found = conn.exec_driver_sql(
                            "SELECT w.ref FROM unnest(%s::text[]) AS w(ref), LATERAL (SELECT 1 "
                            "FROM reports r WHERE r.source = %s AND r.source_ref = w.ref LIMIT 1) "
                            "AS hit",
                            (chunk, source),
                        ).scalars()
                    stored.update(wanted[ref] for ref in found)
            fresh = batch.without(stored) if stored else batch
            if not len(fresh):
                return 0, len(batch)
            _bulk_insert(conn, reports, *fresh.reports, deferred_text=self._loading)
            _bulk_insert(conn, report_events, *fresh.events)
            if self._loading:  # inside bulk_load: announced at its end (the dashboards would recompute without indexes)
                self._loaded.append((len(fresh), fresh.keys[-1][0]))
            else:
                self._announce_bulk(conn, len(fresh), fresh.keys[-1][0], recorded_at)
            return len(fresh), len(batch) - len(fresh)

    @staticmethod
    def _announce_bulk(conn: Connection, count: int, last_report: str, at: datetime) -> None:
        """One outbox row for reports stored in bulk: the dashboards recompute their aggregates."""
        last_event = conn.execute(select(func.max(report_events.c.id))).scalar_one()
        payload = {"event_id": last_event, "kind": "bulk", "reports": count, "at": at.isoformat()}
        conn.execute(
            _INSERT_OUTBOX,
            {"event_id": last_event, "report_id": last_report, "payload": json.dumps(payload), "created_at": at},
        )

    def apply_event(
        self,
        report_id: str,
        decide: Callable[..., tuple[dict, dict]],
        external_id: str | None = None,
        authorise: Callable[[dict], None] | None = None,
    ) -> tuple[dict, int, bool]:
        """Append one event chosen by `decide(current_report, events, lookup)` -> (event_row, report_updates),
        inside the write transaction, so the check and the write see the same state (lookup reads
        another report in that same transaction). `authorise(current_report)` raises for a caller the
        report is not for, on the state the write sees (a report reassigned a moment ago is no longer
        the old agency's). An `external_id` already recorded for this report makes the call a replay:
        nothing is written. -> (the report as it now is, the event's id, whether it was written now)."""

        def job(conn: Connection) -> tuple[dict, int, bool]:
            lock = select(reports).where(reports.c.id == report_id)
            if not self.is_sqlite:
                lock = lock.with_for_update()
            current = conn.execute(lock).mappings().first()
            if current is None:
                raise NotFound(report_id)
            if authorise is not None:
                authorise(dict(current))
            history = self._events(conn, report_id)
            if external_id is not None:
                earlier = next((e for e in history if e["external_id"] == external_id), None)
                if earlier is not None:
                    return dict(current), earlier["id"], False

            def lookup(other_id):
                row = (
                    conn.execute(select(reports).where(reports.c.id == other_id)).mappings().first()
                    if other_id
                    else None
                )
                return dict(row) if row else None

            event_row, updates = decide(dict(current), history, lookup)
            conn.execute(update(reports).where(reports.c.id == report_id).values(**updates))
            event_id = self._append_event(conn, report_id, {**event_row, "external_id": external_id})
            return {**dict(current), **updates}, event_id, True

        return self._group().run(job)

    def read_audited(self, report_id: str, judge: Callable[[dict], dict]) -> tuple[dict, list[dict], dict]:
        """A report and its events for a read that must be audited: `judge(report)` -> the audit row (with its
        outcome), written in the same transaction as the read, so no personal data leaves without its row.
        -> (report, events, audit row). NotFound writes nothing: an unknown id is nobody's data."""
        with self.write() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
            if row is None:
                raise NotFound(report_id)
            entry = judge(dict(row))
            conn.execute(audit_events.insert(), entry)
            return dict(row), self._events(conn, report_id), entry

    def audit(self, **entry) -> None:
        """One audit row (at, actor_kind, actor, action, outcome, report_id, address, detail)."""
        self.audit_many([entry])

    def audit_many(self, entries: list[dict]) -> None:
        if entries:
            with self.write() as conn:
                conn.execute(audit_events.insert(), entries)

    def audit_log(self, since: datetime | None = None, limit: int = 1000, newest: bool = False) -> list[dict]:
        """Audit rows, oldest first, from `since` on (newest: the last `limit` rows, still oldest first)."""
        q = select(audit_events)
        if since is not None:
            q = q.where(audit_events.c.at >= since)
        order = audit_events.c.id.desc() if newest else audit_events.c.id
        with self.read() as conn:
            rows = [dict(r) for r in conn.execute(q.order_by(order).limit(limit)).mappings()]
        return rows[::-1] if newest else rows

    def _append_event(
        self, conn: Connection, report_id: str, event_row: dict, prepared: tuple[str, tuple] | None = None
    ) -> int:
        postgres = conn.dialect.name == "postgresql"
        sql, values = prepared or _insert_sql(
            postgres, report_events, {"report_id": report_id, **event_row}, returning_id=True
        )
        event_id = _run_insert(conn, sql, values, returning_id=True)
        payload = _outbox_payload(event_id, report_id, event_row)
        _run_insert(
            conn,
            *_insert_sql(
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

    def duplicates_of(self, report_id: str, limit: int = 100) -> list[dict]:
        """The reports marked as duplicates of this one, oldest first."""
        with self.read() as conn:
            q = select(reports).where(reports.c.duplicate_of == report_id).order_by(reports.c.reported_at).limit(limit)
            return [dict(r) for r in conn.execute(q).mappings()]

    def find_reports(
        self,
        ids=None,
        categories=None,
        statuses=None,
        start=None,
        end=None,
        limit: int = 1000,
        source: str | None = None,
        opds=None,
    ) -> list[dict]:
        """Reports by id list, or by category/status within [start, end) of reported_at; newest first; of one
        source's, or of those routed to `opds`, when given."""
        q = select(reports)
        if source is not None:
            q = q.where(reports.c.source == source)
        if opds is not None:
            q = q.where(reports.c.opd.in_(sorted(opds)))
        if ids is not None:
            q = q.where(reports.c.id.in_(ids))
        else:
            if categories:
                q = q.where(reports.c.category.in_(categories))
            if statuses:
                q = q.where(reports.c.status.in_(statuses))
            if start is not None:
                q = q.where(reports.c.reported_at >= start)
            if end is not None:
                q = q.where(reports.c.reported_at < end)
        with self.read() as conn:
            return [dict(r) for r in conn.execute(q.order_by(reports.c.reported_at.desc()).limit(limit)).mappings()]

    def search_reports(
        self,
        conditions: list,
        terms: list[str],
        limit: int,
        offset: int = 0,
        oldest_first: bool = False,
        with_events: bool = True,
    ) -> list[tuple[dict, list[dict]]]:
        """Reports matching every condition and, when `terms` are given, the full-text index (each term as a
        prefix, all of them), newest first (or oldest), each with its events (read in one more query, not one per
        report; none when not `with_events`). `offset` skips rows: for a page that was not reached by its cursor."""
        q = select(reports).where(*conditions)
        with self.read() as conn:
            if terms:
                match = self._text_match(terms)
                if not self.is_sqlite:
                    # PostgreSQL walks the time index for "newest first" and tests each row, which for a rare word
                    # means the whole table (3 s at 1M). Ask the GIN index first how many match, up to a cap:
                    # fewer, and the page is chosen among those ids; more, and the walk finds a page at once.
                    few = (
                        conn.execute(select(reports.c.id).where(*conditions, match).limit(RARE_MATCHES)).scalars().all()
                    )
                    match = reports.c.id.in_(few) if len(few) < RARE_MATCHES else match
                q = q.where(match)
            order = (
                (reports.c.reported_at, reports.c.id)
                if oldest_first
                else (reports.c.reported_at.desc(), reports.c.id.desc())
            )
            rows = [dict(r) for r in conn.execute(q.order_by(*order).offset(offset or None).limit(limit)).mappings()]
            events: dict[str, list[dict]] = {row["id"]: [] for row in rows}
            if rows and with_events:
                for e in conn.execute(
                    select(report_events)
                    .where(report_events.c.report_id.in_(list(events)))
                    .order_by(report_events.c.id)
                ).mappings():
                    events[e["report_id"]].append(dict(e))
        return [(row, events[row["id"]]) for row in rows]

    def count_reports_where(self, conditions: list, terms: list[str], cap: int | None = None, few: bool = False) -> int:
        """How many reports match; counting stops at `cap` (a screen says "more than 10.000", and the count of a
        million stays cheap). `few`: the conditions alone leave few rows (the newest minutes), so the words are
        checked row by row rather than by listing every report that has them."""
        q = select(reports.c.id).where(*conditions)
        if terms:
            q = q.where(self._text_match(terms, per_row=few))
        if cap is not None:
            q = q.limit(cap)
        with self.read() as conn:
            return conn.execute(select(func.count()).select_from(q.subquery())).scalar_one()

    def _text_match(self, terms: list[str], per_row: bool = False):
        """The dialect's full-text match of all `terms` as prefixes: SQLite FTS5, PostgreSQL tsvector. SQLite lists
        the matching rows once (`per_row`: asks the index about each row instead, for a handful of rows)."""
        if self.is_sqlite:
            fts = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
            if per_row:
                return text(
                    "EXISTS (SELECT 1 FROM reports_fts WHERE reports_fts MATCH :fts AND reports_fts.rowid = "
                    "reports.rowid)"
                ).bindparams(fts=fts)
            return text("reports.rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH :fts)").bindparams(
                fts=fts
            )
        tsq = " & ".join(re.sub(r"[^\w]", "", t) + ":*" for t in terms if re.sub(r"[^\w]", "", t))
        return text("reports.search @@ to_tsquery('simple', :tsq)").bindparams(tsq=tsq or "''")

    def find_by_source_ref(self, source: str, source_ref: str) -> dict | None:
        with self.read() as conn:
            row = conn.execute(_BY_SOURCE_REF, {"source": source, "source_ref": source_ref}).mappings().first()
            return dict(row) if row else None

    def events_between(
        self, start: datetime, end: datetime, source: str | None = None, opds=None, limit: int = 1000
    ) -> list[dict]:
        """Events recorded in [start, end) (not the 'created' ones), oldest first, with their report's source; of one
        source's reports, or of the reports now routed to `opds`."""
        e = report_events.c
        q = (
            select(report_events, reports.c.source)
            .join(reports, reports.c.id == e.report_id)
            .where(e.recorded_at >= start, e.recorded_at < end, e.kind != "created")
        )
        if source:
            q = q.where(reports.c.source == source)
        if opds:
            q = q.where(reports.c.opd.in_(sorted(opds)))
        with self.read() as conn:
            return [dict(r) for r in conn.execute(q.order_by(e.id).limit(limit)).mappings()]

    def count_reports(self) -> int:
        with self.read() as conn:
            return conn.execute(select(func.count()).select_from(reports)).scalar_one()

    def report_ids(self) -> set[str]:
        with self.read() as conn:
            return set(conn.execute(select(reports.c.id)).scalars())

    def feed_latest(self, sources: list[str]) -> dict[str, datetime]:
        """Newest received item per source: one index lookup per source, not a scan of all reports."""
        out = {}
        with self.read() as conn:
            for src in sources:
                ts = conn.execute(_LATEST_BY_SOURCE, {"source": src}).scalar()
                if ts is not None:
                    out[src] = ts if isinstance(ts, datetime) else _parse_ts(ts)
        return out

    # -- outbox ----------------------------------------------------------------------------

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


def _owner_only(db_file: Path) -> None:
    """The database holds reporters' names and phones: readable by its owner only. SQLite gives its -wal and
    -shm files the database file's permissions. An existing file is never opened here: closing any descriptor
    of a database file drops every POSIX lock this process's SQLite connections hold on it."""
    try:
        os.close(os.open(db_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    os.chmod(db_file, 0o600)


_PG_TEXT_INDEX = "CREATE INDEX IF NOT EXISTS ix_reports_search ON reports USING gin (search)"
_FTS_INSERT_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS reports_fts_insert AFTER INSERT ON reports BEGIN "
    "INSERT INTO reports_fts(rowid, source_ref, title, description) "
    "VALUES (new.rowid, new.source_ref, new.title, new.description); END"
)


def _sqlite_datetime(v: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME text, "2026-11-30 10:00:00.000000" (queries compare these strings): the first 26
    characters of the UTC isoformat, converted only when not UTC already."""
    if v is None:
        return None
    return (v if v.tzinfo is timezone.utc else v.astimezone(timezone.utc)).isoformat(" ", "microseconds")[:26]


def _postgres_datetime(v: datetime | None) -> datetime | None:
    return None if v is None else v.astimezone(timezone.utc)


def _json_text(v) -> str:
    return "[]" if not v else json.dumps(v)  # (None and [] alike: an empty list)


@functools.cache
def _insert_plan(postgres: bool, table: Table, keys: frozenset[str]) -> tuple[tuple[str, ...], tuple]:
    """For rows giving `keys`: the columns to write (those given, and those with a Python-side default, as
    SQLAlchemy would fill them) and per column (name, converter to what the driver takes or None, default maker or
    None). Made once per table and shape: working this out per row was a tenth of a POST's time."""
    columns = [c for c in table.columns if c.name in keys or (c.default is not None and not c.primary_key)]
    plan = []
    for c in columns:
        convert = (
            (_postgres_datetime if postgres else _sqlite_datetime)
            if isinstance(c.type, UTCDateTime)
            else _json_text
            if isinstance(c.type, JSON)
            else None
        )
        fill = None
        if c.name not in keys:  # only a default fills it
            fill = (lambda d=c.default: d.arg(None)) if c.default.is_callable else (lambda d=c.default: d.arg)
        plan.append((c.name, convert, fill))
    return tuple(c.name for c in columns), tuple(plan)


def _driver_values(postgres: bool, table: Table, columns: dict[str, list]) -> tuple[tuple[str, ...], list[tuple]]:
    """The columns given (and those with a Python-side default) and the rows' values as the driver takes them,
    converted a column at a time (a moment that repeats down a column, the batch's own time, converted once)."""
    if not columns:
        return (), []
    count = len(next(iter(columns.values())))
    names, plan = _insert_plan(postgres, table, frozenset(columns))
    out = []
    for name, convert, fill in plan:
        values = columns[name] if name in columns else [fill() for _ in range(count)]
        if convert is _json_text or convert is None:
            out.append(list(map(convert, values)) if convert else values)
            continue
        seen: dict = {}
        out.append([seen[v] if v in seen else seen.setdefault(v, convert(v)) for v in values])
    return names, list(zip(*out, strict=True))


def _insert_sql(postgres: bool, table: Table, row: dict, returning_id: bool = False) -> tuple[str, tuple]:
    """One row's INSERT and its values as the driver takes them: made before the write lock is taken."""
    names, plan = _insert_plan(postgres, table, frozenset(row))
    values = tuple(_converted(convert, fill() if fill else row[name]) for name, convert, fill in plan)
    return _insert_text(postgres, table, names, returning_id), values


def _converted(convert, value):
    return convert(value) if convert else value


@functools.cache
def _insert_text(postgres: bool, table: Table, names: tuple[str, ...], returning_id: bool) -> str:
    marks = ", ".join(["%s"] * len(names)) if postgres else ", ".join("?" * len(names))
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})" + (
        " RETURNING id" if returning_id and postgres else ""
    )


def _outbox_payload(event_id: int, report_id: str, event_row: dict) -> dict:
    """What the outbox tells the live worker of one event (event_id first: see _created_together)."""
    return {
        "event_id": event_id,
        "report_id": report_id,
        "kind": event_row["kind"],
        "from": event_row.get("from_status"),
        "to": event_row["to_status"],
        "at": event_row["at"].isoformat(),
    }


def _created_together(
    report_insert: tuple[str, tuple], event_insert: tuple[str, tuple], report_id: str, event_row: dict
) -> tuple[str, tuple]:
    """PostgreSQL: a new report, its 'created' event and its outbox row in ONE statement (data-modifying CTEs; the
    foreign key is checked at the statement's end): one round trip where three were. The payload is the same text
    json.dumps makes, with the event's id written in by the database."""
    rest = json.dumps({k: v for k, v in _outbox_payload(0, report_id, event_row).items() if k != "event_id"})
    sql = (
        f"WITH r AS ({report_insert[0]}), e AS ({event_insert[0]}) "
        "INSERT INTO outbox (event_id, report_id, payload, created_at) "
        "SELECT e.id, %s, '{\"event_id\": ' || e.id || ', ' || %s, %s FROM e"
    )
    return sql, (*report_insert[1], *event_insert[1], report_id, rest[1:], _postgres_datetime(event_row["recorded_at"]))


def _run_insert(conn: Connection, sql: str, values: tuple, returning_id: bool = False) -> int | None:
    """Straight to the driver (the live intake's hot path: SQLAlchemy's statement machinery was ~0.1 ms a
    statement, several per report, inside the write lock). -> the new row's id when asked."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            cur.execute(sql, values)
            return cur.fetchone()[0] if returning_id else None
    cur = raw.execute(sql, values)
    return cur.lastrowid if returning_id else None


def _bulk_insert(
    conn: Connection, table: Table, names: tuple[str, ...], values: list[tuple], deferred_text: bool = False
) -> None:
    """Many rows at the driver's speed (values as `_driver_values` made them): sqlite3's executemany or PostgreSQL's
    COPY (SQLAlchemy's per-row bind processing was ~40 % of a bulk import). Same transaction as `conn`.
    deferred_text: inside Store.bulk_load (the text index is built at its end)."""
    if not values:
        return
    postgres = conn.dialect.name == "postgresql"
    raw = conn.connection.driver_connection
    if postgres:
        # binary: the server takes numbers and moments as they are, where text it would parse (a third of its time)
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(_copy_types(table, names))
            for v in values:
                copy.write_row(v)
        return
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    fts = (
        table is reports
        and not deferred_text
        and conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'reports_fts_insert'").first()
    )
    if not fts:
        raw.executemany(sql, values)
        return
    # The full-text index's per-row trigger costs more than the row itself: for a batch, the trigger is set aside
    # inside this transaction and the new rows are indexed in one statement (nobody sees the schema without it).
    first = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM reports").scalar_one()
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS reports_fts_insert")
    raw.executemany(sql, values)
    conn.exec_driver_sql(
        "INSERT INTO reports_fts(rowid, source_ref, title, description) "
        "SELECT rowid, source_ref, title, description FROM reports WHERE rowid > ?",
        (first,),
    )
    conn.exec_driver_sql(_FTS_INSERT_TRIGGER)


@functools.cache
def _copy_types(table: Table, names: tuple[str, ...]) -> list[str]:
    """PostgreSQL's names of the columns' types, for a binary COPY. JSON goes as the text `_json_text` made (json's
    binary form is its text; declared json, psycopg would encode the text again)."""

    def pg_type(kind) -> str:
        for python_type, name in (
            (UTCDateTime, "timestamptz"),
            (JSON, "text"),
            (Text, "text"),
            (String, "varchar"),
            (Float, "float8"),
            (Integer, "int4"),
        ):
            if isinstance(kind, python_type):
                return name
        raise TypeError(f"no COPY type for {kind!r}")

    return [pg_type(table.c[name].type) for name in names]


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _parse_ts(value) -> datetime:
    """SQLite's max() returns the stored text, not a datetime."""
    dt = datetime.fromisoformat(str(value))
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt
