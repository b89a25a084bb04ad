"""/?laporan=<id>, the report page's "on the map" link: the wall opens with that report's card and the map at its
place (for a reader who may see it; anyone else's wall opens as it always does)."""

from __future__ import annotations

from urllib.parse import parse_qs

from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks import replayed
from callbacks.report_detail import ROWS, card_for, rows_for
from data_feeds.api.signin import viewer
from data_feeds.refusal import Refusal
from data_feeds.services import Services
from layouts import ids, report_card


def register(app: Dash, services: Services) -> None:
    # the map flies to it in the browser, once the map has made its own first fit to the city (which a viewport set
    # at load time would lose to)
    app.clientside_callback(
        ClientsideFunction("liveroom", "flyToReport"), Output(ids.LINK_FOCUS, "id"), Input(ids.LINK_FOCUS, "data")
    )

    @app.callback(
        Output(ids.REPORT_CARD_BODY, "children", allow_duplicate=True),
        Output(ids.REPORT_CARD, "hidden", allow_duplicate=True),
        Output(ids.CARD_REPORT, "data", allow_duplicate=True),
        *[Output(r.component_id, "hidden", allow_duplicate=True) for r in ROWS],
        Output(ids.LINK_FOCUS, "data"),
        Input(ids.URL, "search"),
        State(ids.LANG, "data"),
        prevent_initial_call="initial_duplicate",
    )
    @replayed.shaped(replayed.text, replayed.lang)
    def open_from_link(search, lang):
        asked = parse_qs((search or "").lstrip("?")).get("laporan", [""])[0][:80]
        who = viewer()
        if not asked or who is None or not who.sees_reports:
            return (no_update,) * (len(ROWS) + 4)
        try:
            report = card_for(services, services.reports.resolve(asked, who), who)
        except Refusal:
            report = None
        if report is None:  # none, or another's: the wall as it was
            return (no_update,) * (len(ROWS) + 4)
        source = services.routing.sources.get(report["source"])
        return (
            report_card.body(report, lang, source.name if source else ""),
            False,
            report["id"],
            *rows_for(report, who),
            [report["lat"], report["lon"]],
        )
