"""The wall view: map, KPI tiles, vaccination totals and the ticker, legible across the room."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from data_feeds.i18n import (
    STATUS_GLYPHS,
    dropdown_labels,
    fmt_date,
    fmt_duration,
    fmt_int,
    fmt_pct,
    fmt_time,
    population_period,
    t,
)
from data_feeds.live.shapes import OpdRow, SlaPanel, Summary
from data_feeds.live.view import opd_row
from geodata import choropleth
from geodata.boundaries import EMPTY_LAYER
from geodata.gazetteer import CITY_CODE

from . import ids, indicators_page, report_card
from .indicators_page import spark

js = Namespace("liveroom", "map")
DEFAULT_MEASURE = "open"


@dataclass
class WallView:
    """Everything the wall shows at page load; built by callbacks from the live snapshot."""

    lang: str
    summary: Summary
    markers: list[dict]  # MarkerFeature; empty when the first poll loads them
    kecamatan_geobuf: str
    kelurahan_geobuf: str
    bounds: list[list[float]]
    boundary_kind: str
    boundary_source: str
    freshness: dict
    channel: dict  # the live link's settings (live_link.js start): address, ticket, beat, store ids
    tile_url: str = ""
    pillar_opds: dict = field(default_factory=dict)  # pillar -> OPD codes, for the indicators page
    account: Account | None = None  # who is looking (None: a test's bare wall)
    shows_reports: bool = True  # False for an assessor: no report's words on screen
    opd_names: dict = field(default_factory=dict)  # OPD code -> name, for forwarding
    count_points: list[dict] = field(default_factory=list)  # CountPoint: where each kecamatan's counts stand
    briefings: bool = False  # the reader may read a morning briefing: the header links the list


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


@dataclass(frozen=True)
class Account:
    """The header's account corner: who is signed in, in which role, for which agency."""

    name: str
    role: str  # access.viewer role: pimpinan | operator | opd | penilai | admin | layar
    agency: str = ""  # an agency view: its OPDs' short names
    signs_out: bool = False  # a person has the sign-out form (a screen does not sign out)


def account_corner(account: Account | None, lang: str) -> list:
    if account is None:
        return []
    label = f"{account.name} · {t('role_' + account.role, lang)}"
    children = [html.Span(label, className="lr-account-name", id=ids.ACCOUNT)]
    if account.signs_out:
        # the token is filled in from its cookie as the form is sent (assets/liveroom.js): a secret in the layout
        # would sit beside citizens' words in a compressed answer, what the BREACH attack reads
        children.append(
            html.Form(
                action="/keluar",
                method="post",
                className="lr-signout",
                children=[
                    dcc.Input(type="hidden", name="csrf_token", value=""),
                    html.Button(t("signout", lang), type="submit", className="lr-signout-btn"),
                ],
            )
        )
    return [html.Div(className="lr-account", children=children)]


def kpi_values(k: dict, lang: str) -> dict[str, str]:
    """Tile texts from one area's KPIs (the city's or a kecamatan's)."""
    return {
        ids.KPI_TODAY: fmt_int(k["today"], lang),
        ids.KPI_BARU: fmt_int(k["baru"], lang),
        ids.KPI_DIPROSES: fmt_int(k["diproses"], lang),
        ids.KPI_SELESAI: fmt_int(k["selesai_today"], lang),
        ids.KPI_TTFR: fmt_duration(k["ttfr_median_s"], lang) if k["ttfr_median_s"] is not None else "–",
        ids.KPI_TTFR_NOTE: t("kpi_ttfr_window", lang, days=k["ttfr_window_days"], n=fmt_int(k["ttfr_n"], lang))
        if k["ttfr_n"]
        else t("no_data", lang),
    }


def _tile(label: str, value_id: str, value: str, tone: str, note_id: str | None = None, note: str = "") -> html.Div:
    return html.Div(
        className=f"lr-kpi lr-tone-{tone}",
        children=[
            html.Div(label, className="lr-kpi-label"),
            html.Div(value, id=value_id, className="lr-kpi-value"),
            html.Div(note, id=note_id, className="lr-kpi-note") if note_id else None,
        ],
    )


def kpi_tiles(summary: dict, lang: str) -> html.Div:
    v = kpi_values(summary["kpi"], lang)
    return html.Div(
        className="lr-kpis",
        children=[
            _tile(t("kpi_today", lang), ids.KPI_TODAY, v[ids.KPI_TODAY], "neutral"),
            _tile(t("kpi_baru", lang), ids.KPI_BARU, v[ids.KPI_BARU], "baru"),
            _tile(t("kpi_diproses", lang), ids.KPI_DIPROSES, v[ids.KPI_DIPROSES], "diproses"),
            _tile(t("kpi_selesai", lang), ids.KPI_SELESAI, v[ids.KPI_SELESAI], "selesai"),
            _tile(
                t("kpi_ttfr", lang), ids.KPI_TTFR, v[ids.KPI_TTFR], "neutral", ids.KPI_TTFR_NOTE, v[ids.KPI_TTFR_NOTE]
            ),
        ],
    )


def status_banner(freshness: dict, lang: str) -> tuple[str, list]:
    """-> (className, children) of the strip that says how current the screen is."""
    messages = []
    for p in freshness["problems"]:
        since = fmt_time(p.get("since"), lang) if p.get("since") else "–"
        if p["kind"] == "redis_down":
            messages.append(t("live_redis_down", lang, time=since))
        elif p["kind"] == "worker_down":
            messages.append(t("live_worker_down", lang, time=since))
        elif p["kind"] == "feed_stale":
            messages.append(t("feed_stale", lang, feeds=", ".join(p["feeds"])))
    if not messages:
        return "lr-status lr-status-ok", [html.Span("●", className="lr-live-dot"), t("live_ok", lang)]
    return f"lr-status lr-status-{freshness['level']}", [html.Span("▲", className="lr-warn-icon"), " · ".join(messages)]


def markers_note(summary: dict, lang: str) -> str:
    shown, total = summary.get("markers_shown", 0), summary.get("markers_total", 0)
    return t("markers_capped", lang, shown=fmt_int(shown, lang), total=fmt_int(total, lang)) if total > shown else ""


VACC_CODES = ("vaccination_dose_1", "vaccination_dose_2", "vaccination_dose_3")


def vaccination_children(indicators: dict, place: str | None, lang: str) -> list:
    """The vaccination panel for the city or, where a feed gives them, one kecamatan's figures."""
    have_place = place and all(place in indicators.get(c, {}) for c in VACC_CODES)
    key = place if have_place else CITY_CODE
    entries = [indicators.get(c, {}).get(key) for c in VACC_CODES]
    if not all(entries):
        return [html.H2(t("vacc_title", lang)), html.Div(t("no_data", lang), className="lr-asof")]
    rows = []
    for n, e in enumerate(entries, 1):
        change = ""
        if e["change"] is not None:
            change = t(
                "vacc_change",
                lang,
                sign="+" if e["change"] >= 0 else "−",
                value=fmt_int(abs(e["change"]), lang),
                date=fmt_date(e["prev_as_of"], lang),
            )
        rows.append(
            html.Div(
                className=f"lr-vacc-row lr-state-{e['state'] or 'none'}",
                children=[
                    html.Span(t(f"dose_{n}", lang), className="lr-vacc-label"),
                    spark(e["spark"] if len(e["spark"]) > 1 else []),  # one figure is not a trend
                    html.Span(fmt_int(e["value"], lang), className="lr-vacc-value", id=f"vacc-dose-{n}"),
                    html.Span(
                        [
                            html.Span(
                                t("vacc_coverage", lang, pct=fmt_pct(e["progress"], lang))
                                if e["denominator"]
                                else t("vacc_no_population", lang),
                                className="lr-vacc-pct",
                            ),
                            html.Span(change, className="lr-vacc-change") if change else None,
                        ],
                        className="lr-vacc-sub",
                    ),
                ],
            )
        )
    first = entries[0]
    notes = []
    if first["denominator"]:
        notes.append(
            t(
                "vacc_denominator",
                lang,
                value=fmt_int(first["denominator"]["value"], lang),
                period=population_period(first["denominator"]["label"], lang),
            )
        )
    if any((e["progress"] or 0) > 1 for e in entries):
        notes.append(t("vacc_over_100", lang))
    stale = any(e["stale"] for e in entries)
    return [
        html.H2(t("vacc_title", lang)),
        *rows,
        html.Div(
            [t("as_of", lang, date=fmt_date(first["as_of"], lang)), " · ", t("source", lang, source=first["source"])],
            className="lr-asof" + (" lr-stale" if stale else ""),
            id="vacc-asof",
        ),
        html.Div(
            t("figure_stale", lang, days=fmt_int(first["age_days"], lang)), className="lr-stale-note", id="vacc-stale"
        )
        if stale
        else None,
        html.Div(t("figure_demo", lang), className="lr-asof lr-demo-note") if any(e["demo"] for e in entries) else None,
        html.Div(" · ".join(notes), className="lr-asof lr-vacc-notes") if notes else None,
        html.Div(t("vacc_city_only", lang), className="lr-asof lr-vacc-scope", id="vacc-scope")
        if place and not have_place
        else None,
    ]


class OpdTable(TypedDict):
    rows: list[OpdRow]  # live.shapes.OpdRow
    b: int
    w: int
    days: int  # the window of the times
    a: str | None  # the kecamatan the figures are of (None: the city), for the indicators page's titles


def opd_data(panel: SlaPanel, area: str | None = None) -> OpdTable:
    """The OPD table as compact rows, drawn in the browser (assets/liveroom.js opdTable): the first paint's; the
    live view carries the same rows (live.view.opd_row)."""
    return {
        "rows": [opd_row(r) for r in panel["rows"]],
        "b": panel["breached"],
        "w": panel["soon"],
        "days": panel["window_days"],
        "a": area,
    }


def opd_panel(panel: dict, lang: str) -> html.Section:
    head = [t("opd_col_opd", lang), t("opd_col_open", lang), t("opd_col_breached", lang), t("opd_col_soon", lang)]
    return html.Section(
        className="lr-panel lr-opd",
        children=[
            dcc.Store(id=ids.OPD_DATA, data=opd_data(panel)),
            html.Div(
                className="lr-opd-head",
                children=[html.H2(t("opd_title", lang)), html.Span(id=ids.OPD_NOTE, className="lr-opd-note")],
            ),
            html.Div(
                className="lr-opd-scroll",
                children=html.Table(
                    className="lr-opd-table",
                    children=[
                        html.Thead(
                            html.Tr(
                                [
                                    *[html.Th(h) for h in head],
                                    *[
                                        html.Th(
                                            [
                                                t(k, lang),
                                                html.Br(),
                                                html.Span(t("opd_med_p90", lang), className="lr-opd-sub"),
                                            ]
                                        )
                                        for k in ("opd_col_response", "opd_col_resolution")
                                    ],
                                ]
                            )
                        ),
                        html.Tbody(id=ids.OPD_BODY),  # drawn in the browser from opd-data
                    ],
                ),
            ),
        ],
    )


def _legend(lang: str) -> html.Details:
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


def _scope(lang: str) -> html.Div:
    return html.Div(
        className="lr-scope",
        children=[
            html.Span(scope_title(None, lang), id=ids.SCOPE_TITLE, className="lr-scope-title"),
            html.Button(
                t("scope_reset", lang), id=ids.SCOPE_RESET, className="lr-scope-reset", hidden=True, n_clicks=0
            ),
            html.Span(t("scope_hint", lang), className="lr-scope-hint"),
            html.Div("", id=ids.SCOPE_FACTS, className="lr-scope-facts"),
        ],
    )


def _map(view: WallView) -> dl.Map:
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


def build(view: WallView) -> html.Div:
    lang, summary = view.lang, view.summary
    banner_class, banner_children = status_banner(view.freshness, lang)
    other = "en" if lang == "id" else "id"
    boundary_note = (
        t("boundary_schematic", lang)
        if view.boundary_kind == "schematic"
        else t("boundary_official", lang, source=view.boundary_source)
    )
    return html.Div(
        className="lr-wall" + ("" if view.shows_reports else " lr-no-reports"),
        lang=lang,
        children=[
            html.Header(
                className="lr-header",
                children=[
                    html.Div(
                        className="lr-brand",
                        children=[
                            html.H1(t("app_title", lang)),
                            html.Span(
                                t("scope_opd", lang, opd=view.account.agency)
                                if view.account and view.account.agency
                                else t("city", lang),
                                className="lr-city lr-agency" if view.account and view.account.agency else "lr-city",
                                id=ids.SCOPE_AGENCY,
                            ),
                        ],
                    ),
                    html.Nav(
                        className="lr-nav",
                        children=[
                            dcc.Link(t("nav_wall", lang), href="/", id=ids.NAV_WALL, className="lr-nav-link"),
                            dcc.Link(
                                t("nav_indicators", lang),
                                href=ids.INDICATORS_PATH,
                                id=ids.NAV_INDICATORS,
                                className="lr-nav-link",
                            ),
                            *(
                                [
                                    html.A(
                                        t("nav_reports", lang),
                                        href=ids.REPORTS_PATH,
                                        className="lr-nav-link",
                                        id="nav-reports",
                                    )
                                ]
                                if view.shows_reports
                                else []
                            ),
                            *(
                                [
                                    html.A(
                                        t("nav_briefing", lang),
                                        href="/briefing/",
                                        className="lr-nav-link",
                                        id="nav-briefing",
                                    )
                                ]
                                if view.briefings
                                else []
                            ),
                        ],
                    ),
                    html.Div(banner_children, id=ids.STATUS_BANNER, className=banner_class, role="status"),
                    html.Div(
                        className="lr-header-right",
                        children=[
                            html.Div(
                                fmt_time(summary.get("built_at"), lang, seconds=True) + " WIB",
                                id=ids.CLOCK,
                                className="lr-clock",
                            ),
                            html.A(
                                t("lang_switch", lang),
                                href=f"/lang/{other}",
                                id="lang-switch",
                                className="lr-lang",
                                title="Bahasa / Language",
                            ),
                            *account_corner(view.account, lang),
                        ],
                    ),
                ],
            ),
            html.Div(
                t("demo_banner", lang),
                id=ids.DEMO_BANNER,
                className="lr-demo-banner",
                hidden=not summary.get("has_demo"),
            ),
            html.Main(
                className="lr-main",
                id=ids.MAIN,
                children=[
                    indicators_page.build(lang, view.pillar_opds),  # over the wall when the address is /indikator
                    html.Div(
                        className="lr-map-col",
                        children=[
                            html.Div(
                                id=ids.MAP_WRAP,
                                className="lr-map-wrap",
                                children=[
                                    _map(view),
                                    _legend(lang),
                                    measure_picker(lang),
                                    html.Div(markers_note(summary, lang), id=ids.MARKERS_NOTE, className="lr-map-note"),
                                    report_card.shell(lang, view.opd_names),
                                ],
                            ),
                            opd_panel(
                                summary.get("sla", {}).get("city")
                                or {"rows": [], "breached": 0, "soon": 0, "window_days": 30},
                                lang,
                            ),
                        ],
                    ),
                    html.Div(
                        className="lr-side",
                        children=[
                            _scope(lang),
                            kpi_tiles(summary, lang),
                            html.Section(
                                vaccination_children(summary.get("indicators", {}), None, lang),
                                id=ids.VACC_PANEL,
                                className="lr-panel lr-vacc",
                            ),
                            html.Section(
                                className="lr-panel lr-ticker",
                                hidden=not view.shows_reports,
                                children=[
                                    html.H2(t("ticker_title", lang)),
                                    html.Ul(
                                        id=ids.TICKER
                                    ),  # drawn in the browser from ticker-data (assets/liveroom.js)
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            html.Footer(
                className="lr-footer",
                children=[
                    html.Span(
                        t("updated", lang, time=fmt_time(summary.get("built_at"), lang, seconds=True)),
                        id=ids.UPDATED_AT,
                    ),
                    html.Span(boundary_note),
                ],
            ),
            dcc.Location(id=ids.URL),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.SELECTION, data=None),
            dcc.Store(id=ids.TICKER_DATA, data=summary.get("ticker", [])),
            # the live link starts with no version: its first message is a reset, which loads the view and markers whole
            dcc.Store(id=ids.LIVE_CHANNEL, data=view.channel),
            dcc.Store(id=ids.LIVE_VIEW),
            dcc.Store(id=ids.LIVE_LINK),
            dcc.Store(
                id=ids.LIVE_MARK,
                data={"mark": summary.get("indicators_mark") or "", "demo": summary.get("map_demo", {})},
            ),
            dcc.Store(id=ids.COUNT_POINTS, data=view.count_points),
            dcc.Store(
                id=ids.MAP_CLASSES,
                data={
                    "breaks": {k: list(m.breaks) for k, m in choropleth.MEASURES.items()},
                    "colors": choropleth.PALETTE,
                },
            ),
            dcc.Interval(id=ids.CLOCK_TICK, interval=1000),
        ],
    )
