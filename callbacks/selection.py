"""Drill-down: click a kecamatan to focus every panel on it; click it again, or reset, to go back."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update
from flask_caching import Cache

from callbacks import replayed
from data_feeds.services import Services
from geodata.boundaries import EMPTY_LAYER
from layouts import ids, wall_map

DRILL_SIMPLIFY_M = 2.0


def next_selection(triggered: str | None, click: dict | None, current: str | None) -> str | None:
    """The selection after a map click or a reset: clicking the selected kecamatan again clears it."""
    if triggered == ids.SCOPE_RESET:
        return None
    props = (click or {}).get("properties")
    code = props.get("kode_kec") if isinstance(props, dict) else None
    if not code or not isinstance(code, str):
        return current
    return None if code == current else code


def register(app: Dash, services: Services, cache: Cache) -> None:
    gz = services.gazetteer

    @cache.memoize(timeout=0)
    def kelurahan_layer(_key: str, kode_kec: str) -> dict:
        """One kecamatan's kelurahan, prepared once per boundary set and shared through Redis."""
        return services.boundaries.layer_geojson("kelurahan", kode_kec=kode_kec, simplify_m=DRILL_SIMPLIFY_M)

    def bounds_of(code: str | None) -> list[list[float]]:
        kec = services.boundaries.kecamatan
        x0, y0, x1, y1 = kec.total_bounds if code is None else kec.set_index("kode_kec").loc[code].geometry.bounds
        return [[float(y0), float(x0)], [float(y1), float(x1)]]

    @app.callback(
        Output(ids.SELECTION, "data"),
        Input(ids.MAP_KECAMATAN, "clickData"),
        Input(ids.SCOPE_RESET, "n_clicks"),
        State(ids.SELECTION, "data"),
        prevent_initial_call=True,
    )
    @replayed.shaped(replayed.mapping, replayed.count, replayed.text)
    def select(click, _reset, current):
        chosen = next_selection(ctx.triggered_id, click, current)
        return no_update if chosen == current else chosen

    @app.callback(
        Output(ids.MAP, "viewport"),
        Output(ids.MAP_KELURAHAN, "data"),
        Output(ids.SCOPE_TITLE, "children"),
        Output(ids.SCOPE_RESET, "hidden"),
        Output(ids.SCOPE_FACTS, "children"),
        Output(ids.MAP_WRAP, "className"),
        Input(ids.SELECTION, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    @replayed.shaped(replayed.text, replayed.lang)
    def follow(selection, lang):
        if not selection or selection not in gz.kecamatan:
            return (
                {"bounds": bounds_of(None), "transition": "flyToBounds"},
                EMPTY_LAYER,
                wall_map.scope_title(None, lang),
                True,
                "",
                "lr-map-wrap",
            )
        place = gz.kecamatan[selection]
        return (
            {"bounds": bounds_of(selection), "transition": "flyToBounds"},
            kelurahan_layer(services.boundaries.key, selection),
            wall_map.scope_title(place.name, lang),
            False,
            wall_map.scope_facts(place, len(gz.kelurahan_of(selection)), lang),
            "lr-map-wrap lr-selected",
        )  # the selection draws its own kelurahan: hide the street-level layer
