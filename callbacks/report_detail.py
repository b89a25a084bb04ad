"""Drill-down to one report: click its marker to open its card (state, SLA, history, evidence), and act on
it from the card: operators forward, reassign, mark duplicates, refuse and escalate; the report's agency
starts work and resolves it with a photo or video. Every action is checked again on the server (the
buttons a viewer sees are a convenience), recorded with the person as its actor and audited."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update

from data_feeds.api.signin import address, audit, viewer
from data_feeds.i18n import refusal_text, t
from data_feeds.refusal import Refusal
from data_feeds.reports import acting, evidence_content
from data_feeds.reports.service import allowed_actions
from data_feeds.services import Services
from layouts import ids, report_card

ROW_ACTIONS = {  # each row of the card's actions, and the actions its buttons take
    ids.ACT_FORWARD_ROW: ("forward",),
    ids.ACT_OPERATOR_ROW: ("duplicate", "reject", "escalate"),
    ids.ACT_PROGRESS_ROW: ("process", "resolve"),
}
ROWS = [
    Output(ids.CARD_ACTIONS, "hidden"),
    *[Output(row, "hidden") for row in ROW_ACTIONS],
    *[Output(button, "hidden") for button in ids.ACTION_BUTTONS],
]


def card_for(services: Services, report_id: str, who) -> dict | None:
    """The report as this viewer may read it: with the reporter's contact for those who call back (audited),
    public fields otherwise; None when it is not theirs to see (or does not exist)."""
    try:
        if who is not None and who.reads_personal:
            return services.reports.get_personal(report_id, who, address())
        return services.reports.get_for(report_id, who)
    except Refusal:
        return None


def rows_for(report: dict | None, who) -> list[bool]:
    """hidden flags for the actions panel, each row and each button: only what this viewer may do to the report as
    it stands (reports.service.allowed_actions, from the lifecycle's own moves)."""
    allowed = set(allowed_actions(report, who)) if report is not None else set()
    return [
        not allowed,
        *[not allowed & set(actions) for actions in ROW_ACTIONS.values()],
        *[action not in allowed for action in ids.ACTION_BUTTONS.values()],
    ]


def register(app: Dash, services: Services) -> None:
    def source_name(report):
        source = services.routing.sources.get(report["source"]) if report else None
        return source.name if source else ""

    @app.callback(
        Output(ids.REPORT_CARD_BODY, "children"),
        Output(ids.REPORT_CARD, "hidden"),
        Output(ids.CARD_REPORT, "data"),
        *ROWS,
        Output(ids.ACT_RESULT, "children"),
        Input(ids.MAP_MARKERS, "clickData"),
        Input(ids.REPORT_CARD_CLOSE, "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def open_card(click, _close, lang):
        if ctx.triggered_id == ids.REPORT_CARD_CLOSE:
            return no_update, True, None, *[True] * len(ROWS), ""
        props = (
            click.get("properties") if isinstance(click, dict) else None
        ) or {}  # (a replayed request may send anything)
        props = props if isinstance(props, dict) else {}
        if props.get("cluster") or not props.get("id"):
            return (no_update,) * (len(ROWS) + 4)  # a cluster click zooms in; nothing to open
        who = viewer()
        report = card_for(services, str(props["id"]), who)  # another agency's report reads as none
        return (
            report_card.body(report, lang or "id", source_name(report)),
            False,
            report["id"] if report else None,
            *rows_for(report, who),
            "",
        )

    @app.callback(
        Output(ids.REPORT_CARD_BODY, "children", allow_duplicate=True),
        *[Output(r.component_id, "hidden", allow_duplicate=True) for r in ROWS],
        Output(ids.ACT_RESULT, "children", allow_duplicate=True),
        *[Input(button, "n_clicks") for button in ids.ACTION_BUTTONS],
        State(ids.CARD_REPORT, "data"),
        State(ids.ACT_OPD, "value"),
        State(ids.ACT_NOTE, "value"),
        State(ids.ACT_DUP_OF, "value"),
        State(ids.ACT_UPLOAD, "contents"),
        State(ids.ACT_EVIDENCE_URL, "value"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def act(*args):
        report_id, opd, note, duplicate_of, upload, evidence_url, lang = [
            value if isinstance(value, str) else None for value in args[len(ids.ACTION_BUTTONS) :]
        ]  # a replay may send anything
        action = ids.ACTION_BUTTONS.get(ctx.triggered_id)
        lang = lang or "id"
        if action is None or not report_id or not any(args[: len(ids.ACTION_BUTTONS)]):
            return (no_update,) * (len(ROWS) + 2)
        who = viewer()
        try:
            report = services.act(
                report_id,
                acting.Action(
                    action,
                    opd=opd,
                    note=(note or "").strip() or None,
                    duplicate_of=(duplicate_of or "").strip() or None,
                    upload=evidence_content.decode_upload(upload) if action == "resolve" and upload else None,
                    evidence_url=(evidence_url or "").strip() or None,
                ),
                who,
            )
        except Refusal as exc:
            first = exc.errors[0]
            audit(
                f"act_{action}", "refused", who, report_id=report_id[:32], detail=f"{first['field']}: {first['reason']}"
            )
            return no_update, *[no_update] * len(ROWS), t("act_refused", lang, reason=refusal_text(exc.errors, lang))
        services.poker.poke()
        audit(f"act_{action}", "allowed", who, report_id=report["id"], detail=opd if action == "forward" else None)
        fresh = card_for(services, report["id"], who)
        opd_name = (report.get("opd") or {}).get("name", "")
        return (
            report_card.body(fresh, lang, source_name(fresh)),
            *rows_for(fresh, who),
            t(f"act_done_{action}", lang, opd=opd_name),
        )
