"""Reports in the store: their SQL, beside the rules in service.py and lifecycle.py.

One transaction writes the event, the report's state derived from it and its outbox row; the API answers 201
only after that commit (the group committer's)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import (
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection

from data_feeds.reports import human_id
from data_feeds.reports.batch import DriverRows, ReportColumns
from data_feeds.reports.evidence_store import adopt
from data_feeds.reports.lifecycle import INTERNAL_KINDS
from data_feeds.store import NotFound, Store, audit_events, report_events, reports
from data_feeds.store.inserts import (
    bulk_insert,
    chunks,
    driver_values,
    insert_plan,
    insert_sql,
    parse_ts,
    postgres_datetime,
    run_insert,
)
from data_feeds.store.outbox import announce_bulk, append_event, outbox_payload

BY_SOURCE_REF = select(reports).where(
    reports.c.source == bindparam("source"), reports.c.source_ref == bindparam("source_ref")
)


LATEST_BY_SOURCE = select(func.max(reports.c.received_at)).where(reports.c.source == bindparam("source"))


def created_together(
    report_insert: tuple[str, tuple], event_insert: tuple[str, tuple], report_id: str, event_row: dict
) -> tuple[str, tuple]:
    """PostgreSQL: a new report, its 'created' event and its outbox row in ONE statement (data-modifying CTEs; the
    foreign key is checked at the statement's end): one round trip where three were. The payload is the same text
    json.dumps makes, with the event's id written in by the database."""
    rest = json.dumps({k: v for k, v in outbox_payload(0, report_id, event_row).items() if k != "event_id"})
    sql = (
        f"WITH r AS ({report_insert[0]}), e AS ({event_insert[0]}) "
        "INSERT INTO outbox (event_id, report_id, payload, created_at) "
        "SELECT e.id, %s, '{\"event_id\": ' || e.id || ', ' || %s, %s FROM e"
    )
    return sql, (*report_insert[1], *event_insert[1], report_id, rest[1:], postgres_datetime(event_row["recorded_at"]))


RARE_MATCHES = 2000  # a search with fewer hits than this is paged from its hits, not by walking the time index


class ReportRepository:
    """The reports' SQL over a Store: intake (one, or a batch with its history), lifecycle events, reads."""

    def __init__(self, store: Store):
        self.store = store
        self.is_sqlite = store.is_sqlite

    def insert_report(self, row: dict, event_row: dict) -> tuple[dict, bool]:
        """Insert a report with its 'created' event and outbox row; returns once committed.
        Idempotent on (source, source_ref): a repeat returns the stored report and False, and writes nothing."""

        postgres = not self.is_sqlite
        numbered = not row.get("source_ref")  # no sender's id: a human id is drawn inside the write
        if numbered:
            row = {**row, "human_ref": ""}
            slot = insert_plan(postgres, reports, frozenset(row))[0].index("human_ref")  # (first in `together` too)
        report_insert = insert_sql(postgres, reports, row)  # prepared here: not while the write lock is held
        event_insert = insert_sql(postgres, report_events, {"report_id": row["id"], **event_row}, returning_id=True)

        together = created_together(report_insert, event_insert, row["id"], event_row) if postgres else None

        def job(conn: Connection) -> tuple[dict, bool]:
            if not numbered:
                existing = (
                    conn.execute(BY_SOURCE_REF, {"source": row["source"], "source_ref": row["source_ref"]})
                    .mappings()
                    .first()
                )
                if existing:
                    return dict(existing), False
                stored = row
                statement = together or report_insert
            else:
                prefix = human_id.prefix_for(row["received_at"])
                ref = human_id.spelled(prefix, human_id.reserve(conn, prefix, 1))
                stored = {**row, "human_ref": ref}
                sql, values = together or report_insert
                statement = (sql, (*values[:slot], ref, *values[slot + 1 :]))
            run_insert(conn, *statement)
            if not together:
                append_event(conn, row["id"], event_row, event_insert)
            return stored, True

        return self.store.commit_together(job)

    def driver_rows(self, batch: ReportColumns) -> DriverRows:
        """A batch's values as this store's driver takes them. Touches no connection: a checking process makes it."""
        postgres = not self.is_sqlite
        return DriverRows(
            postgres,
            driver_values(postgres, reports, batch.reports),
            driver_values(postgres, report_events, batch.events),
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
        with self.store.write() as conn:
            refs: dict[str, dict[str, str]] = {}  # source -> sender's id -> report id
            for rid, source, ref in batch.keys:
                if ref:
                    refs.setdefault(source, {})[ref] = rid
            stored: set[str] = set()  # the batch's report ids whose (source, source_ref) is stored
            for source, wanted in refs.items():
                for chunk in chunks(sorted(wanted), 500):
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
            bulk_insert(conn, reports, *fresh.reports, deferred_text=self.store.loading)
            bulk_insert(conn, report_events, *fresh.events)
            human_id.number(conn, [rid for rid, _source, ref in fresh.keys if not ref], recorded_at)
            # inside bulk_load: announced at its end (the dashboards would recompute without indexes)
            if self.store.loading:
                self.store.loaded.append((len(fresh), fresh.keys[-1][0]))
            else:
                announce_bulk(conn, len(fresh), fresh.keys[-1][0], recorded_at)
            return len(fresh), len(batch) - len(fresh)

    def find_by_human_ref(self, ref: str) -> dict | None:
        with self.store.read() as conn:
            row = conn.execute(select(reports).where(reports.c.human_ref == ref)).mappings().first()
            return dict(row) if row else None

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
            event_id = append_event(conn, report_id, {**event_row, "external_id": external_id})
            adopt(conn, report_id, event_id, event_row.get("evidence"))  # the files it names are served from now
            return {**dict(current), **updates}, event_id, True

        return self.store.commit_together(job)

    def read_audited(self, report_id: str, judge: Callable[[dict], dict]) -> tuple[dict, list[dict], dict]:
        """A report and its events for a read that must be audited: `judge(report)` -> the audit row (with its
        outcome), written in the same transaction as the read, so no personal data leaves without its row.
        -> (report, events, audit row). NotFound writes nothing: an unknown id is nobody's data."""
        with self.store.write() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
            if row is None:
                raise NotFound(report_id)
            entry = judge(dict(row))
            conn.execute(audit_events.insert(), entry)
            return dict(row), self._events(conn, report_id), entry

    def _events(self, conn: Connection, report_id: str) -> list[dict]:
        rows = conn.execute(
            select(report_events).where(report_events.c.report_id == report_id).order_by(report_events.c.id)
        ).mappings()
        return [dict(r) for r in rows]

    def get_report(self, report_id: str) -> tuple[dict, list[dict]]:
        with self.store.read() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
            if row is None:
                raise NotFound(report_id)
            return dict(row), self._events(conn, report_id)

    def duplicates_of(self, report_id: str, limit: int = 100) -> list[dict]:
        """The reports marked as duplicates of this one, oldest first."""
        with self.store.read() as conn:
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
        with self.store.read() as conn:
            return [dict(r) for r in conn.execute(q.order_by(reports.c.reported_at.desc()).limit(limit)).mappings()]

    def latest_responses(self, report_ids: list[str]) -> dict[str, str]:
        """Each report's newest public response to the citizen (event kind "response"), by report id."""
        if not report_ids:
            return {}
        e = report_events.c
        newest = (
            select(func.max(e.id))
            .where(e.report_id.in_(report_ids), e.kind == "response")
            .group_by(e.report_id)
            .scalar_subquery()
        )
        with self.store.read() as conn:
            return dict(conn.execute(select(e.report_id, e.note).where(e.id.in_(newest))).all())

    def find_by_source_ref(self, source: str, source_ref: str) -> dict | None:
        with self.store.read() as conn:
            row = conn.execute(BY_SOURCE_REF, {"source": source, "source_ref": source_ref}).mappings().first()
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
            .where(
                e.recorded_at >= start, e.recorded_at < end, e.kind != "created", e.kind.not_in(sorted(INTERNAL_KINDS))
            )
        )
        if source:
            q = q.where(reports.c.source == source)
        if opds:
            q = q.where(reports.c.opd.in_(sorted(opds)))
        with self.store.read() as conn:
            return [dict(r) for r in conn.execute(q.order_by(e.id).limit(limit)).mappings()]

    def count_reports(self) -> int:
        with self.store.read() as conn:
            return conn.execute(select(func.count()).select_from(reports)).scalar_one()

    def report_ids(self) -> set[str]:
        with self.store.read() as conn:
            return set(conn.execute(select(reports.c.id)).scalars())

    def feed_latest(self, sources: list[str]) -> dict[str, datetime]:
        """Newest received item per source: one index lookup per source, not a scan of all reports."""
        out = {}
        with self.store.read() as conn:
            for src in sources:
                ts = conn.execute(LATEST_BY_SOURCE, {"source": src}).scalar()
                if ts is not None:
                    out[src] = ts if isinstance(ts, datetime) else parse_ts(ts)
        return out

    def search_reports(
        self,
        conditions: list,
        terms: list[str],
        limit: int,
        offset: int = 0,
        oldest_first: bool = False,
        with_events: bool = True,
        by_due: bool = False,
    ) -> list[tuple[dict, list[dict]]]:
        """Reports matching every condition and, when `terms` are given, the full-text index (each term as a
        prefix, all of them), newest first (or oldest), each with its events (read in one more query, not one per
        report; none when not `with_events`). `offset` skips rows: for a page that was not reached by its cursor."""
        q = select(reports).where(*conditions)
        with self.store.read() as conn:
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
                (reports.c.due_at, reports.c.id)  # the queue: (due_at, id) indexes, alone or after the opd
                if by_due
                else (reports.c.reported_at, reports.c.id)
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
        with self.store.read() as conn:
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
