"""The wall's live loop: pushed by the live channel, drawn in the browser, no Dash callback per change.

The channel (data_feeds/runtime/channel.py) sends each dashboard merge patches of its view; assets/live_link.js
puts them into stores, and clientside callbacks draw the KPI tiles, ticker, OPD table, map colours and the
status strip from them. The only server callback left here is the indicator panels' (vaccination, the
six pillars, the legend), which runs when their figures' mark moves or the reader picks another kecamatan,
measure or page: not once per report. The page hands the browser a ticket for its audience; the browser
asks `/_liveroom/ticket` for a new one before it runs out (the session is checked again there).
"""

from __future__ import annotations

import flask
import redis
from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks import replayed
from data_feeds import paths
from data_feeds.access.viewer import Viewer
from data_feeds.api.signin import viewer
from data_feeds.clock import wib_today
from data_feeds.indicators import summary as indicator_summary
from data_feeds.live import ticket as live_ticket
from data_feeds.live.snapshot import EMPTY_SCOPE, for_viewer, scope_key
from data_feeds.live.view import Audience
from data_feeds.runtime.channel import BEAT_S
from data_feeds.services import Services
from data_feeds.settings import build_id
from geodata import choropleth
from layouts import ids, indicators_page, wall_map, wall_panels

KPI_IDS = [ids.KPI_TODAY, ids.KPI_BARU, ids.KPI_DIPROSES, ids.KPI_SELESAI, ids.KPI_TTFR, ids.KPI_TTFR_NOTE]
PANEL_OUTPUTS = [
    Output(ids.VACC_PANEL, "children"),
    Output(ids.MAP_LEGEND, "children"),
    *[Output(ids.pillar_body(p), "children") for p in indicators_page.PILLARS],
]


def area_names(gz, lang: str) -> dict[str, str]:
    """Kecamatan by name, kelurahan as "Kel. Name (Kecamatan)": the indicators page's area rows."""
    names = {code: p.name for code, p in gz.kecamatan.items()}
    names.update(
        {code: f"Kel. {p.name} ({gz.kecamatan[code.rsplit('.', 1)[0]].name})" for code, p in gz.kelurahan.items()}
    )
    return names


def view_for(services: Services, summary: dict | None, who: Viewer | None) -> dict | None:
    """The summary as this viewer's wall shows it at page load: an agency's own figures for an opd account,
    no report's words for an assessor (the channel's live.view.build does the same for every change)."""
    if summary is None or who is None:
        return summary
    if who.scope is not None:
        scope = services.live.scope(scope_key(who.scope)) or services.live.scope(min(who.scope))
        summary = for_viewer(summary, scope or EMPTY_SCOPE)
    if not who.sees_reports:  # (no markers either: no "n of m shown" note to make)
        summary = {**summary, "ticker": [], "ticker_by_kec": {}, "markers_total": 0, "markers_shown": 0}
    return summary


def live_token(services: Services) -> str | None:
    """The live state's current version token (None while Redis or the worker is down)."""
    try:
        state = services.live.version()
    except (redis.RedisError, OSError):
        return None
    return state.token() if state is not None else None


def channel_config(services: Services, who: Viewer | None, stores: dict | None = None) -> dict:
    """What live_link.js needs: the ticket for this viewer's audience, where the channel is, how often it beats,
    and the stores it fills (the wall's by default; {"version", "link"}: a page that only follows the version)."""
    settings = services.settings
    audience = Audience.of(who) if who is not None else Audience()
    return {
        "t": live_ticket.issue(settings.signing_secret(), audience, who.holder if who is not None else ""),
        "url": settings.live_url,
        "port": settings.channel_port,
        "beat_ms": int(BEAT_S * 1000),
        # a kiosk wall's healing (assets/healing.js): the page's release, its daily reload, its heap budget
        "build": build_id(),
        "reload_at": settings.wall_reload_at,
        "heap_mb": settings.wall_heap_mb,
        "ids": stores
        or {"view": ids.LIVE_VIEW, "markers": ids.MAP_MARKERS, "mark": ids.LIVE_MARK, "link": ids.LIVE_LINK},
    }


def _pillars(services: Services, places: dict, subjects: dict, lang: str) -> list[list]:
    opd_short = {code: o.short for code, o in services.routing.opds.items()}
    return indicators_page.pillar_bodies(
        services.indicators.config, places, subjects, opd_short, area_names(services.gazetteer, lang), lang
    )


def panel_outputs(
    services: Services, mark: dict | None, selection: str | None, measure: str | None, path: str | None, lang: str
) -> list:
    """The indicator panels (vaccination, the pillars on /indikator) and the map legend, as a list matching
    PANEL_OUTPUTS. From the live summary; from the store when Redis is down (the figures are there)."""
    measure = measure if measure in choropleth.MEASURES else wall_map.DEFAULT_MEASURE
    demo = bool(((mark or {}).get("demo") or {}).get(measure)) if isinstance((mark or {}).get("demo"), dict) else False
    try:
        summary = services.live.summary()
    except (redis.RedisError, OSError):
        summary = None
    if summary is not None:
        places, subjects = summary.get("indicators", {}), summary.get("indicator_subjects", {})
    else:
        places, subjects, _mark = indicator_summary.summarise_on_change(
            services.store, services.indicators.config, services.gazetteer, wib_today()
        )
    selection = selection if isinstance(selection, str) else None
    out = [wall_panels.vaccination_children(places, selection, lang), wall_map.measure_legend(measure, lang, demo)]
    if (path or "/").rstrip("/") == paths.INDICATORS:
        out += _pillars(services, places, subjects, lang)
    else:
        out += [no_update] * len(indicators_page.PILLARS)  # built only while the page is open
    return out


def register(app: Dash, services: Services) -> None:
    def clientside(name: str, *deps) -> None:
        app.clientside_callback(ClientsideFunction("liveroom", name), *deps)

    clientside("startLink", Output(ids.LIVE_CHANNEL, "id"), Input(ids.LIVE_CHANNEL, "data"))
    clientside(
        "area",
        Output(ids.TICKER_DATA, "data"),
        Output(ids.OPD_DATA, "data"),
        *[Output(i, "children") for i in KPI_IDS],
        Output(ids.MAP_KECAMATAN, "hideout"),
        Output(ids.MARKERS_NOTE, "children"),
        Output(ids.DEMO_BANNER, "hidden"),
        Output(ids.UPDATED_AT, "children"),
        Output(ids.MAP_COUNTS, "data"),
        Input(ids.LIVE_VIEW, "data"),
        Input(ids.SELECTION, "data"),
        Input(ids.MEASURE, "value"),
        Input(ids.KEL_VIEW, "data"),
        State(ids.MAP_CLASSES, "data"),
        State(ids.LANG, "data"),
        State(ids.COUNT_POINTS, "data"),
    )
    clientside(
        "banner",
        Output(ids.STATUS_BANNER, "className"),
        Output(ids.STATUS_BANNER, "children"),
        Input(ids.LIVE_LINK, "data"),
        Input(ids.LIVE_VIEW, "data"),
        State(ids.LANG, "data"),
    )
    clientside("ticker", Output(ids.TICKER, "children"), Input(ids.TICKER_DATA, "data"), State(ids.LANG, "data"))
    clientside(
        "opdTable",
        Output(ids.OPD_BODY, "children"),
        Output(ids.OPD_NOTE, "children"),
        Input(ids.OPD_DATA, "data"),
        State(ids.LANG, "data"),
    )
    clientside("clock", Output(ids.CLOCK, "children"), Input(ids.CLOCK_TICK, "n_intervals"), State(ids.LANG, "data"))
    clientside("foldOnPhone", Output(ids.LEGEND_BOX, "open"), Input(ids.LANG, "data"))
    clientside(
        "page",
        Output(ids.IND_PAGE, "hidden"),
        Output(ids.NAV_WALL, "className"),
        Output(ids.NAV_INDICATORS, "className"),
        Output("lang-switch", "href"),
        Input(ids.URL, "pathname"),
        State(ids.LANG, "data"),
    )
    clientside(
        "pillarOpd",
        *[Output(ids.pillar_opd(p), "children") for p in indicators_page.PILLARS],
        Input(ids.OPD_DATA, "data"),
        State(ids.PILLAR_OPDS, "data"),
        State(ids.LANG, "data"),
    )

    @app.callback(
        *PANEL_OUTPUTS,
        Input(ids.LIVE_MARK, "data"),
        Input(ids.SELECTION, "data"),
        Input(ids.MEASURE, "value"),
        Input(ids.URL, "pathname"),
        State(ids.LANG, "data"),
    )
    @replayed.shaped(replayed.mapping, replayed.text, replayed.text, replayed.text, replayed.lang)
    def panels(mark, selection, measure, path, lang):
        return panel_outputs(services, mark, selection, measure, path, lang)

    @app.server.get(paths.TICKET)
    def live_ticket_for_viewer():
        """A fresh ticket for the signed-in person's or paired screen's audience (signed out: 401 from the guard)."""
        who = viewer()
        if who is None:
            return flask.jsonify({"errors": [{"field": None, "message": "sign in"}]}), 401
        resp = flask.jsonify(
            {
                "t": live_ticket.issue(services.settings.signing_secret(), Audience.of(who), who.holder),
                "ttl": live_ticket.TICKET_S,
            }
        )
        resp.headers["Cache-Control"] = "no-store"
        return resp
