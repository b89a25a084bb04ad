"""One action on many reports at once (the queue's and the list's selected rows): each report checked, evented and
audited on its own, exactly as if it had been acted on from its page; what was refused is said report by report,
in the reader's words."""

from __future__ import annotations

from dataclasses import dataclass, field

from data_feeds.api.signin import audit
from data_feeds.i18n import refusal_text
from data_feeds.refusal import Refusal
from data_feeds.reports import acting
from data_feeds.services import Services

BULK_ACTIONS = ("forward", "process", "escalate")
MAX_ROWS = 100  # one selection; more is narrowed by the list's filters first


@dataclass
class Outcome:
    action: str
    done: list[str] = field(default_factory=list)  # the reports' ids as people quote them
    refused: list[tuple[str, str]] = field(default_factory=list)  # (id as quoted, why in the reader's words)

    def as_data(self) -> dict:
        return {"action": self.action, "done": self.done, "refused": [list(r) for r in self.refused]}

    @classmethod
    def of_data(cls, data: dict) -> Outcome:
        return cls(data["action"], list(data["done"]), [(ref, why) for ref, why in data["refused"]])


def act_each(services: Services, refs: list[str], action: acting.Action, who, lang: str) -> Outcome:
    """`action` on each report `refs` names (any id a person may quote), in the order given, each on its own."""
    out = Outcome(action.name)
    for ref in dict.fromkeys(r.strip()[:80] for r in refs if r and r.strip()):  # (a row sent twice: acted once)
        try:
            report_id = services.reports.resolve(ref, who)
            report = services.act(report_id, action, who)
        except Refusal as exc:
            first = exc.errors[0]
            audit(
                f"act_{action.name}",
                "refused",
                who,
                report_id=ref[:32],
                detail=f"bulk; {first['field']}: {first['reason']}",
            )
            out.refused.append((ref, refusal_text(exc.errors, lang)))
            continue
        audit(f"act_{action.name}", "allowed", who, report_id=report["id"], detail="bulk")
        out.done.append(report["human_id"])
    return out
