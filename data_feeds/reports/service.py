"""Report intake and workflow: validate, place on the map, route, store, and describe.

Both the HTTP API and the demo feed go through here, so every report meets the same rules.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import numpy as np
from ulid import ULID

from data_feeds.access.keys import Principal
from data_feeds.access.viewer import Viewer
from data_feeds.clock import utcnow
from data_feeds.refusal import Kind, Refusal
from data_feeds.reports import lifecycle, sla
from data_feeds.reports.categories import RoutingTable
from data_feeds.reports.contract import RatingIn, ReportIn, ResponseIn, StatusChangeIn
from data_feeds.reports.personal import Sealer
from data_feeds.reports.reads import REPORT_ID, ReportReads
from data_feeds.reports.repository import ReportRepository
from data_feeds.store import NotFound, Store
from data_feeds.validation import parse
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
    "assign": "progress",  # (to a person of the agency: reports.lifecycle.assign)
    "note": "progress",  # an internal note: the room's and the agency's
    "respond": "progress",  # a public response to the citizen
    "confirm": "forward",  # a low rating reviewed, the resolution confirmed (the room's)
}


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


def allowed_actions(report: dict, who) -> list[str]:
    """The actions `who` may take on `report` (its stored row, or its public shape) as it stands: its role's and
    scope's, and only those its state allows (lifecycle.action_open). What the page and the card offer."""
    fields = {"opd": report.get("opd"), "source": report.get("source")}
    if isinstance(fields["opd"], dict):
        fields["opd"] = fields["opd"].get("code")
    if who is None or who.kind != "person" or not who.sees(fields):
        return []
    role_may = {"forward": who.forwards, "progress": who.progresses(fields)}
    return [
        a
        for a, kind in PERSON_ACTIONS.items()
        if role_may[kind] and lifecycle.action_open(a, report["status"]) and (a != "confirm" or report.get("review"))
    ]


def _authorise(current: dict, action: str, who, report_id: str) -> None:
    """Not found for a report outside `who`'s scope (as for none); forbidden for an action their role lacks."""
    if not who.sees(current):
        raise Refusal.one(
            Kind.NOT_FOUND,
            "id",
            f"no report with id {report_id!r} that this {who.kind} may read",
            "refuse_not_found",
        )
    if PERSON_ACTIONS[action] == "forward" and not who.forwards:
        raise Refusal.one(
            Kind.FORBIDDEN, "action", f"{action} is for the LIVE Room's operators", "refuse_for_operators"
        )
    if PERSON_ACTIONS[action] == "progress" and not who.progresses(current):
        raise Refusal.one(
            Kind.FORBIDDEN, "action", f"{action} is for the agency the report is routed to", "refuse_for_agency"
        )


class ReportService(ReportReads):
    def __init__(
        self,
        store: Store,
        routing: RoutingTable,
        gazetteer: Gazetteer,
        locator: Callable[[], Locator],
        sealer: Sealer,
        clock: Callable[[], datetime] = utcnow,
    ):
        """locator: gives the current Locator (boundaries can be re-imported while the app runs); sealer: keeps
        reporters encrypted (reports/personal.py)."""
        self.store, self.routing, self.gazetteer, self._locator, self.clock = store, routing, gazetteer, locator, clock
        self.sealer = sealer
        self.repository = ReportRepository(store)

    @property
    def locator(self) -> Locator:
        return self._locator()

    # -- intake ----------------------------------------------------------------------------

    def submit(self, payload) -> tuple[dict, bool]:
        """Validate and store a report. -> (public report, created). Raises Refusal."""
        row, created_event = self.prepare(payload, self.clock())
        stored, created = self.repository.insert_report(row, created_event)
        return self.public(stored), created

    def prepare(self, payload, now: datetime) -> tuple[dict, dict]:
        """Validate a report and place it on the map. -> (report row, its 'created' event); stores nothing."""
        report = self.validate(payload, now)
        return self.build(report, now, *self._place(report))

    def prepare_many(self, payloads: list, now: datetime) -> list[tuple[dict, dict] | Refusal]:
        """`prepare` for a batch (bulk import): the same rules, with every point placed in one vectorised query.
        -> per payload, (row, created event) or the Refusal that refuses it."""
        out: list = [None] * len(payloads)
        plain: list[tuple[int, ReportIn]] = []  # placed by coordinates alone: the batch query
        for i, payload in enumerate(payloads):
            try:
                report = self.validate(payload, now)
            except Refusal as exc:
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

    def _prepare_placed(self, report: ReportIn, now: datetime) -> tuple[dict, dict] | Refusal:
        try:
            return self.build(report, now, *self._place(report))
        except Refusal as exc:
            return exc

    def validate(self, payload, now: datetime) -> ReportIn:
        """A report as the contract takes it, from a known source, in a known category, not from the future."""
        report: ReportIn = parse(ReportIn, payload)
        if report.source not in self.routing.sources:
            raise Refusal.one(
                Kind.INVALID, "source", f"unknown source {report.source!r}; one of: {', '.join(self.routing.sources)}"
            )
        if report.category not in self.routing.categories:
            raise Refusal.one(
                Kind.INVALID,
                "category",
                f"unknown category {report.category!r}; one of: {', '.join(self.routing.categories)}",
            )
        reported_at = report.reported_at.astimezone(timezone.utc) if report.reported_at else now
        if reported_at > now + FUTURE_SKEW:
            raise Refusal.one(Kind.INVALID, "reported_at", "is in the future")
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
            **self.sealer.columns(
                report.reporter.name if report.reporter else None, report.reporter.phone if report.reporter else None
            ),
            media=list(report.media),
            status="baru",
            opd=self.routing.default_opd(report.category).code,
            first_response_at=None,
            resolved_at=None,
            updated_at=now,
            due_at=sla.next_due("baru", reported_at, self.routing.categories[report.category]),
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
            raise Refusal.one(
                Kind.INVALID,
                "lat,lon",
                f"({report.lat}, {report.lon}) is {km:.1f} km outside Kota Tangerang "
                f"(nearest kecamatan: {where.kecamatan})",
            )
        kode_kec, kode_kel = where.kode_kec, where.kode_kel
        if report.kecamatan:
            kec = self.gazetteer.find_kecamatan(report.kecamatan)
            if kec is None:
                raise Refusal.one(
                    Kind.INVALID, "kecamatan", f"unknown kecamatan {report.kecamatan!r} in Kota Tangerang"
                )
            kode_kec = kec.code
            if not report.kelurahan and kode_kel and not kode_kel.startswith(kec.code):
                kode_kel = None  # the sender's kecamatan wins; don't keep a kelurahan from another one
        if report.kelurahan:
            matches = self.gazetteer.find_kelurahan(report.kelurahan, kode_kec if report.kecamatan else None)
            if not matches:
                raise Refusal.one(
                    Kind.INVALID,
                    "kelurahan",
                    f"unknown kelurahan {report.kelurahan!r}"
                    + (f" in kecamatan {report.kecamatan}" if report.kecamatan else ""),
                )
            if len(matches) > 1:
                names = ", ".join(self.gazetteer.kecamatan[m.kecamatan_code].name for m in matches)
                raise Refusal.one(
                    Kind.INVALID,
                    "kelurahan",
                    f"{report.kelurahan!r} exists in several kecamatan ({names}); give kecamatan",
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
        if change.duplicate_of:
            who = Viewer.of_key(by) if by is not None else None
            change = change.model_copy(update={"duplicate_of": self._original(change.duplicate_of, who)})
        lifecycle.validate_request(change, self.routing)
        now = self.clock()

        def decide(current, history, lookup):
            event, updates = lifecycle.decide(current, history, change, self.routing, now, lookup)
            return {**event, "actor_key": by.key_id if by else None}, updates

        row, event_id, written = self._apply(report_id, decide, by, external_id)
        return self.public(row), event_id, written

    def _original(self, ref: str | None, who) -> str | None:
        """A duplicate's original as a person or a feed quotes it (its LAKSA id, its LR id, ours), as our id; left as
        given when `who` may not see such a report (the lifecycle then says there is none)."""
        if not ref or who is None:
            return ref
        try:
            return self.resolve(ref, who)
        except Refusal:
            return ref

    def may_act(self, report_id: str, action: str, who) -> None:
        """Refuses (not found, forbidden) unless `who` may take `action` on the report as it stands now; for what must
        not be written before the action is allowed (an uploaded file). `act` asks again on the state it writes."""
        if action not in PERSON_ACTIONS:
            raise Refusal.one(Kind.INVALID, "action", f"unknown action {action!r}; one of: {', '.join(PERSON_ACTIONS)}")
        current, _events = self.stored(report_id)
        _authorise(current, action, who, report_id)

    def act(
        self,
        report_id: str,
        action: str,
        who,
        opd: str | None = None,
        note: str | None = None,
        duplicate_of: str | None = None,
        evidence: list | None = None,
        assignee=None,
    ) -> dict:
        """A person's action on a report from the dashboard, with the person as the event's actor (`assignee`: for
        assign, the access.people.Person it is given to, or None when none was chosen or found).
        `who` (access.viewer.Viewer) is checked on the state the write sees: a report outside their scope
        reads as none (not found); an action their role does not have is forbidden.
        -> the public report as it now is."""
        if action not in PERSON_ACTIONS:
            raise Refusal.one(Kind.INVALID, "action", f"unknown action {action!r}; one of: {', '.join(PERSON_ACTIONS)}")
        now = self.clock()

        def authorise(current: dict) -> None:
            _authorise(current, action, who, report_id)
            if action == "process" and not lifecycle.action_open(action, current["status"]):
                raise Refusal.one(
                    Kind.CONFLICT,
                    "status",
                    f"work on this {current['status']} report has started already",
                    "refuse_started",
                    from_status=current["status"],
                )

        if action == "escalate":

            def decide(current, _history, _lookup):
                return lifecycle.escalate(current, note, who.name, now), {"updated_at": now}
        elif action == "confirm":

            def decide(current, _history, _lookup):
                return lifecycle.confirm(current, note, who.name, now)
        elif action in ("note", "respond"):
            kind = "note" if action == "note" else "response"

            def decide(current, _history, _lookup):
                return lifecycle.remark(kind, current, note, who.name, now), {"updated_at": now}
        elif action == "assign":
            if assignee is None or assignee.role != "opd":
                raise Refusal.one(Kind.INVALID, "assignee", "choose a person of the agency", "refuse_assignee_needed")

            def decide(current, _history, _lookup):
                return lifecycle.assign(current, assignee.username, assignee.name, assignee.opds, who.name, now)
        else:
            payload = {
                "forward": {"status": "diproses", "opd": opd},
                "duplicate": {"status": "duplikat", "duplicate_of": self._original(duplicate_of, who)},
                "reject": {"status": "ditolak"},
                "process": {"status": "diproses"},
                "resolve": {"status": "selesai", "evidence": evidence or []},
            }[action]
            change: StatusChangeIn = parse(StatusChangeIn, {**payload, "note": note or None, "actor": who.name[:120]})
            lifecycle.validate_request(change, self.routing)

            def decide(current, history, lookup):
                return lifecycle.decide(current, history, change, self.routing, now, lookup)

        if not REPORT_ID.match(report_id):
            raise Refusal.one(Kind.NOT_FOUND, "id", "no report with that id", "refuse_not_found")
        try:
            row, _event_id, _written = self.repository.apply_event(report_id, decide, authorise=authorise)
        except NotFound:
            raise Refusal.one(Kind.NOT_FOUND, "id", f"no report with id {report_id!r}", "refuse_not_found") from None
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

    def rate(self, report_id: str, payload, by: Principal) -> tuple[dict, int]:
        """The citizen's rating of a resolved report, relayed by its source's key (report role). -> (public report,
        event id)."""
        rating: RatingIn = parse(RatingIn, payload)
        now = self.clock()

        def decide(current, _history, _lookup):
            event, updates = lifecycle.rate(current, rating.score, rating.comment, by.name, now)
            return {**event, "actor_key": by.key_id}, updates

        row, event_id, _written = self._apply(report_id, decide, by, None)
        return self.public(row), event_id

    def respond(self, report_id: str, payload, by: Principal) -> tuple[dict, int]:
        """A public response to the citizen from a feed's or an agency's system (scoped as a status change is).
        -> (the public report, the event's id)."""
        response: ResponseIn = parse(ResponseIn, payload)
        now = self.clock()

        def decide(current, _history, _lookup):
            event = lifecycle.remark("response", current, response.text, by.name, now)
            return {**event, "actor_key": by.key_id}, {"updated_at": now}

        row, event_id, _written = self._apply(report_id, decide, by, None)
        return self.public(row), event_id

    def _apply(self, report_id: str, decide, by: Principal | None, external_id: str | None):
        if not REPORT_ID.match(report_id):
            raise Refusal.one(Kind.NOT_FOUND, "id", "no report with that id", "refuse_not_found")
        try:
            return self.repository.apply_event(
                report_id, decide, external_id=external_id, authorise=by.require_scope if by is not None else None
            )
        except NotFound:
            raise Refusal.one(Kind.NOT_FOUND, "id", f"no report with id {report_id!r}", "refuse_not_found") from None

    # -- shapes ----------------------------------------------------------------------------
