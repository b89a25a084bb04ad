"""A kelurahan drilled into: its figures (KPI tiles, ticker, OPD table; open, overdue, per 10,000 residents) read
for the reader's scope once per live version and shared by every worker through the cache; the wall's panels
draw them as they draw a kecamatan's (assets/liveroom.js area)."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State
from flask_caching import Cache

from callbacks import replayed
from callbacks.live import live_token
from data_feeds.api.signin import viewer
from data_feeds.clock import utcnow
from data_feeds.live import kelurahan_view
from data_feeds.services import Services
from layouts import ids, wall_map


def register(app: Dash, services: Services, cache: Cache) -> None:
    gz = services.gazetteer

    @cache.memoize(timeout=600)
    def figures(_token: str, code: str, scope: tuple[str, ...] | None) -> dict:
        """One kelurahan's figures at one live version (the token keys the cache: a change reads afresh)."""
        opds = frozenset(scope) if scope is not None else None
        return kelurahan_view.read(services.store, services.routing, gz, code, opds, utcnow())

    # the live version, while a kelurahan is chosen (nothing moves while a kecamatan or the city is)
    app.clientside_callback(
        ClientsideFunction("liveroom", "kelurahanToken"),
        Output(ids.KEL_TOKEN, "data"),
        Input(ids.LIVE_VIEW, "data"),
        Input(ids.SELECTION, "data"),
    )

    @app.callback(
        Output(ids.KEL_VIEW, "data"),
        Output(ids.KEL_FACTS, "children"),
        Input(ids.KEL_TOKEN, "data"),
        Input(ids.SELECTION, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    @replayed.shaped(replayed.text, replayed.text, replayed.lang)
    def kelurahan(_token, selection, lang):
        who = viewer()
        if selection not in gz.kelurahan or who is None:
            return None, ""
        scope = tuple(sorted(who.scope)) if who.scope is not None else None
        # keyed by the server's own version (the browser's only says that it moved): a replayed request with made-up
        # tokens cannot fill the cache or force a read per request
        got = figures(live_token(services) or "", selection, scope)
        area = dict(got["area"])
        if not who.sees_reports:  # an assessor: the figures, never a report's words
            area["ticker"] = {"order": [], "rows": {}}
        return {"code": selection, "name": gz.kelurahan[selection].name, "area": area}, wall_map.kelurahan_figures(
            got["facts"], lang
        )
