"""A person's action on a report, with the evidence file they send, wherever they act from (the map's card, the
report's page, the list): one path, so every door checks, stages and cleans up alike."""

from __future__ import annotations

from dataclasses import dataclass

from data_feeds.access.people import People
from data_feeds.refusal import Refusal

from . import evidence_content
from .evidence_store import Allowance, EvidenceStore
from .service import ReportService


@dataclass(frozen=True)
class Action:
    """What the person asked, as their page sent it (text already stripped; None for absent)."""

    name: str  # reports.service.PERSON_ACTIONS
    opd: str | None = None
    note: str | None = None
    duplicate_of: str | None = None
    upload: bytes | None = None  # a photo or video sent with a resolve
    evidence_url: str | None = None
    assignee: str | None = None  # for assign: the person's username (access.people)


def act(
    reports: ReportService,
    evidence: EvidenceStore,
    report_id: str,
    action: Action,
    who,
    max_bytes: int,
    allowance: Allowance,
) -> dict:
    """Take the action as `who`. An uploaded file is judged and staged only once `who` may resolve the report as it
    stands, adopted by the event, and removed if the action is then refused. -> the public report. Raises Refusal."""
    staged: dict | None = None
    if action.name == "resolve" and action.upload:
        reports.may_act(report_id, action.name, who)
        accepted = evidence_content.accept(action.upload, max_bytes)
        staged = evidence.stage(report_id, accepted, f"{who.kind}:{who.id}", allowance)
    items = [staged] if staged else []
    if action.name == "resolve" and action.evidence_url:
        items.append({"url": action.evidence_url})
    try:
        return reports.act(
            report_id,
            action.name,
            who,
            opd=action.opd,
            note=action.note,
            duplicate_of=action.duplicate_of,
            evidence=items,
            assignee=People(reports.store).by_username(action.assignee, enabled_only=True)
            if action.name == "assign" and action.assignee
            else None,
        )
    except Refusal:
        if staged is not None:  # refused on the state the write saw (moved a moment ago): the staged file goes
            evidence.discard(staged["url"])
        raise
