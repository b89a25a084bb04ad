"""The wall view: map, KPI tiles, vaccination totals and the ticker, legible across the room."""

from __future__ import annotations

from dataclasses import dataclass, field

from dash import dcc, html

from data_feeds import paths
from data_feeds.i18n import (
    fmt_duration,
    fmt_int,
    fmt_time,
    t,
)
from data_feeds.live.shapes import Summary
from geodata import choropleth
from layouts.wall_map import legend, map_panel, measure_picker, scope_bar
from layouts.wall_panels import opd_panel, vaccination_children

from . import ids, indicators_page, report_card, search_box


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
    queue: bool = False  # the reader works the queue (/antrian): the header links it
    area_options: list = field(default_factory=list)  # wall_map.area_options: the area picker's choices


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
                action=paths.SIGNOUT,
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


def build(view: WallView) -> html.Div:
    """The wall: header, demo banner, the map column and the side panels, footer, and the stores the browser's
    live link and drawing functions read."""
    lang, summary = view.lang, view.summary
    return html.Div(
        className="lr-wall" + ("" if view.shows_reports else " lr-no-reports"),
        lang=lang,
        children=[
            _header(view),
            html.Div(
                t("demo_banner", lang),
                id=ids.DEMO_BANNER,
                className="lr-demo-banner",
                hidden=not summary.get("has_demo"),
            ),
            _main(view),
            _footer(view),
            *_stores(view),
        ],
    )


def _header(view: WallView) -> html.Header:
    lang, summary = view.lang, view.summary
    banner_class, banner_children = status_banner(view.freshness, lang)
    other = "en" if lang == "id" else "id"
    return html.Header(
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
                        href=paths.INDICATORS,
                        id=ids.NAV_INDICATORS,
                        className="lr-nav-link",
                    ),
                    *(
                        [
                            html.A(
                                t("nav_reports", lang),
                                href=paths.REPORTS,
                                className="lr-nav-link",
                                id="nav-reports",
                            )
                        ]
                        if view.shows_reports
                        else []
                    ),
                    *(
                        [html.A(t("nav_queue", lang), href=paths.QUEUE, className="lr-nav-link", id="nav-queue")]
                        if view.queue
                        else []
                    ),
                    *(
                        [
                            html.A(
                                t("nav_briefing", lang),
                                href=paths.BRIEFINGS,
                                className="lr-nav-link",
                                id="nav-briefing",
                            )
                        ]
                        if view.briefings
                        else []
                    ),
                ],
            ),
            *(
                [search_box.dash_box(lang)]
                if view.shows_reports and view.account and view.account.role != "layar"
                else []
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
                        href=paths.lang_switch(other),
                        id="lang-switch",
                        className="lr-lang",
                        title="Bahasa / Language",
                    ),
                    *account_corner(view.account, lang),
                ],
            ),
        ],
    )


def _main(view: WallView) -> html.Main:
    lang, summary = view.lang, view.summary
    return html.Main(
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
                            map_panel(view),
                            legend(lang),
                            measure_picker(lang),
                            html.Div(markers_note(summary, lang), id=ids.MARKERS_NOTE, className="lr-map-note"),
                            report_card.shell(lang, view.opd_names),
                        ],
                    ),
                    opd_panel(
                        summary.get("sla", {}).get("city") or {"rows": [], "breached": 0, "soon": 0, "window_days": 30},
                        lang,
                    ),
                ],
            ),
            html.Div(
                className="lr-side",
                children=[
                    scope_bar(lang, view.area_options),
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
                            html.Ul(id=ids.TICKER),  # drawn in the browser from ticker-data (assets/liveroom.js)
                        ],
                    ),
                ],
            ),
        ],
    )


def _footer(view: WallView) -> html.Footer:
    lang, summary = view.lang, view.summary
    boundary_note = (
        t("boundary_schematic", lang)
        if view.boundary_kind == "schematic"
        else t("boundary_official", lang, source=view.boundary_source)
    )
    return html.Footer(
        className="lr-footer",
        children=[
            html.Span(
                t("updated", lang, time=fmt_time(summary.get("built_at"), lang, seconds=True)),
                id=ids.UPDATED_AT,
            ),
            html.Span(boundary_note),
        ],
    )


def _stores(view: WallView) -> list:
    """What the browser reads: the language, the selection, the ticker's rows, the live link's settings and state,
    the count points and the map's classes."""
    lang, summary = view.lang, view.summary
    return [
        dcc.Location(id=ids.URL),
        dcc.Store(id=ids.LANG, data=lang),
        dcc.Store(id=ids.SELECTION, data=None),
        dcc.Store(id=ids.LINK_FOCUS, data=None),
        dcc.Store(id=ids.KEL_TOKEN, data=None),  # the live version while a kelurahan is chosen (its figures follow)
        dcc.Store(id=ids.KEL_VIEW, data=None),  # the chosen kelurahan's area view (live/kelurahan_view.py)
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
    ]
