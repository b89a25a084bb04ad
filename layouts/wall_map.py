"""The wall's map: the choropleth by kecamatan, its legend and measure picker, the count points, the scope line."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from data_feeds.i18n import (
    STATUS_GLYPHS,
    dropdown_labels,
    fmt_int,
    t,
)
from geodata import choropleth
from geodata.boundaries import EMPTY_LAYER

from . import ids

if TYPE_CHECKING:
    from layouts.wall import WallView

js = Namespace("liveroom", "map")
DEFAULT_MEASURE = "open"


class CountPoint(TypedDict):
    """A kecamatan's place for its counts by status (the kiosk at city zoom): a GeoJSON point feature whose
    properties are k (code) and n (name); liveroom.js area adds c: [baru, diproses, selesai today]."""

    type: str
    geometry: dict
    properties: dict


def count_points(kecamatan: dict) -> list[CountPoint]:
    """{code: gazetteer Place} -> the counts layer's points (its label point: the kecamatan's centroid)."""
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {"k": code, "n": p.name},
        }
        for code, p in sorted(kecamatan.items())
    ]


def legend(lang: str) -> html.Details:
    """Folds away (on a phone it starts folded: callbacks/pages.py)."""
    return html.Details(
        id=ids.LEGEND_BOX,
        open=True,
        className="lr-legend",
        children=[
            html.Summary(t("legend_title", lang), className="lr-legend-title"),
            *[
                html.Div(
                    className=f"lr-legend-row lr-status-{s}",
                    children=[html.Span(STATUS_GLYPHS[s], className="lr-dot"), t(f"status_{s}", lang)],
                )
                for s in ("baru", "diproses", "selesai")
            ],
            html.Div(t("counts_legend", lang), className="lr-legend-row lr-counts-key"),
            html.Div(measure_legend(DEFAULT_MEASURE, lang), id=ids.MAP_LEGEND),
        ],
    )


def measure_legend(measure: str, lang: str, demo: bool = False) -> list:
    """The choropleth's classes: fixed, so a colour means the same thing on every refresh."""
    m = choropleth.MEASURES[measure]
    rows = []
    for low, high, colour in choropleth.classes(measure):
        text = (
            f"< {fmt_int(high, lang)}"
            if low is None
            else f"≥ {fmt_int(low, lang)}"
            if high is None
            else f"{fmt_int(low, lang)} – {fmt_int(high, lang)}"
        )
        rows.append(
            html.Div(
                className="lr-legend-row",
                children=[
                    html.Span(className="lr-swatch", style={"background": colour}),
                    f"{text} {m.unit_id if lang == 'id' else m.unit_en}".strip(),
                ],
            )
        )
    rows.append(
        html.Div(
            className="lr-legend-row",
            children=[html.Span(className="lr-swatch lr-swatch-nodata"), t("no_data_area", lang)],
        )
    )
    if demo:
        rows.append(html.Div(t("legend_demo", lang), className="lr-legend-row lr-demo-note", id="legend-demo"))
    return [html.Div(m.label(lang), className="lr-legend-title lr-legend-measure"), *rows]


def measure_picker(lang: str) -> html.Div:
    return html.Div(
        className="lr-measure",
        children=[
            html.Label(t("map_measure", lang), htmlFor=ids.MEASURE),
            dcc.Dropdown(
                id=ids.MEASURE,
                value=DEFAULT_MEASURE,
                clearable=False,
                searchable=False,
                labels=dropdown_labels(lang),
                options=[{"label": m.label(lang), "value": key} for key, m in choropleth.MEASURES.items()],
            ),
        ],
    )


def scope_title(kecamatan_name: str | None, lang: str) -> str:
    return t("scope_kecamatan", lang, name=kecamatan_name) if kecamatan_name else t("scope_city", lang)


def kelurahan_title(name: str, kecamatan: str, lang: str) -> str:
    return t("scope_kelurahan", lang, name=name, kecamatan=kecamatan)


def kelurahan_place_facts(place, lang: str) -> str:
    """A kelurahan's population and area, where official figures exist."""
    pop = (
        t("facts_population", lang, value=fmt_int(place.population, lang), period=place.population_period)
        if place.population
        else t("facts_population_missing", lang)
    )
    area = place.area_official_km2 or place.area_km2
    return " · ".join([pop, t("facts_area", lang, value=fmt_int(area, lang))])


def kelurahan_figures(facts: dict, lang: str) -> str:
    """Its live figures (live/kelurahan_view.py KelurahanFacts), in words."""
    if facts.get("per_10k") is None:
        return t("kel_facts_no_pop", lang, open=fmt_int(facts["open"], lang), overdue=fmt_int(facts["overdue"], lang))
    per = f"{facts['per_10k']:.1f}".replace(".", "," if lang == "id" else ".")
    return t("kel_facts", lang, open=fmt_int(facts["open"], lang), overdue=fmt_int(facts["overdue"], lang), per=per)


def scope_facts(place, n_kelurahan: int, lang: str) -> str:
    """Population, official area and kelurahan count of a kecamatan; says so where a figure is missing."""
    pop = (
        t("facts_population", lang, value=fmt_int(place.population, lang), period=place.population_period)
        if place.population
        else t("facts_population_missing", lang)
    )
    area = place.area_official_km2 or place.area_km2
    return " · ".join(
        [t("facts_kelurahan", lang, n=n_kelurahan), pop, t("facts_area", lang, value=fmt_int(area, lang))]
    )


def area_options(gz) -> list[dict]:
    """The picker's choices: each kecamatan, then each kelurahan with its kecamatan (searchable by either name)."""
    kec = sorted(gz.kecamatan.values(), key=lambda p: p.name)
    kel = sorted(gz.kelurahan.values(), key=lambda p: (p.name, p.code))
    return [{"label": f"Kec. {p.name}", "value": p.code, "search": p.name} for p in kec] + [
        {
            "label": f"{p.name} · Kec. {gz.kecamatan[p.kecamatan_code].name}",
            "value": p.code,
            "search": f"{p.name} {gz.kecamatan[p.kecamatan_code].name}",
        }
        for p in kel
    ]


def crumbs(gz, selection: str | None, lang: str) -> list:
    """Kota Tangerang › Kecamatan › Kelurahan: each level above the chosen one a button back to it (two fixed
    buttons, the city's and the kecamatan's: callbacks/selection.py listens to them)."""
    kel = gz.kelurahan.get(selection) if selection else None
    kec = gz.kecamatan.get(kel.kecamatan_code if kel else selection) if selection else None
    here = {"aria-current": "location"}
    sep = lambda shown: html.Span("›", className="lr-crumb-sep", hidden=not shown, **{"aria-hidden": "true"})  # noqa: E731
    return [
        html.Button(
            t("city", lang),
            id=ids.AREA_UP_CITY,
            className="lr-crumb" + ("" if kec else " lr-crumb-here"),
            n_clicks=0,
            **({} if kec else here),
        ),
        sep(kec is not None),
        html.Button(
            kec.name if kec else "",
            id=ids.AREA_UP_KEC,
            className="lr-crumb" + ("" if kel else " lr-crumb-here"),
            hidden=kec is None,
            n_clicks=0,
            **({} if kel or not kec else here),
        ),
        sep(kel is not None),
        html.Span(kel.name if kel else "", className="lr-crumb lr-crumb-here", hidden=kel is None, **here),
    ]


def scope_bar(lang: str, options: list[dict]) -> html.Div:
    return html.Div(
        className="lr-scope",
        children=[
            html.Nav(
                crumbs(None, None, lang),
                id=ids.AREA_CRUMBS,
                className="lr-crumbs",
                **{"aria-label": t("area_crumbs", lang)},
            ),
            dcc.Dropdown(
                id=ids.AREA_PICKER,
                options=options,
                placeholder=t("area_pick", lang),
                searchable=True,
                clearable=True,
                className="lr-area-picker",
                labels=dropdown_labels(lang),
            ),
            html.Span(scope_title(None, lang), id=ids.SCOPE_TITLE, className="lr-scope-title"),
            html.Button(
                t("scope_reset", lang), id=ids.SCOPE_RESET, className="lr-scope-reset", hidden=True, n_clicks=0
            ),
            html.Span(t("scope_hint", lang), className="lr-scope-hint"),
            html.Div("", id=ids.SCOPE_FACTS, className="lr-scope-facts"),
            html.Div("", id=ids.KEL_FACTS, className="lr-scope-facts lr-kel-facts"),
        ],
    )


def map_panel(view: WallView) -> dl.Map:
    layers = [dl.TileLayer(url=view.tile_url, opacity=0.35)] if view.tile_url else []
    layers += [
        dl.GeoJSON(
            id=ids.MAP_KECAMATAN,
            data=view.kecamatan_geobuf,
            format="geobuf",
            style=js("kecamatanStyle"),
            onEachFeature=js("kecamatanLabel"),
            hideout={"values": {}, "breaks": [], "colors": [], "selected": None},
        ),
        # The selected kecamatan's kelurahan, sent on selection (a few KB), with their names.
        dl.GeoJSON(
            id=ids.MAP_KELURAHAN,
            data=EMPTY_LAYER,
            style=js("kelurahanStyle"),
            onEachFeature=js("kelurahanLabel"),
            hideout={"counts": view.summary.get("kelurahan", {})},
        ),
        dl.GeoJSON(
            id=ids.MAP_MARKERS,
            data={"type": "FeatureCollection", "features": view.markers},
            cluster=True,
            pointToLayer=js("reportMarker"),
            clusterToLayer=js("reportCluster"),
            superClusterOptions={"radius": 40, "maxZoom": 15},
            zoomToBoundsOnClick=True,
        ),
        # the kiosk at city zoom: counts by status per kecamatan instead of dozens of clusters (hidden on the desk)
        dl.GeoJSON(
            id=ids.MAP_COUNTS,
            data={"type": "FeatureCollection", "features": []},
            pointToLayer=js("areaCounts"),
            interactive=False,
        ),
    ]
    # trackViewport off: it compares against a `center` prop we do not set (we fit to bounds).
    # All 104 kelurahan, drawn only from street-level zoom (CSS on the pane, toggled by onZoom in liveroom.js).
    layers.append(
        dl.Pane(
            name="kelurahan-all",
            style={"zIndex": 405},
            children=[
                dl.GeoJSON(
                    id=ids.MAP_KELURAHAN_ALL,
                    data=view.kelurahan_geobuf,
                    format="geobuf",
                    style=js("kelurahanStyle"),
                    onEachFeature=js("kelurahanLabelInPane"),
                    interactive=False,
                ),
            ],
        )
    )
    return dl.Map(
        id=ids.MAP,
        bounds=view.bounds,
        boundsOptions={"padding": [12, 12]},
        zoomSnap=0.25,
        trackViewport=False,
        attributionControl=False,
        className="lr-map",
        children=layers,
        eventHandlers={"zoomend": js("onZoom")},
    )
