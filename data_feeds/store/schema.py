"""The schema made and mended at every process start, and a large load's read indexes set aside and built at its end."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import (
    inspect,
)

from data_feeds.store.outbox import announce_bulk
from data_feeds.store.tables import EVENTS_REPORT_FK, FTS_INSERT_TRIGGER, LOAD_DEFERRED_INDEXES, PG_TEXT_INDEX, metadata


class Schema:
    """Store's schema: create_schema (additive), bulk_load, the full-text index."""

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
        self.loading, self.loaded = True, []
        try:
            yield
        finally:
            self.loading = False
            self._create_deferred()
            if self.loaded:  # announced once, with the indexes the dashboards' queries need
                with self.write() as conn:
                    announce_bulk(
                        conn, sum(count for count, _ in self.loaded), self.loaded[-1][1], datetime.now(timezone.utc)
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
                conn.exec_driver_sql(PG_TEXT_INDEX)

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
                conn.exec_driver_sql(FTS_INSERT_TRIGGER)
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
                conn.exec_driver_sql(PG_TEXT_INDEX)
