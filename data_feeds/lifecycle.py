"""The LAKSA status lifecycle: which moves are legal and what each needs.

baru (red, new) -> diproses (yellow, forwarded to an OPD) -> selesai (green, only with photo or
video evidence). The table is the whole rule set; the store applies it inside the write
transaction so two staff moving the same report cannot both win.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .categories import RoutingTable
from .schemas import ApiError, StatusChangeIn, evidence_kind

STATUSES = ("baru", "diproses", "selesai")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "baru": ("diproses",),
    "diproses": ("selesai",),
    "selesai": (),
}
CLOCK_SKEW = timedelta(minutes=5)


def validate_request(change: StatusChangeIn, routing: RoutingTable) -> None:
    """Checks that need no stored state: known status, known OPD, evidence for selesai."""
    if change.status not in STATUSES:
        raise ApiError.one(422, "status", f"unknown status {change.status!r}; one of: {', '.join(STATUSES)}")
    if change.opd is not None and change.opd not in routing.opds:
        raise ApiError.one(422, "opd", f"unknown OPD {change.opd!r}; one of: {', '.join(routing.opds)}")
    if change.status == "selesai":
        items = change.evidence
        if not items:
            raise ApiError.one(422, "evidence", "selesai needs at least one photo or video evidence URL")
        for i, item in enumerate(items):
            if evidence_kind(item) is None:
                raise ApiError.one(422, f"evidence[{i}].type", "cannot tell photo or video from the URL; give type 'photo' or 'video'")


def decide(current: dict, history: list[dict], change: StatusChangeIn, routing: RoutingTable, now: datetime):
    """-> (event_row, report_updates) for a legal move, or ApiError."""
    frm, to = current["status"], change.status
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(TRANSITIONS[frm]) or "none"
        raise ApiError.one(409, "status", f"cannot move a report from {frm} to {to}; allowed from {frm}: {allowed}")
    at = change.at or now
    last = history[-1]["at"] if history else current["reported_at"]
    if at < last:
        raise ApiError.one(422, "at", f"is before the report's last event ({last.isoformat()})")
    if at > now + CLOCK_SKEW:
        raise ApiError.one(422, "at", "is in the future")
    opd = change.opd or current["opd"] or routing.default_opd(current["category"]).code
    evidence = [{"url": e.url, "type": evidence_kind(e)} for e in change.evidence]
    event_row = dict(
        kind="status", from_status=frm, to_status=to, opd=opd, actor=change.actor, note=change.note,
        evidence=evidence, at=at, recorded_at=now,
    )
    updates = {"status": to, "opd": opd, "updated_at": now}
    if frm == "baru" and current["first_response_at"] is None:
        updates["first_response_at"] = at
    if to == "selesai":
        updates["resolved_at"] = at
        updates["media"] = list(current["media"] or []) + [e["url"] for e in evidence]
    return event_row, updates
