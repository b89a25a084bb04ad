"""One action on many reports at once (the queue's and the list's selected rows): each report checked, evented and
audited on its own, exactly as if it had been acted on from its page; what was refused is said report by report,
in the reader's words."""

from __future__ import annotations

from dataclasses import dataclass, field

from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks import replayed
from data_feeds.api.signin import audit, viewer
from data_feeds.i18n import refusal_text, t
from data_feeds.refusal import Refusal
from data_feeds.reports import acting
from data_feeds.reports.service import allowed_actions
from data_feeds.services import Services
from layouts import bulk_bar, ids
from layouts.report_actions import FIELDS

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


def offered(who) -> tuple[str, ...]:
    """The bulk actions this reader's role has on open reports (each report's own state is checked as it is acted
    on): an operator's three, an agency's start, nobody else's."""
    if who is None or who.kind != "person":
        return ()
    sample = {"opd": next(iter(who.scope), None) if who.scope else None, "source": None}
    open_moves = set(allowed_actions({**sample, "status": "baru"}, who))
    open_moves |= set(allowed_actions({**sample, "status": "diproses"}, who))
    return tuple(a for a in BULK_ACTIONS if a in open_moves)


def unfit(chosen: list[str], action: str, values: dict[str, str | None], lang: str) -> str | None:
    """Why a bulk action cannot be taken as asked, in the reader's words (nothing ticked, too many, a field its form
    needs left empty: layouts/report_actions.FIELDS), or None. Said once, before any report is touched."""
    if not chosen:
        return t("q_pick_some", lang)
    if len(chosen) > MAX_ROWS:
        return t("q_too_many", lang, n=MAX_ROWS)
    missing = [words for name, _kind, words, need in FIELDS[action] if need and not values.get(name)]
    return t("q_fill", lang, field=t(missing[0], lang)) if missing else None


def refs(value: object) -> list[str]:
    """The ticked rows as a replayed request may send them: the ids people quote, nothing else."""
    rows = value if isinstance(value, list) else []
    return [r["ref"] for r in rows if isinstance(r, dict) and isinstance(r.get("ref"), str)][: MAX_ROWS + 1]


def register(app: Dash, services: Services) -> None:
    """The list's bulk bar (layouts/bulk_bar.py): its count of ticked rows, and the action on them."""

    app.clientside_callback(
        ClientsideFunction("liveroomReports", "bulkCount"),
        Output(ids.LB_BULK_COUNT, "children"),
        Input(ids.LB_GRID, "selectedRows"),
        State(ids.LB_LANG, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.LB_BULK_RESULT, "children"),
        Output(ids.LB_GRID, "selectedRows"),
        Input(ids.LB_BULK_APPLY, "n_clicks"),
        State(ids.LB_GRID, "selectedRows"),
        State(ids.LB_BULK_ACTION, "value"),
        State(ids.LB_BULK_OPD, "value"),
        State(ids.LB_BULK_NOTE, "value"),
        State(ids.LB_LANG, "data"),
        prevent_initial_call=True,
    )
    @replayed.shaped(replayed.count, refs, replayed.text, replayed.text, replayed.text, replayed.lang)
    def apply(_clicks, chosen, action, opd, note, lang):
        who = viewer()
        if action not in offered(who):  # (the bar is hidden for them; a replayed request is refused the same)
            return bulk_bar.refused(t("act_refused", lang, reason=t("refusal_generic", lang))), no_update
        reason = unfit(chosen, action, {"opd": opd or None, "catatan": (note or "").strip() or None}, lang)
        if reason:
            return bulk_bar.refused(t("act_refused", lang, reason=reason)), no_update
        asked = acting.Action(action, opd=opd or None, note=(note or "").strip()[:2000] or None)
        outcome = act_each(services, chosen, asked, who, lang)
        if outcome.done:
            services.poker.poke()
        return bulk_bar.outcome(outcome.action, outcome.done, outcome.refused, lang), []


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
