"""Reading reports as a viewer may see them: one report (with or without its reporter, audited), a page of a
search, counts, map points, and a report's public shape."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace

from data_feeds.clock import iso_utc
from data_feeds.refusal import Kind, Refusal
from data_feeds.reports import human_id, sla
from data_feeds.reports.lifecycle import INTERNAL_KINDS
from data_feeds.store import NotFound

REPORT_ID = re.compile(r"^[0-9A-Za-z]{1,32}$")  # ULIDs; anything else is no report (and never reaches the store)
SOURCE_REF = re.compile(r"^[A-Za-z0-9._:\-]{1,80}$")  # a sender's own id, as the feed contract allows it
# Events written before the key id had its own column carried it in the actor: "laksa (key a3b095507e2f)".
_LEGACY_KEY_SUFFIX = re.compile(r" \(key [0-9a-f]+\)$")


def _internal(event: dict) -> bool:
    return event["kind"] in INTERNAL_KINDS


def _public_actor(actor: str | None) -> str | None:
    """Who acted, as the public sees it: the source or agency, never a key id."""
    return _LEGACY_KEY_SUFFIX.sub("", actor) if actor else actor


class ReportReads:
    """ReportService's reads: scoped to who asks (access.viewer), the store's SQL in repository.py."""

    def get(self, report_id: str, internal: bool = False) -> dict:
        """The report and its event log, public fields only (`internal`: with the room's internal notes and who it
        is assigned to, for a viewer who reads_internal)."""
        row, events = self.stored(report_id)
        return self._shaped(row, events, internal)

    def _shaped(self, row: dict, events: list[dict], internal: bool) -> dict:
        out = {**self.public(row), "events": [self._event(e) for e in events if internal or not _internal(e)]}
        if internal:
            out["assignee"] = row.get("assignee")
        return out

    def stored(self, report_id: str) -> tuple[dict, list[dict]]:
        """The report's row and events as stored, or not found (an id of no report's shape never reaches the store)."""
        if not REPORT_ID.match(report_id):
            raise Refusal.one(Kind.NOT_FOUND, "id", "no report with that id", "refuse_not_found")
        try:
            return self.repository.get_report(report_id)
        except NotFound:
            raise Refusal.one(Kind.NOT_FOUND, "id", f"no report with id {report_id!r}", "refuse_not_found") from None

    def search(
        self,
        query,
        who,
        limit: int,
        after=None,
        personal: bool = False,
        address: str | None = None,
        offset: int = 0,
        oldest_first: bool = False,
    ) -> tuple[list[dict], str | None]:
        """Reports matching `query` (reports.search.ReportQuery) that `who` may see, newest first (or oldest), in the
        public shape of `get`; with the reporter's contact when asked for by one who reads it (each report so read is
        audited, before the answer leaves). -> (reports, cursor for the next page or None). A page continues
        after a cursor; `offset` is for a page reached without one (a table's scrollbar dragged far down)."""
        from data_feeds.reports import search

        by_due = query.order == "due"
        rows = self.repository.search_reports(
            self._scoped_conditions(query, who) + search.keyset(after, oldest_first, by_due),
            search.fts_terms(query.q),
            limit + 1,
            offset=offset,
            oldest_first=oldest_first,
            by_due=by_due,
        )
        more, rows = len(rows) > limit, rows[:limit]
        out = [self._shaped(row, events, who.reads_internal) for row, events in rows]
        if personal and who.reads_personal and rows:
            now = self.clock()
            self.store.audit_many(
                [
                    dict(
                        at=now,
                        actor_kind=who.kind,
                        actor=who.id,
                        action="personal_read",
                        outcome="allowed",
                        report_id=row["id"],
                        address=(address or "")[:64] or None,
                        detail=f"list; {who.name}"[:300],
                    )
                    for row, _events in rows
                ]
            )
            for item, (row, _events) in zip(out, rows, strict=True):
                item["reporter"] = self.sealer.reporter(row)
        return out, (search.encode_cursor(rows[-1][0], by_due) if more else None)

    def _scoped_conditions(self, query, who) -> list:
        if not who.sees_reports:
            raise Refusal.one(Kind.FORBIDDEN, "role", "this account sees complaint aggregates, not single reports")
        if not who.lists_reports:
            raise Refusal.one(
                Kind.FORBIDDEN,
                "role",
                "a wall screen shows its wall and one report at a time, not lists of reports",
                "refuse_screen_lists",
            )
        source, opds = who.report_filter()
        return query.scoped(source, opds).conditions(self.routing, self.clock())

    def queue_counts(self, query, who) -> dict[str, int]:
        """How many of `who`'s open reports matching `query` are overdue, due within two hours, due later today."""
        from data_feeds.reports import search

        conditions = self._scoped_conditions(query, who)
        return {
            name: self.repository.count_reports_where(conditions + extra, search.fts_terms(query.q))
            for name, extra in search.queue_counts(self.clock()).items()
        }

    def count(self, query, who, cap: int | None = None, arrived_since: datetime | None = None) -> int:
        """How many reports match `query` among those `who` may see (up to `cap`); only those that arrived since a
        moment when given (reports.search.arrived_since: the list's "new since you opened it")."""
        from data_feeds.reports import search

        conditions = self._scoped_conditions(query, who)
        if arrived_since is not None:
            conditions += search.arrived_since(arrived_since)
        return self.repository.count_reports_where(
            conditions, search.fts_terms(query.q), cap, few=arrived_since is not None
        )

    def points(self, query, who, limit: int, shape: Callable[[SimpleNamespace, str], dict]) -> list[dict]:
        """The newest `limit` matching reports that `who` may see, each given to `shape` with its SLA clock state
        (the caller's marker, e.g. live.snapshot.marker_feature)."""
        from data_feeds.reports import search

        now = self.clock()
        out = []
        for row, _events in self.repository.search_reports(
            self._scoped_conditions(query, who), search.fts_terms(query.q), limit, with_events=False
        ):
            state, _due = sla.clock_state(
                row["status"], row["reported_at"], self.routing.categories[row["category"]], now
            )
            out.append(shape(SimpleNamespace(**row), state))
        return out

    def get_personal(self, report_id: str, who, address: str | None) -> dict:
        """The report with its reporter's name and phone, for a viewer (access.viewer.Viewer: a person, or a key
        with the personal role) who reads personal data and whose report it is. The read is audited in the same
        transaction (a refused one too); no row, no data. Out of the viewer's scope: not found, as for no report."""
        if not REPORT_ID.match(report_id):
            raise Refusal.one(Kind.NOT_FOUND, "id", "no report with that id", "refuse_not_found")

        def judge(row: dict) -> dict:
            return dict(
                at=self.clock(),
                actor_kind=who.kind,
                actor=who.id,
                action="personal_read",
                outcome="allowed" if who.sees(row) and who.reads_personal else "refused",
                report_id=row["id"],
                address=(address or "")[:64] or None,
                detail=who.name[:300],
            )

        try:
            row, events, entry = self.repository.read_audited(report_id, judge)
        except NotFound:
            raise Refusal.one(Kind.NOT_FOUND, "id", f"no report with id {report_id!r}", "refuse_not_found") from None
        if entry["outcome"] != "allowed":
            raise Refusal.one(
                Kind.NOT_FOUND,
                "id",
                f"no report with id {report_id!r} that this {who.kind} may read",
                "refuse_not_found",
            )
        return {**self._shaped(row, events, who.reads_internal), "reporter": self.sealer.reporter(row)}

    def resolve(self, ref: str, who) -> str:
        """The report's id for what a person or a citizen quotes: its own id, or the source's own id
        (`LKS-2026-000123`) among the reports `who` may see. Anything else reads as no report (not found)."""
        if REPORT_ID.match(ref):
            try:
                row, _events = self.repository.get_report(ref)
                return row["id"]
            except NotFound:
                pass
        if (human := human_id.normal(ref)) is not None:
            row = self.repository.find_by_human_ref(human)
            if row is not None and who.sees(row):
                return row["id"]
        for quoted in dict.fromkeys((ref, ref.upper())) if SOURCE_REF.match(ref) else ():  # (as typed, then LKS-...)
            found = [
                row
                for source in self.routing.sources
                if (row := self.repository.find_by_source_ref(source, quoted)) is not None and who.sees(row)
            ]
            if len(found) == 1:
                return found[0]["id"]
        raise Refusal.one(
            Kind.NOT_FOUND, "id", f"no report {ref[:80]!r} that this {who.kind} may read", "refuse_not_found"
        )

    def get_for(self, report_id: str, who) -> dict:
        """The public report (no personal data) if `who` may see it; not found alike for none and for another's."""
        report = self.get(report_id, who.reads_internal)
        if not who.sees(who.scope_fields(report)):
            raise Refusal.one(
                Kind.NOT_FOUND,
                "id",
                f"no report with id {report_id!r} that this {who.kind} may read",
                "refuse_not_found",
            )
        return report

    def page(self, ref: str, who, address: str | None = None) -> dict:
        """One report's page for `who`: the report (with the reporter's contact, audited, for those who read it),
        and the reports marked as its duplicates that `who` may see. Not found for none and for another's."""
        report_id = self.resolve(ref, who)
        report = self.get_personal(report_id, who, address) if who.reads_personal else self.get_for(report_id, who)
        report["duplicates"] = [
            {
                "id": row["id"],
                "human_id": human_id.of(row),
                "source_id": row["source_ref"],
                "title": row["title"],
                "reported_at": iso_utc(row["reported_at"]),
            }
            for row in self.repository.duplicates_of(report_id)
            if who.sees(row)
        ]
        return report

    def public(self, row: dict) -> dict:
        """The report as other tools see it: no reporter name or phone (personal data)."""
        cat = self.routing.categories[row["category"]]
        kec = self.gazetteer.kecamatan.get(row["kode_kec"] or "")
        kel = self.gazetteer.kelurahan.get(row["kode_kel"] or "")
        opd = self.routing.opds.get(row["opd"] or "")
        return {
            "id": row["id"],
            "human_id": human_id.of(row),
            "source": row["source"],
            "source_id": row["source_ref"],
            "category": row["category"],
            "category_name": cat.name_id,
            "title": row["title"],
            "description": row["description"],
            "lat": row["lat"],
            "lon": row["lon"],
            "kecamatan": {"code": kec.code, "name": kec.name} if kec else None,
            "kelurahan": {"code": kel.code, "name": kel.name} if kel else None,
            "address": row["address"],
            "reported_at": iso_utc(row["reported_at"]),
            "received_at": iso_utc(row["received_at"]),
            "status": row["status"],
            "opd": {"code": opd.code, "name": opd.name} if opd else None,
            "first_response_at": iso_utc(row["first_response_at"]),
            "resolved_at": iso_utc(row["resolved_at"]),
            "media": list(row["media"] or []),
            "duplicate_of": row.get("duplicate_of"),
            "rating": row.get("rating"),  # the citizen's score after selesai (1..5), if sent
            "review": row["status"] == "selesai" and row.get("due_at") is not None,  # a low rating waits for the room
            "sla": {
                k: iso_utc(v) if isinstance(v, datetime) else v
                for k, v in sla.report_sla(row, cat, self.clock()).items()
            },
        }

    @staticmethod
    def _event(e: dict) -> dict:
        return {
            "id": e["id"],
            "kind": e["kind"],
            "from": e["from_status"],
            "to": e["to_status"],
            "opd": e["opd"],
            "actor": _public_actor(e["actor"]),
            "note": e["note"],
            "evidence": e["evidence"],
            "at": iso_utc(e["at"]),
            "recorded_at": iso_utc(e["recorded_at"]),
        }
