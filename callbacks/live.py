"""The live loop: each dashboard asks "anything new?" with one Redis GET and receives only changes.

A clientside gate lets at most one poll per dashboard be in flight, so a slow client or
server never piles requests up; a clientside merge applies marker changes to the map, so
only the changed markers cross the network.
"""
from __future__ import annotations

import hashlib
import json

import redis
from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from data_feeds.access.viewer import Viewer
from data_feeds.api.signin import viewer
from data_feeds.clock import wib_today
from data_feeds.indicators import summary as indicator_summary
from data_feeds.live.snapshot import EMPTY_SCOPE, area_view, for_viewer, scope_key
from data_feeds.live.versions import LiveState
from data_feeds.runtime.services import Services
from geodata import choropleth
from layouts import ids, indicators_page, wall
from layouts.i18n import fmt_time, t

from .freshness import freshness, stale_feeds

MARKERS_URL = "/api/v1/live/markers"
KPI_IDS = [ids.KPI_TODAY, ids.KPI_BARU, ids.KPI_DIPROSES, ids.KPI_SELESAI, ids.KPI_TTFR, ids.KPI_TTFR_NOTE]
OUTPUTS = [
    Output(ids.LIVE_ACK, "data"), Output(ids.LIVE_STATE, "data"), Output(ids.LIVE_DELTA, "data"),
    *[Output(i, "children") for i in KPI_IDS],
    Output(ids.TICKER_DATA, "data"), Output(ids.MAP_KECAMATAN, "hideout"),
    Output(ids.STATUS_BANNER, "children"), Output(ids.STATUS_BANNER, "className"), Output(ids.DEMO_BANNER, "hidden"),
    Output(ids.UPDATED_AT, "children"), Output(ids.MARKERS_NOTE, "children"), Output(ids.MAP_LEGEND, "children"),
    Output(ids.OPD_DATA, "data"), Output(ids.VACC_PANEL, "children"),
    *[Output(ids.pillar_body(p), "children") for p in indicators_page.PILLARS],
]
PILLAR_OUTPUTS = OUTPUTS[-len(indicators_page.PILLARS):]


def area_names(gz, lang: str) -> dict[str, str]:
    """Kecamatan by name, kelurahan as "Kel. Name (Kecamatan)": the indicators page's area rows."""
    names = {code: p.name for code, p in gz.kecamatan.items()}
    names.update({code: f"Kel. {p.name} ({gz.kecamatan[code.rsplit('.', 1)[0]].name})" for code, p in gz.kelurahan.items()})
    return names


def _pillars(services: Services, places: dict, subjects: dict, lang: str) -> list[list]:
    opd_short = {code: o.short for code, o in services.routing.opds.items()}
    return indicators_page.pillar_bodies(services.indicators.config, places, subjects, opd_short,
                                         area_names(services.gazetteer, lang), lang)


def _key(value) -> str:
    return hashlib.blake2b(json.dumps(value, sort_keys=True, default=str).encode(), digest_size=8).hexdigest()


def view_for(services: Services, summary: dict | None, who: Viewer | None) -> dict | None:
    """The summary as this viewer's wall shows it: an agency's own figures for an opd account (its view
    prepared by the worker), no report's words for an assessor."""
    if summary is None or who is None:
        return summary
    if who.scope is not None:
        scope = services.live.scope(scope_key(who.scope)) or services.live.scope(min(who.scope))
        summary = for_viewer(summary, scope or EMPTY_SCOPE)
    if not who.sees_reports:  # (no markers either: no "n of m shown" note to make)
        summary = {**summary, "ticker": [], "ticker_by_kec": {}, "markers_total": 0, "markers_shown": 0}
    return summary


def visible_delta(upserts: list, removes: list, who: Viewer | None) -> tuple[list, list]:
    """Marker changes this viewer may see: another agency's markers, or any for an assessor, never arrive;
    one reassigned away from the agency becomes a removal on its wall."""
    opds = who.map_opds if who is not None else None
    if opds is None:
        return upserts, removes
    kept = [f for f in upserts if f["properties"].get("o") in opds]
    gone = [f["id"] for f in upserts if f["properties"].get("o") not in opds]
    return kept, sorted(set(removes) | set(gone))


def poll_outputs(services: Services, poll: int | None, state: dict | None, lang: str,
                 selection: str | None = None, measure: str = "open", path: str | None = "/",
                 who: Viewer | None = None) -> list:
    """One poll, as a list matching OUTPUTS. Pure of Dash so the fast test tier can call it.

    Each group of outputs is sent only when its content differs from what this dashboard
    already shows (fingerprints kept in the dashboard's own state), so an unchanged poll
    answers with a few dozen bytes and a change sends only the parts it touched. When the dashboard
    looks at another area than its state says it shows, the summary is re-read even if the version
    has not moved: until an answer for the new area has landed, every poll keeps asking for it
    (Dash drops the answer of a call overtaken by a newer one, so one refresh would not do)."""
    incoming = dict(state or {})
    state = dict(incoming)
    shown = dict(state.get("shown") or {})
    have = LiveState.parse(state.get("token"))
    measure = measure if measure in choropleth.MEASURES else "open"
    on_indicators = (path or "/").rstrip("/") == ids.INDICATORS_PATH
    if not on_indicators:
        shown.pop("pillars", None)  # the cards are built only while the page is open; re-sent on return
    refresh = state.get("view") != [selection, measure, on_indicators]
    state["view"] = [selection, measure, on_indicators]
    out = {o: no_update for o in OUTPUTS}
    out[Output(ids.LIVE_ACK, "data")] = {"n": poll}
    change = None
    try:
        current, beat = services.live.pulse()
        if current is not None and (have is None or current.token() != have.token()):
            change = services.live.since(have) if have else None
            if change is None:  # first poll, new epoch, or too far behind: reload the markers whole
                change = {"state": current, "summary": services.live.summary(), "full": True}
        elif refresh and current is not None:
            change = {"state": current, "summary": services.live.summary(), "upserts": [], "removes": []}
        redis_up = True
    except (redis.RedisError, OSError):
        redis_up, beat = False, None

    summary = view_for(services, change["summary"], who) if change else None
    if summary is not None:
        state["stale"] = stale_feeds(summary)
        state["since"] = summary.get("built_at")
    fresh = freshness(state.get("stale", []), redis_up, beat is not None, state.get("since"))

    def send(group: str, value, *targets: Output, render=lambda v: v) -> None:
        """Set `targets` from `value` unless this dashboard already shows exactly that."""
        key = _key(value)
        if shown.get(group) != key:
            shown[group] = key
            rendered = render(value)
            for target, item in zip(targets, rendered if len(targets) > 1 else [rendered], strict=True):
                out[target] = item

    send("health", fresh, Output(ids.STATUS_BANNER, "className"), Output(ids.STATUS_BANNER, "children"),
         render=lambda f: wall.status_banner(f, lang))
    if change is not None:
        state["token"] = change["state"].token()
        if change.get("full"):
            out[Output(ids.LIVE_DELTA, "data")] = {"full": True, "url": MARKERS_URL}
        else:
            upserts, removes = visible_delta(change["upserts"], change["removes"], who)
            if upserts or removes:
                out[Output(ids.LIVE_DELTA, "data")] = {"full": False, "upserts": upserts, "removes": removes}
    if summary is not None:
        kpi, ticker, sla_panel = area_view(summary, selection)
        values = wall.kpi_values(kpi, lang)
        send("kpi", values, *[Output(i, "children") for i in KPI_IDS], render=lambda v: [v[i] for i in KPI_IDS])
        send("ticker", ticker, Output(ids.TICKER_DATA, "data"))  # rows, drawn in the browser
        area = services.gazetteer.kecamatan[selection].name if selection in services.gazetteer.kecamatan else None
        send("opd", wall.opd_data(sla_panel, area), Output(ids.OPD_DATA, "data"))  # figures; drawn in the browser
        # the indicator panels are keyed by their mark (it moves exactly when a figure does): no hashing of
        # up to ~160 KB of panels per poll
        mark = summary.get("indicators_mark") or [summary.get("indicators"), summary.get("indicator_subjects")]
        send("vacc", [mark, selection, lang], Output(ids.VACC_PANEL, "children"),
             render=lambda _v: wall.vaccination_children(summary.get("indicators", {}), selection, lang))
        if on_indicators:
            send("pillars", [mark, lang], *PILLAR_OUTPUTS, render=lambda _v: _pillars(
                services, summary.get("indicators", {}), summary.get("indicator_subjects", {}), lang))
        send("kec", {"values": summary["map_values"][measure],
                     "breaks": list(choropleth.MEASURES[measure].breaks), "colors": choropleth.PALETTE, "selected": selection},
             Output(ids.MAP_KECAMATAN, "hideout"))
        send("legend", [measure, lang, summary.get("map_demo", {}).get(measure, False)], Output(ids.MAP_LEGEND, "children"),
             render=lambda v: wall.measure_legend(*v))
        send("demo", bool(summary.get("has_demo")), Output(ids.DEMO_BANNER, "hidden"), render=lambda v: not v)
        send("note", wall.markers_note(summary, lang), Output(ids.MARKERS_NOTE, "children"))
        out[Output(ids.UPDATED_AT, "children")] = t("updated", lang, time=fmt_time(summary.get("built_at"), lang, seconds=True))
    elif on_indicators and not redis_up and "pillars" not in shown:
        # Redis down: the live summary is out of reach, but the figures are in the store (the page says
        # the display is held; the cards still show what is known)
        places, subjects, mark = indicator_summary.summarise_on_change(services.store, services.indicators.config, services.gazetteer,
                                                                wib_today())
        send("pillars", [mark, lang], *PILLAR_OUTPUTS, render=lambda _v: _pillars(services, places, subjects, lang))
    state["shown"] = shown
    if state != incoming:  # unchanged polls do not even send the state back
        out[Output(ids.LIVE_STATE, "data")] = state
    return [out[o] for o in OUTPUTS]


def register(app: Dash, services: Services) -> None:
    app.clientside_callback(ClientsideFunction("liveroom", "gate"), Output(ids.LIVE_POLL, "data"),
                            Input(ids.LIVE_TICK, "n_intervals"))
    app.clientside_callback(ClientsideFunction("liveroom", "done"), Output(ids.LIVE_DONE, "data"),
                            Input(ids.LIVE_ACK, "data"))
    app.clientside_callback(ClientsideFunction("liveroom", "merge"), Output(ids.MAP_MARKERS, "data"),
                            Input(ids.LIVE_DELTA, "data"), State(ids.MAP_MARKERS, "data"))
    app.clientside_callback(ClientsideFunction("liveroom", "ticker"), Output(ids.TICKER, "children"),
                            Input(ids.TICKER_DATA, "data"), State(ids.LANG, "data"))
    app.clientside_callback(ClientsideFunction("liveroom", "opdTable"), Output(ids.OPD_BODY, "children"),
                            Output(ids.OPD_NOTE, "children"), Input(ids.OPD_DATA, "data"), State(ids.LANG, "data"))
    app.clientside_callback(ClientsideFunction("liveroom", "clock"), Output(ids.CLOCK, "children"),
                            Input(ids.CLOCK_TICK, "n_intervals"), State(ids.LANG, "data"))

    app.clientside_callback(ClientsideFunction("liveroom", "foldOnPhone"), Output(ids.LEGEND_BOX, "open"), Input(ids.LANG, "data"))
    app.clientside_callback(ClientsideFunction("liveroom", "page"), Output(ids.IND_PAGE, "hidden"),
                            Output(ids.NAV_WALL, "className"), Output(ids.NAV_INDICATORS, "className"),
                            Output("lang-switch", "href"), Input(ids.URL, "pathname"), State(ids.LANG, "data"))
    app.clientside_callback(ClientsideFunction("liveroom", "pillarOpd"),
                            *[Output(ids.pillar_opd(p), "children") for p in indicators_page.PILLARS],
                            Input(ids.OPD_DATA, "data"), State(ids.PILLAR_OPDS, "data"), State(ids.LANG, "data"))

    @app.callback(*OUTPUTS, Input(ids.LIVE_POLL, "data"), Input(ids.SELECTION, "data"), Input(ids.MEASURE, "value"),
                  Input(ids.URL, "pathname"), State(ids.LIVE_STATE, "data"), State(ids.LANG, "data"), prevent_initial_call=True)
    def poll(poll, selection, measure, path, state, lang):
        # selection, measure and page are Inputs so the panels follow a click at once, not at the next tick
        return poll_outputs(services, poll, state, lang or "id", selection, measure or "open", path, viewer())
