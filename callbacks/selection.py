"""Drill-down: choose a kecamatan or a kelurahan (a click on its name or its shape on the map, the searchable
picker, the breadcrumb) to focus every panel on it; click it again, reset, or a level of the breadcrumb to go back
up. The selection is a Kemendagri code: 36.71.KK a kecamatan, 36.71.KK.1NNN a kelurahan."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update
from flask_caching import Cache

from callbacks import replayed
from data_feeds.services import Services
from geodata.boundaries import EMPTY_LAYER
from layouts import ids, wall_map

DRILL_SIMPLIFY_M = 2.0


def next_selection(triggered, click: dict | None, current: str | None, picked: str | None = None) -> str | None:
    """The selection after a map click (a kecamatan's, or a kelurahan's inside the chosen kecamatan), the picker,
    the breadcrumb or a reset: clicking the chosen area again goes one level up."""
    if triggered == ids.SCOPE_RESET:
        return None
    if triggered == ids.AREA_PICKER:
        return picked or None  # (cleared: the city)
    if triggered == ids.AREA_UP_CITY:
        return None
    if triggered == ids.AREA_UP_KEC:  # from a kelurahan, up to its kecamatan
        return current[: len("36.71.07")] if current else None
    props = (click or {}).get("properties")
    key = "kode_kel" if triggered == ids.MAP_KELURAHAN else "kode_kec"
    code = props.get(key) if isinstance(props, dict) else None
    if not code or not isinstance(code, str):
        return current
    if code != current:
        return code
    return code.rsplit(".", 1)[0] if key == "kode_kel" else None  # again: up to its kecamatan, or the city


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

    def known(code: str | None) -> bool:
        return code is None or code in gz.kecamatan or code in gz.kelurahan

    @app.callback(
        Output(ids.SELECTION, "data"),
        Output(ids.AREA_PICKER, "value"),
        Input(ids.MAP_KECAMATAN, "clickData"),
        Input(ids.SCOPE_RESET, "n_clicks"),
        Input(ids.MAP_KELURAHAN, "clickData"),
        Input(ids.AREA_PICKER, "value"),
        Input(ids.AREA_UP_CITY, "n_clicks"),
        Input(ids.AREA_UP_KEC, "n_clicks"),
        State(ids.SELECTION, "data"),
        prevent_initial_call=True,
    )
    @replayed.shaped(
        replayed.mapping, replayed.count, replayed.mapping, replayed.text, replayed.count, replayed.count, replayed.text
    )
    def select(kec_click, _reset, kel_click, picked, up_city, up_kec, current):
        trigger = ctx.triggered_id
        if (trigger == ids.AREA_UP_CITY and not up_city) or (trigger == ids.AREA_UP_KEC and not up_kec):
            return no_update, no_update  # the breadcrumb redrawn, not clicked
        click = kel_click if trigger == ids.MAP_KELURAHAN else kec_click
        chosen = next_selection(trigger, click, current, picked)
        if chosen == current or not known(chosen):
            return no_update, no_update
        return chosen, chosen  # the picker shows where the panels are

    def kel_bounds(code: str) -> list[list[float]]:
        kel = services.boundaries.kelurahan
        x0, y0, x1, y1 = kel.set_index("kode_kel").loc[code].geometry.bounds
        return [[float(y0), float(x0)], [float(y1), float(x1)]]

    @app.callback(
        Output(ids.MAP, "viewport"),
        Output(ids.MAP_KELURAHAN, "data"),
        Output(ids.SCOPE_TITLE, "children"),
        Output(ids.SCOPE_RESET, "hidden"),
        Output(ids.SCOPE_FACTS, "children"),
        Output(ids.MAP_WRAP, "className"),
        Output(ids.AREA_CRUMBS, "children"),
        Input(ids.SELECTION, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    @replayed.shaped(replayed.text, replayed.lang)
    def follow(selection, lang):
        crumbs = wall_map.crumbs(gz, selection if known(selection) else None, lang)
        if selection in gz.kelurahan:
            kel = gz.kelurahan[selection]
            kec = gz.kecamatan[kel.kecamatan_code]
            return (
                {"bounds": kel_bounds(selection), "transition": "flyToBounds"},
                kelurahan_layer(services.boundaries.key, kec.code),
                wall_map.kelurahan_title(kel.name, kec.name, lang),
                False,
                wall_map.kelurahan_place_facts(kel, lang),
                "lr-map-wrap lr-selected",
                crumbs,
            )
        if not selection or selection not in gz.kecamatan:
            return (
                {"bounds": bounds_of(None), "transition": "flyToBounds"},
                EMPTY_LAYER,
                wall_map.scope_title(None, lang),
                True,
                "",
                "lr-map-wrap",
                crumbs,
            )
        place = gz.kecamatan[selection]
        return (
            {"bounds": bounds_of(selection), "transition": "flyToBounds"},
            kelurahan_layer(services.boundaries.key, selection),
            wall_map.scope_title(place.name, lang),
            False,
            wall_map.scope_facts(place, len(gz.kelurahan_of(selection)), lang),
            "lr-map-wrap lr-selected",
            crumbs,
        )  # the selection draws its own kelurahan: hide the street-level layer
