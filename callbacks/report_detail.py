"""Drill-down to one report: click its marker to open its card (state, SLA, history, evidence)."""
from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update

from data_feeds.api.signin import viewer
from data_feeds.runtime.services import Services
from data_feeds.validation import ApiError
from layouts import ids, report_card


def register(app: Dash, services: Services) -> None:
    @app.callback(Output(ids.REPORT_CARD_BODY, "children"), Output(ids.REPORT_CARD, "hidden"),
                  Input(ids.MAP_MARKERS, "clickData"), Input(ids.REPORT_CARD_CLOSE, "n_clicks"),
                  State(ids.LANG, "data"), prevent_initial_call=True)
    def open_card(click, _close, lang):
        if ctx.triggered_id == ids.REPORT_CARD_CLOSE:
            return no_update, True
        props = (click or {}).get("properties") or {}
        if props.get("cluster") or not props.get("id"):
            return no_update, no_update  # a cluster click zooms in; nothing to open
        who = viewer()
        try:  # public fields only (the card may be on a wall); another agency's report reads as none
            report = services.reports.get_for(str(props["id"]), who)
        except ApiError:
            report = None
        source = services.routing.sources.get(report["source"]) if report else None
        return report_card.body(report, lang or "id", source.name if source else ""), False
