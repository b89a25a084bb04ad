"""Report intake and workflow: validate, place on the map, route, store, and describe.

Both the HTTP API and the demo feed go through here, so every report meets the same rules.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import numpy as np
from ulid import ULID

from data_feeds.access.keys import Principal
from data_feeds.clock import iso_utc, utcnow
from data_feeds.reports import lifecycle, sla
from data_feeds.reports.categories import RoutingTable
from data_feeds.reports.contract import ReportIn, StatusChangeIn
from data_feeds.reports.repository import ReportRepository
from data_feeds.store import NotFound, Store
from data_feeds.validation import ApiError, parse
from geodata.gazetteer import Gazetteer
from geodata.locate import Locator

FUTURE_SKEW = timedelta(minutes=5)
# What people do from the dashboard, and who may: "forward" actions are the LIVE Room operators';
# "progress" actions belong to the agency the report is routed to (and the operators).
PERSON_ACTIONS = {
    "forward": "forward",
    "duplicate": "forward",
    "reject": "forward",
    "escalate": "forward",
    "process": "progress",
    "resolve": "progress",
}
REPORT_ID = re.compile(r"^[0-9A-Za-z]{1,32}$")  # ULIDs; anything else is no report (and never reaches the store)
SOURCE_REF = re.compile(r"^[A-Za-z0-9._:\-]{1,80}$")  # a sender's own id, as the feed contract allows it
# Events written before the key id had its own column carried it in the actor: "laksa (key a3b095507e2f)".
_LEGACY_KEY_SUFFIX = re.compile(r" \(key [0-9a-f]+\)$")


def new_report_ids(count: int) -> list[str]:
    """`count` fresh ULIDs (the moment now, then 80 random bits), as `str(ULID())` spells them, made together: one
    at a time they were a tenth of a bulk import's checks. Spelled for the whole batch at once: the 128 bits after
    two zero bits, five bits a letter of Crockford's base32."""
    raw = np.empty((count, 16), dtype=np.uint8)
    raw[:, :6] = np.frombuffer(int(time.time() * 1000).to_bytes(6, "big"), dtype=np.uint8)
    raw[:, 6:] = np.frombuffer(os.urandom(10 * count), dtype=np.uint8).reshape(count, 10)
    bits = np.zeros((count, 130), dtype=np.uint8)
    bits[:, 2:] = np.unpackbits(raw, axis=1)
    letters = _CROCKFORD[bits.reshape(count, 26, 5) @ _FIVE_BITS]
    text = letters.tobytes().decode("ascii")
    return [text[26 * k : 26 * k + 26] for k in range(count)]


_CROCKFORD = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", dtype=np.uint8)
_FIVE_BITS = np.array([16, 8, 4, 2, 1], dtype=np.uint8)


def _public_actor(actor: str | None) -> str | None:
    """Who acted, as the public sees it: the source or agency, never a key id."""
    return _LEGACY_KEY_SUFFIX.sub("", actor) if actor else actor


class ReportService:
    def __init__(
        self,
        store: Store,
        routing: RoutingTable,
        gazetteer: Gazetteer,
        locator: Callable[[], Locator],
        clock: Callable[[], datetime] = utcnow,
    ):
        """locator: gives the current Locator (boundaries can be re-imported while the app runs)."""
        self.store, self.routing, self.gazetteer, self._locator, self.clock = store, routing, gazetteer, locator, clock
        self.repository = ReportRepository(store)

    @property
    def locator(self) -> Locator:
        return self._locator()

    # -- intake ----------------------------------------------------------------------------

    def submit(self, payload) -> tuple[dict, bool]:
        """Validate and store a report. -> (public report, created). Raises ApiError."""
        row, created_event = self.prepare(payload, self.clock())
        stored, created = self.repository.insert_report(row, created_event)
        return self.public(stored), created

    def prepare(self, payload, now: datetime) -> tuple[dict, dict]:
        """Validate a report and place it on the map. -> (report row, its 'created' event); stores nothing."""
        report = self.validate(payload, now)
        return self.build(report, now, *self._place(report))

    def prepare_many(self, payloads: list, now: datetime) -> list[tuple[dict, dict] | ApiError]:
        """`prepare` for a batch (bulk import): the same rules, with every point placed in one vectorised query.
        -> per payload, (row, created event) or the ApiError that refuses it."""
        out: list = [None] * len(payloads)
        plain: list[tuple[int, ReportIn]] = []  # placed by coordinates alone: the batch query
        for i, payload in enumerate(payloads):
            try:
                report = self.validate(payload, now)
            except ApiError as exc:
                out[i] = exc
                continue
            if report.kecamatan or report.kelurahan:
                out[i] = self._prepare_placed(report, now)
            else:
                plain.append((i, report))
        if plain:
            locator = self.locator
            found = locator.assign([r.lon for _, r in plain], [r.lat for _, r in plain])
            for (i, report), idx in zip(plain, found, strict=True):
                if idx < 0:
                    out[i] = self._prepare_placed(report, now)  # outside: the one-point path says how far, and where
                else:
                    out[i] = self.build(report, now, *locator.codes(int(idx)))
        return out

    def _prepare_placed(self, report: ReportIn, now: datetime) -> tuple[dict, dict] | ApiError:
        try:
            return self.build(report, now, *self._place(report))
        except ApiError as exc:
            return exc

    def validate(self, payload, now: datetime) -> ReportIn:
        """A report as the contract takes it, from a known source, in a known category, not from the future."""
        report: ReportIn = parse(ReportIn, payload)
        if report.source not in self.routing.sources:
            raise ApiError.one(
                422, "source", f"unknown source {report.source!r}; one of: {', '.join(self.routing.sources)}"
            )
        if report.category not in self.routing.categories:
            raise ApiError.one(
                422, "category", f"unknown category {report.category!r}; one of: {', '.join(self.routing.categories)}"
            )
        reported_at = report.reported_at.astimezone(timezone.utc) if report.reported_at else now
        if reported_at > now + FUTURE_SKEW:
            raise ApiError.one(422, "reported_at", "is in the future")
        return report

    def build(self, report: ReportIn, now: datetime, kode_kec: str, kode_kel: str | None) -> tuple[dict, dict]:
        """The report row and its 'created' event, for a validated and placed report."""
        reported_at = report.reported_at.astimezone(timezone.utc) if report.reported_at else now
        row = dict(
            id=str(ULID()),
            source=report.source,
            source_ref=report.id,
            category=report.category,
            title=report.title,
            description=report.description,
            lat=report.lat,
            lon=report.lon,
            kode_kec=kode_kec,
            kode_kel=kode_kel,
            address=report.address,
            reported_at=reported_at,
            received_at=now,
            reporter_name=report.reporter.name if report.reporter else None,
            reporter_phone=report.reporter.phone if report.reporter else None,
            media=list(report.media),
            status="baru",
            opd=self.routing.default_opd(report.category).code,
            first_response_at=None,
            resolved_at=None,
            updated_at=now,
        )
        created_event = dict(
            kind="created",
            from_status=None,
            to_status="baru",
            opd=row["opd"],
            actor=report.source,
            note=None,
            evidence=[],
            at=reported_at,
            recorded_at=now,
        )
        return row, created_event

    def replay(self, row: dict, events: list[dict], changes: list[dict], now: datetime) -> tuple[dict, list[dict]]:
        """Apply later status changes to a prepared report, by the same rules as live ones (for imported
        history). -> (report row in its final state, all its events)."""
        current, history = dict(row), list(events)
        for payload in changes:
            change: StatusChangeIn = parse(StatusChangeIn, payload)
            lifecycle.validate_request(change, self.routing)
            event, updates = lifecycle.decide(current, history, change, self.routing, now)
            current.update(updates)
            history.append(event)
        return current, history

    def _place(self, report: ReportIn) -> tuple[str, str | None]:
        """Kecamatan/kelurahan codes: from the coordinates, or checked against them when given."""
        where = self.locator.locate(report.lon, report.lat)
        if not where.inside:
            km = where.distance_outside_m / 1000
            raise ApiError.one(
                422,
                "lat,lon",
                f"({report.lat}, {report.lon}) is {km:.1f} km outside Kota Tangerang "
                f"(nearest kecamatan: {where.kecamatan})",
            )
        kode_kec, kode_kel = where.kode_kec, where.kode_kel
        if report.kecamatan:
            kec = self.gazetteer.find_kecamatan(report.kecamatan)
            if kec is None:
                raise ApiError.one(422, "kecamatan", f"unknown kecamatan {report.kecamatan!r} in Kota Tangerang")
            kode_kec = kec.code
            if not report.kelurahan and kode_kel and not kode_kel.startswith(kec.code):
                kode_kel = None  # the sender's kecamatan wins; don't keep a kelurahan from another one
        if report.kelurahan:
            matches = self.gazetteer.find_kelurahan(report.kelurahan, kode_kec if report.kecamatan else None)
            if not matches:
                raise ApiError.one(
                    422,
                    "kelurahan",
                    f"unknown kelurahan {report.kelurahan!r}"
                    + (f" in kecamatan {report.kecamatan}" if report.kecamatan else ""),
                )
            if len(matches) > 1:
                names = ", ".join(self.gazetteer.kecamatan[m.kecamatan_code].name for m in matches)
                raise ApiError.one(
                    422, "kelurahan", f"{report.kelurahan!r} exists in several kecamatan ({names}); give kecamatan"
                )
            kode_kel, kode_kec = matches[0].code, matches[0].kecamatan_code
        return kode_kec, kode_kel

    # -- workflow --------------------------------------------------------------------------

    def change_status(
        self, report_id: str, payload, by: Principal | None = None, external_id: str | None = None
    ) -> tuple[dict, int, bool]:
        """Move a report along the lifecycle. `by` (an API key): the report must be its to act on, checked on the
        state the write sees, and it is recorded as the actor when the change names no one.
        -> (public report, event id, written now: False when `external_id` was seen before)."""
        change: StatusChangeIn = parse(StatusChangeIn, payload)
        if change.actor is None and by is not None:
            change = change.model_copy(update={"actor": by.name})
        lifecycle.validate_request(change, self.routing)
        now = self.clock()

        def decide(current, history, lookup):
            event, updates = lifecycle.decide(current, history, change, self.routing, now, lookup)
            return {**event, "actor_key": by.key_id if by else None}, updates

        row, event_id, written = self._apply(report_id, decide, by, external_id)
        return self.public(row), event_id, written

    def act(
        self,
        report_id: str,
        action: str,
        who,
        opd: str | None = None,
        note: str | None = None,
        duplicate_of: str | None = None,
        evidence: list | None = None,
    ) -> dict:
        """A person's action on a report from the dashboard, with the person as the event's actor.
        `who` (access.viewer.Viewer) is checked on the state the write sees: a report outside their scope
        reads as none (404); an action their role does not have is refused (403).
        -> the public report as it now is."""
        if action not in PERSON_ACTIONS:
            raise ApiError.one(422, "action", f"unknown action {action!r}; one of: {', '.join(PERSON_ACTIONS)}")
        now = self.clock()

        def authorise(current: dict) -> None:
            if not who.sees(current):
                raise ApiError.one(404, "id", f"no report with id {report_id!r} that this {who.kind} may read")
            if PERSON_ACTIONS[action] == "forward" and not who.forwards:
                raise ApiError.one(403, "action", f"{action} is for the LIVE Room's operators")
            if PERSON_ACTIONS[action] == "progress" and not who.progresses(current):
                raise ApiError.one(403, "action", f"{action} is for the agency the report is routed to")

        if action == "escalate":

            def decide(current, _history, _lookup):
                return lifecycle.escalate(current, note, who.name, now), {"updated_at": now}
        else:
            payload = {
                "forward": {"status": "diproses", "opd": opd},
                "duplicate": {"status": "duplikat", "duplicate_of": duplicate_of},
                "reject": {"status": "ditolak"},
                "process": {"status": "diproses"},
                "resolve": {"status": "selesai", "evidence": evidence or []},
            }[action]
            change: StatusChangeIn = parse(StatusChangeIn, {**payload, "note": note or None, "actor": who.name[:120]})
            lifecycle.validate_request(change, self.routing)

            def decide(current, history, lookup):
                return lifecycle.decide(current, history, change, self.routing, now, lookup)

        if not REPORT_ID.match(report_id):
            raise ApiError.one(404, "id", "no report with that id")
        try:
            row, _event_id, _written = self.repository.apply_event(report_id, decide, authorise=authorise)
        except NotFound:
            raise ApiError.one(404, "id", f"no report with id {report_id!r}") from None
        return self.public(row)

    def comment(
        self, report_id: str, note: str, media: list[str], by: Principal, external_id: str | None = None
    ) -> tuple[int, bool]:
        """A remark on a report that moves nothing (a citizen's comment from a 311 client). -> (event
        id, written now).
        """
        now = self.clock()

        def decide(current, history, _lookup):
            event = lifecycle.comment(current, note, media, by.name, now)
            return {**event, "actor_key": by.key_id}, {"updated_at": now}

        _row, event_id, written = self._apply(report_id, decide, by, external_id)
        return event_id, written

    def _apply(self, report_id: str, decide, by: Principal | None, external_id: str | None):
        if not REPORT_ID.match(report_id):
            raise ApiError.one(404, "id", "no report with that id")
        try:
            return self.repository.apply_event(
                report_id, decide, external_id=external_id, authorise=by.require_scope if by is not None else None
            )
        except NotFound:
            raise ApiError.one(404, "id", f"no report with id {report_id!r}") from None

    def get(self, report_id: str) -> dict:
        """The report and its event log, public fields only."""
        if not REPORT_ID.match(report_id):
            raise ApiError.one(404, "id", "no report with that id")
        try:
            row, events = self.repository.get_report(report_id)
        except NotFound:
            raise ApiError.one(404, "id", f"no report with id {report_id!r}") from None
        return {**self.public(row), "events": [self._event(e) for e in events]}

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

        rows = self.repository.search_reports(
            self._scoped_conditions(query, who) + search.keyset(after, oldest_first),
            search.fts_terms(query.q),
            limit + 1,
            offset=offset,
            oldest_first=oldest_first,
        )
        more, rows = len(rows) > limit, rows[:limit]
        out = [{**self.public(row), "events": [self._event(e) for e in events]} for row, events in rows]
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
                item["reporter"] = {"name": row["reporter_name"], "phone": row["reporter_phone"]}
        return out, (search.encode_cursor(rows[-1][0]) if more else None)

    def _scoped_conditions(self, query, who) -> list:
        if not who.sees_reports:
            raise ApiError.one(403, "role", "this account sees complaint aggregates, not single reports")
        source, opds = who.report_filter()
        return query.scoped(source, opds).conditions(self.routing, self.clock())

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
        transaction (a refused one too); no row, no data. Out of the viewer's scope: 404, as for no report."""
        if not REPORT_ID.match(report_id):
            raise ApiError.one(404, "id", "no report with that id")

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
            raise ApiError.one(404, "id", f"no report with id {report_id!r}") from None
        if entry["outcome"] != "allowed":
            raise ApiError.one(404, "id", f"no report with id {report_id!r} that this {who.kind} may read")
        return {
            **self.public(row),
            "events": [self._event(e) for e in events],
            "reporter": {"name": row["reporter_name"], "phone": row["reporter_phone"]},
        }

    def resolve(self, ref: str, who) -> str:
        """The report's id for what a person or a citizen quotes: its own id, or the source's own id
        (`LKS-2026-000123`) among the reports `who` may see. Anything else reads as no report (404)."""
        if REPORT_ID.match(ref):
            try:
                row, _events = self.repository.get_report(ref)
                return row["id"]
            except NotFound:
                pass
        if SOURCE_REF.match(ref):
            found = [
                row
                for source in self.routing.sources
                if (row := self.repository.find_by_source_ref(source, ref)) is not None and who.sees(row)
            ]
            if len(found) == 1:
                return found[0]["id"]
        raise ApiError.one(404, "id", f"no report {ref[:80]!r} that this {who.kind} may read")

    def get_for(self, report_id: str, who) -> dict:
        """The public report (no personal data) if `who` may see it; 404 alike for none and for another's."""
        report = self.get(report_id)
        if not who.sees(who.scope_fields(report)):
            raise ApiError.one(404, "id", f"no report with id {report_id!r} that this {who.kind} may read")
        return report

    def page(self, ref: str, who, address: str | None = None) -> dict:
        """One report's page for `who`: the report (with the reporter's contact, audited, for those who read it),
        and the reports marked as its duplicates that `who` may see. 404 for none and for another's."""
        report_id = self.resolve(ref, who)
        report = self.get_personal(report_id, who, address) if who.reads_personal else self.get_for(report_id, who)
        report["duplicates"] = [
            {
                "id": row["id"],
                "source_id": row["source_ref"],
                "title": row["title"],
                "reported_at": iso_utc(row["reported_at"]),
            }
            for row in self.repository.duplicates_of(report_id)
            if who.sees(row)
        ]
        return report

    # -- shapes ----------------------------------------------------------------------------

    def public(self, row: dict) -> dict:
        """The report as other tools see it: no reporter name or phone (personal data)."""
        cat = self.routing.categories[row["category"]]
        kec = self.gazetteer.kecamatan.get(row["kode_kec"] or "")
        kel = self.gazetteer.kelurahan.get(row["kode_kel"] or "")
        opd = self.routing.opds.get(row["opd"] or "")
        return {
            "id": row["id"],
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
