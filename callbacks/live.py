"""The live loop: each dashboard asks "anything new?" with one Redis GET and receives only changes.

A clientside gate lets at most one poll per dashboard be in flight, so a slow client or
server never piles requests up; a clientside merge applies marker changes to the map, so
only the changed markers cross the network.
"""
from __future__ import annotations

import json

import redis
from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from data_feeds.services import Services
from data_feeds.snapshot import LiveState, freshness
from layouts import ids, wall
from layouts.i18n import fmt_time, t

KPI_IDS = [ids.KPI_TODAY, ids.KPI_BARU, ids.KPI_DIPROSES, ids.KPI_SELESAI, ids.KPI_TTFR, ids.KPI_TTFR_NOTE]
OUTPUTS = [
    Output(ids.LIVE_ACK, "data"), Output(ids.LIVE_STATE, "data"), Output(ids.LIVE_DELTA, "data"),
    *[Output(i, "children") for i in KPI_IDS],
    Output(ids.TICKER, "children"), Output(ids.MAP_KECAMATAN, "hideout"),
    Output(ids.STATUS_BANNER, "children"), Output(ids.STATUS_BANNER, "className"), Output(ids.DEMO_BANNER, "hidden"),
    Output(ids.UPDATED_AT, "children"), Output(ids.MARKERS_NOTE, "children"),
]


def poll_outputs(services: Services, poll: int | None, state: dict | None, lang: str) -> list:
    """One poll, as a list matching OUTPUTS. Pure of Dash so the fast test tier can call it."""
    state = dict(state or {})
    have = LiveState.parse(state.get("token"))
    nothing = [no_update] * (len(OUTPUTS) - 1)
    ack = {"n": poll}
    try:
        pipe = services.redis.pipeline(transaction=False)
        pipe.get(services.keys.version)
        pipe.get(services.keys.heartbeat)
        token, beat = pipe.execute()
        current = LiveState.parse(token)
        change = None
        if current is not None and (have is None or current.token() != have.token()):
            change = services.live.since(have) if have else None
            if change is None:
                full_state, summary, markers = services.live.full()
                change = {"state": full_state, "summary": summary, "upserts": markers, "removes": [], "full": True}
        redis_up = True
    except (redis.RedisError, OSError):
        redis_up, beat, change = False, None, None

    summary = change["summary"] if change else None
    if summary is not None:
        state["stale"] = [f["name"] for f in summary["feeds"].values() if f.get("stale")]
        state["since"] = summary.get("built_at")
    feeds = {"feeds": {n: {"name": n, "stale": True} for n in state.get("stale", [])}}
    fresh = freshness(feeds, redis_up, beat is not None, state.get("since"))
    health_key = json.dumps(fresh, sort_keys=True)
    banner_changed = health_key != state.get("health")
    state["health"] = health_key

    if change is None or (summary is None and not change.get("full")):
        if change is not None:
            state["token"] = change["state"].token()
        if not banner_changed:
            return [ack, state if change is not None else no_update] + nothing[1:]
        out = [ack, state] + nothing[1:]
        out[OUTPUTS.index(Output(ids.STATUS_BANNER, "className"))], out[OUTPUTS.index(Output(ids.STATUS_BANNER, "children"))] = \
            _banner(fresh, lang)
        return out

    state["token"] = change["state"].token()
    delta = {"full": bool(change.get("full")), "upserts": change["upserts"], "removes": change["removes"]}
    values = wall.kpi_values(summary, lang)
    banner_class, banner_children = _banner(fresh, lang)
    return [
        ack, state, delta,
        *[values[i] for i in KPI_IDS],
        wall.ticker_items(summary["ticker"], lang), {"counts": summary["kecamatan"]},
        banner_children if banner_changed else no_update, banner_class if banner_changed else no_update,
        not summary.get("has_demo"),
        t("updated", lang, time=fmt_time(summary.get("built_at"), lang, seconds=True)),
        wall.markers_note(summary, lang),
    ]


def _banner(fresh: dict, lang: str) -> tuple[str, list]:
    return wall.status_banner(fresh, lang)


def register(app: Dash, services: Services) -> None:
    app.clientside_callback(ClientsideFunction("liveroom", "gate"), Output(ids.LIVE_POLL, "data"),
                            Input(ids.LIVE_TICK, "n_intervals"))
    app.clientside_callback(ClientsideFunction("liveroom", "done"), Output(ids.LIVE_DONE, "data"),
                            Input(ids.LIVE_ACK, "data"))
    app.clientside_callback(ClientsideFunction("liveroom", "merge"), Output(ids.MAP_MARKERS, "data"),
                            Input(ids.LIVE_DELTA, "data"), State(ids.MAP_MARKERS, "data"))
    app.clientside_callback(ClientsideFunction("liveroom", "clock"), Output(ids.CLOCK, "children"),
                            Input(ids.CLOCK_TICK, "n_intervals"), State(ids.LANG, "data"))

    @app.callback(*OUTPUTS, Input(ids.LIVE_POLL, "data"), State(ids.LIVE_STATE, "data"), State(ids.LANG, "data"),
                  prevent_initial_call=True)
    def poll(poll, state, lang):
        return poll_outputs(services, poll, state, lang or "id")
