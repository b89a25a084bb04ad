"""The LAKSA status lifecycle: which moves are legal and what each needs.

baru (red, new) -> diproses (yellow, forwarded to an OPD) -> selesai (green, only with photo or
video evidence); ditolak (refused: not the city's authority, or invalid; with a reason) and
duplikat (pointing at the original) close a report without work; a resolved report whose fix
did not hold is reopened (selesai -> diproses, with a note); a report in progress can be
reassigned to another OPD (diproses -> diproses). The table is the whole rule set; the store
applies it inside the write transaction so two staff moving the same report cannot both win.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from data_feeds.refusal import Kind, Refusal

from . import sla
from .categories import RoutingTable
from .contract import Evidence, StatusChangeIn, evidence_kind

STATUSES = ("baru", "diproses", "selesai", "ditolak", "duplikat")
OPEN = ("baru", "diproses")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "baru": ("diproses", "ditolak", "duplikat"),
    "diproses": ("diproses", "selesai", "ditolak", "duplikat"),
    "selesai": ("diproses",),
    "ditolak": (),
    "duplikat": (),
}
CLOCK_SKEW = timedelta(minutes=5)
# What each of a person's actions moves a report to (None: moves nothing; escalating and assigning are for open
# reports, a note or a response to the citizen for any).
ACTION_MOVES: dict[str, str | None] = {
    "forward": "diproses",  # (from diproses: a reassignment)
    "duplicate": "duplikat",
    "reject": "ditolak",
    "process": "diproses",
    "resolve": "selesai",
    "escalate": None,
    "assign": None,
    "note": None,
    "respond": None,
    "confirm": None,  # a low rating reviewed: the resolution stands (reopening is a forward with the reason)
}
LOW_RATING = 2  # a citizen's score at or under this asks the room to review the resolution (the queue)
# events for the room and the agency only, never public, never on a wall: internal notes, and who a report is given
# to (the agency's own business)
INTERNAL_KINDS = frozenset({"note", "assigned"})
# events read by their kind's name (the others as a move from one status to another)
NAMED_KINDS = (
    "created",
    "reassigned",
    "reopened",
    "comment",
    "escalated",
    "note",
    "response",
    "assigned",
    "rated",
    "confirmed",
)


def action_open(action: str, status: str) -> bool:
    """May `action` be taken on a report in `status` at all (whoever asks)? The one place the buttons come from."""
    if action in ("note", "respond"):
        return True
    if action == "confirm":
        return status == "selesai"  # (and only while a low rating waits: reports.service.allowed_actions)
    if action == "confirm":
        return status == "selesai"  # (and only while a low rating waits: reports.service.allowed_actions)
    if action in ("escalate", "assign"):
        return status in OPEN
    if action == "process":
        return status == "baru"  # work starts once; a report in progress is reassigned, not started again
    return ACTION_MOVES[action] in TRANSITIONS[status]


def validate_request(change: StatusChangeIn, routing: RoutingTable) -> None:
    """Checks that need no stored state: known status, known OPD, evidence for selesai."""
    if change.status not in STATUSES:
        raise Refusal.one(Kind.INVALID, "status", f"unknown status {change.status!r}; one of: {', '.join(STATUSES)}")
    if change.opd is not None and change.opd not in routing.opds:
        raise Refusal.one(
            Kind.INVALID, "opd", f"unknown OPD {change.opd!r}; one of: {', '.join(routing.opds)}", "refuse_unknown_opd"
        )
    if change.status == "ditolak" and not change.note:
        raise Refusal.one(
            Kind.INVALID,
            "note",
            "ditolak needs the reason (e.g. not the city's authority, or invalid)",
            "refuse_reason_needed",
        )
    if change.status == "duplikat" and not change.duplicate_of:
        raise Refusal.one(
            Kind.INVALID, "duplicate_of", "duplikat needs the id of the original report", "refuse_original_needed"
        )
    if change.status == "selesai":
        items = change.evidence
        if not items:
            raise Refusal.one(
                Kind.INVALID,
                "evidence",
                "selesai needs at least one photo or video evidence URL",
                "refuse_evidence_needed",
            )
        for i, item in enumerate(items):
            if evidence_kind(item) is None:
                raise Refusal.one(
                    Kind.INVALID,
                    f"evidence[{i}].type",
                    "cannot tell photo or video from the URL; give type 'photo' or 'video'",
                )


def decide(
    current: dict,
    history: list[dict],
    change: StatusChangeIn,
    routing: RoutingTable,
    now: datetime,
    lookup=lambda report_id: None,
):
    """-> (event_row, report_updates) for a legal move, or Refusal. lookup(id) reads another report
    in the same transaction (for duplikat)."""
    frm, to = current["status"], change.status
    kind = _move_kind(current, change)
    if to == "duplikat":
        _check_original(current, change.duplicate_of, lookup(change.duplicate_of))
    at = change.at or now
    _check_moment(at, history[-1]["at"] if history else current["reported_at"], now)
    opd = change.opd or current["opd"] or routing.default_opd(current["category"]).code
    evidence = [{"url": e.url, "type": evidence_kind(e)} for e in change.evidence]
    note = change.note
    if to == "duplikat":
        note = f"duplikat dari {change.duplicate_of}" + (f": {note}" if note else "")
    event_row = dict(
        kind=kind,
        from_status=frm,
        to_status=to,
        opd=opd,
        actor=change.actor,
        note=note,
        evidence=evidence,
        at=at,
        recorded_at=now,
    )
    updates = {
        "status": to,
        "opd": opd,
        "updated_at": now,
        "due_at": sla.next_due(to, current["reported_at"], routing.categories[current["category"]]),
    }
    if frm == "baru" and current["first_response_at"] is None:
        updates["first_response_at"] = at
    if to == "selesai":
        updates["resolved_at"] = at
        updates["media"] = list(current["media"] or []) + [e["url"] for e in evidence]
    if kind == "reopened":
        updates["resolved_at"] = None
    if to == "duplikat":
        updates["duplicate_of"] = change.duplicate_of
    return event_row, updates


def _move_kind(current: dict, change: StatusChangeIn) -> str:
    """The event's kind for a legal move (status, reassigned, reopened), or Refusal for one the table forbids."""
    frm, to = current["status"], change.status
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(TRANSITIONS[frm]) or "none"
        raise Refusal.one(
            Kind.CONFLICT,
            "status",
            f"cannot move a report from {frm} to {to}; allowed from {frm}: {allowed}",
            "refuse_move",
            frm_status=frm,
            to_status=to,
        )
    if frm == to == "diproses":
        if not change.opd or change.opd == current["opd"]:
            raise Refusal.one(
                Kind.CONFLICT,
                "opd",
                f"the report is already diproses by {current['opd']}; reassigning needs another OPD",
                "refuse_reassign_same",
                opd=current["opd"],
            )
        return "reassigned"
    if frm == "selesai":
        if not change.note:
            raise Refusal.one(
                Kind.INVALID,
                "note",
                "reopening a resolved report needs a note saying why the fix did not hold",
                "refuse_reopen_note",
            )
        return "reopened"
    return "status"


def _check_original(current: dict, original_id: str | None, original: dict | None) -> None:
    """A duplicate points at another report that is not itself a duplicate."""
    if original_id == current["id"]:
        raise Refusal.one(Kind.INVALID, "duplicate_of", "a report cannot be a duplicate of itself", "refuse_dup_self")
    if original is None:
        raise Refusal.one(
            Kind.INVALID, "duplicate_of", f"no report with id {original_id!r}", "refuse_dup_missing", id=original_id
        )
    if original["status"] == "duplikat":
        raise Refusal.one(
            Kind.INVALID,
            "duplicate_of",
            f"{original_id} is itself a duplicate of {original['duplicate_of']}; point at that one",
            "refuse_dup_chain",
            id=original_id,
            original=original["duplicate_of"],
        )


def _check_moment(at: datetime, last: datetime, now: datetime) -> None:
    """A change is dated between the report's last event and a little past now."""
    if at < last:
        raise Refusal.one(
            Kind.INVALID, "at", f"is before the report's last event ({last.isoformat()})", "refuse_before_last"
        )
    if at > now + CLOCK_SKEW:
        raise Refusal.one(Kind.INVALID, "at", "is in the future", "refuse_future")


def standing(kind: str, current: dict, actor: str, note: str | None, now: datetime, evidence=()) -> dict:
    """An event that moves nothing: the report keeps its status and agency."""
    return dict(
        kind=kind,
        from_status=current["status"],
        to_status=current["status"],
        opd=current["opd"],
        actor=actor,
        note=note,
        evidence=list(evidence),
        at=now,
        recorded_at=now,
    )


def comment(current: dict, note: str, media: list[str], actor: str, now: datetime) -> dict:
    """A remark that moves nothing: the event keeps the report's status (a citizen's comment, an agency's note)."""
    if not note:
        raise Refusal.one(Kind.INVALID, "description", "a comment needs its text")
    evidence = [{"url": url, "type": evidence_kind(Evidence(url=url))} for url in media]
    return standing("comment", current, actor, note, now, evidence)


def remark(kind: str, current: dict, note: str | None, actor: str, now: datetime) -> dict:
    """An internal note (kind "note": the room's and the agency's only) or a public response to the citizen
    (kind "response"): an event that moves nothing, with its text."""
    if not note:
        raise Refusal.one(
            Kind.INVALID,
            "note",
            "a note needs its text" if kind == "note" else "a response needs its text",
            "refuse_note_needed" if kind == "note" else "refuse_response_needed",
        )
    return standing(kind, current, actor, note, now)


def assign(current: dict, person_id: str, person_name: str, person_opds, actor: str, now: datetime) -> tuple:
    """The report given to a person of the agency it is routed to (on the state the write sees). -> (event, updates)."""
    if current["status"] not in OPEN:
        raise Refusal.one(
            Kind.CONFLICT,
            "status",
            f"a {current['status']} report is closed; only an open one is assigned",
            "refuse_assign_closed",
        )
    if current["opd"] not in person_opds:
        raise Refusal.one(
            Kind.INVALID,
            "assignee",
            f"{person_name} is not of {current['opd']}, the agency the report is with",
            "refuse_assignee_agency",
            name=person_name,
        )
    event = standing("assigned", current, actor, person_name, now)
    return event, {"assignee": person_id, "updated_at": now}


def rate(current: dict, score: int, comment: str | None, actor: str, now: datetime) -> tuple[dict, dict]:
    """The citizen's rating of a resolved report: its score kept on the report (the newest counts); a low one puts
    the report in the room's queue for review (its due time: now). -> (event, updates)."""
    if current["status"] != "selesai":
        raise Refusal.one(
            Kind.CONFLICT, "status", f"a {current['status']} report is rated once it is selesai", "refuse_rate_open"
        )
    event = standing("rated", current, actor, f"{score}/5" + (f": {comment}" if comment else ""), now)
    return event, {"rating": score, "due_at": now if score <= LOW_RATING else None, "updated_at": now}


def confirm(current: dict, note: str | None, actor: str, now: datetime) -> tuple[dict, dict]:
    """A low rating reviewed and the resolution confirmed: the report leaves the queue."""
    if current["status"] != "selesai" or current.get("due_at") is None:
        raise Refusal.one(Kind.CONFLICT, "status", "no low rating of this report waits for review", "refuse_no_review")
    return standing("confirmed", current, actor, note, now), {"due_at": None, "updated_at": now}


def escalate(current: dict, note: str | None, actor: str, now: datetime) -> dict:
    """An operator asks the leadership to look (a report stuck, a hazard, a repeated failure): an event that
    moves nothing, on open reports only, with the reason."""
    if current["status"] not in OPEN:
        raise Refusal.one(
            Kind.CONFLICT, "status", f"a {current['status']} report is closed; escalation is for open reports"
        )
    if not note:
        raise Refusal.one(Kind.INVALID, "note", "an escalation needs its reason")
    return standing("escalated", current, actor, note, now)
