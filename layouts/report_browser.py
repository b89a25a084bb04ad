"""The report browser (/laporan/): filters that are the URL, a table of reports paged by the store
(dash-ag-grid's infinite row model: the browser holds a few blocks of 100 rows, never the million), and the
same filtered set on a map. A row or a marker opens the report's page (/laporan/<id>)."""

from __future__ import annotations

from dataclasses import dataclass, field

import dash_ag_grid as dag
import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from data_feeds import paths
from data_feeds.access.viewer import INTERNAL_ROLES
from data_feeds.i18n import STATUS_GLYPHS, dropdown_labels, t

from . import bulk_bar, ids, search_box
from .wall import Account, account_corner

js = Namespace("liveroom", "map")
BLOCK_ROWS = 100


@dataclass
class BrowserView:
    """What the filters offer and who is looking; the rows themselves come from the store block by block."""

    lang: str
    account: Account | None
    statuses: list[str]
    categories: dict[str, str]  # code -> name
    opds: dict[str, str]  # code -> short name: the reader's own agencies for an agency account
    kecamatan: list[str]  # names
    kelurahan: dict[str, str]  # code -> "Name (Kecamatan)"
    sources: dict[str, str]  # code -> name
    channel: dict  # the live link's settings (live_link.js, following the version only)
    opened_at: str  # clock.iso_utc: rows received after it are marked new
    version: str | None = None  # the live state's token when the page was made: the table refreshes when it moves
    bounds: list[list[float]] = field(default_factory=list)
    tile_url: str = ""
    kecamatan_geobuf: str = ""  # the kecamatan outlines under the markers (the wall's layer)
    bulk_actions: tuple[str, ...] = ()  # what the reader may do to ticked rows (callbacks/bulk.py offered)
    opd_names: dict = field(default_factory=dict)  # OPD code -> name, for forwarding ticked rows
    demo: bool = False  # the demo feed is on: the page says so, as the wall does


def _choice(label: str, cid: str, options: list[dict], lang: str, multi: bool = True) -> html.Div:
    return html.Div(
        className="lr-lb-field",
        children=[
            html.Label(label, htmlFor=cid),
            dcc.Dropdown(
                id=cid,
                options=options,
                multi=multi,
                placeholder=label,
                className="lr-lb-dropdown",
                labels=dropdown_labels(lang),
            ),
        ],
    )


def filters(view: BrowserView) -> html.Details:
    """The filters (folded on a phone), then the actions: clear, map, the exports."""
    return html.Details(
        open=True,
        id=ids.LB_FILTERS_BOX,
        className="lr-lb-filters",
        children=[
            html.Summary(t("lb_filters", view.lang), id=ids.LB_FILTERS_SUMMARY),
            _filter_fields(view),
            _actions(view.lang),
        ],
    )


def _filter_fields(view: BrowserView) -> html.Div:
    lang = view.lang

    def opts(items):
        return [{"label": name, "value": code} for code, name in items]

    return html.Div(
        className="lr-lb-grid-fields",
        children=[
            html.Div(
                className="lr-lb-field lr-lb-q",
                children=[
                    html.Label(t("lb_q", lang), htmlFor=ids.LB_Q),
                    dcc.Input(
                        id=ids.LB_Q,
                        type="search",
                        debounce=True,
                        placeholder="LKS-2026-000123, banjir …",
                        maxLength=200,
                        className="lr-lb-input",
                        autoComplete="off",
                    ),
                ],
            ),
            _choice(
                t("lb_status", lang),
                ids.LB_STATUS,
                [{"label": f"{STATUS_GLYPHS[s]} {t('status_' + s, lang)}", "value": s} for s in view.statuses],
                lang,
            ),
            _choice(t("lb_category", lang), ids.LB_CATEGORY, opts(view.categories.items()), lang),
            _choice(t("lb_opd", lang), ids.LB_OPD, opts(view.opds.items()), lang),
            _choice(
                t("lb_kecamatan", lang),
                ids.LB_KECAMATAN,
                [{"label": n, "value": n} for n in view.kecamatan],
                lang,
            ),
            _choice(t("lb_kelurahan", lang), ids.LB_KELURAHAN, opts(view.kelurahan.items()), lang),
            _choice(t("lb_source", lang), ids.LB_SOURCE, opts(view.sources.items()), lang),
            html.Div(
                className="lr-lb-field",
                children=[
                    html.Label(t("lb_from", lang), htmlFor=ids.LB_FROM),
                    # no debounce: Dash 4 then sets a text selection, which a date field has not (a page error)
                    dcc.Input(id=ids.LB_FROM, type="date", className="lr-lb-input"),
                ],
            ),
            html.Div(
                className="lr-lb-field",
                children=[
                    html.Label(t("lb_to", lang), htmlFor=ids.LB_TO),
                    dcc.Input(id=ids.LB_TO, type="date", className="lr-lb-input"),
                ],
            ),
            html.Div(
                className="lr-lb-field",
                children=[
                    html.Label(t("lb_sla", lang), htmlFor=ids.LB_SLA),
                    dcc.Dropdown(
                        id=ids.LB_SLA,
                        searchable=False,
                        placeholder=t("lb_sla_any", lang),
                        className="lr-lb-dropdown",
                        labels=dropdown_labels(lang),
                        options=[
                            {"label": t("lb_sla_overdue", lang), "value": "overdue"},
                            {"label": t("lb_sla_soon", lang), "value": "soon"},
                        ],
                    ),
                ],
            ),
        ],
    )


def _actions(lang: str) -> html.Div:
    return html.Div(
        className="lr-lb-actions",
        children=[
            html.Button(t("lb_reset", lang), id=ids.LB_RESET, n_clicks=0, className="lr-lb-btn"),
            html.Button(
                t("lb_map", lang),
                id=ids.LB_MAP_TOGGLE,
                n_clicks=0,
                className="lr-lb-btn",
                **{"aria-pressed": "false"},
            ),
            html.A(
                t("lb_export_csv", lang),
                id=ids.LB_EXPORT_CSV,
                href=paths.EXPORT_REPORTS + ".csv",
                className="lr-lb-btn",
            ),
            html.A(
                t("lb_export_xlsx", lang),
                id=ids.LB_EXPORT_XLSX,
                href=paths.EXPORT_REPORTS + ".xlsx",
                className="lr-lb-btn",
            ),
        ],
    )


def columns(lang: str) -> list[dict]:
    """The table's columns; only the time sorts (in the store, by its index): other orders of a million rows
    would need an index each, and a filter answers those questions better."""
    return [
        # widths share the table's width (flex) down to a floor each (minWidth), then the table scrolls sideways
        {
            "field": "ref",
            "headerName": t("col_ref", lang),
            "cellRenderer": "ReportLink",
            "pinned": "left",
            "flex": 1.3,
            "minWidth": 200,
        },
        {
            "field": "time",
            "headerName": t("col_time", lang),
            "sortable": True,
            "sort": "desc",
            "flex": 1,
            "minWidth": 150,
            "sortingOrder": ["desc", "asc"],
        },
        {
            "field": "status_label",
            "headerName": t("col_status", lang),
            "flex": 1,
            "minWidth": 130,
            "cellClass": "lr-lb-status",
        },
        {"field": "title", "headerName": t("col_title", lang), "flex": 2.5, "minWidth": 220, "tooltipField": "title"},
        {"field": "category", "headerName": t("col_category", lang), "flex": 1, "minWidth": 130},
        {"field": "place", "headerName": t("col_place", lang), "flex": 1.3, "minWidth": 170},
        {"field": "opd", "headerName": t("col_opd", lang), "flex": 0.7, "minWidth": 90, "tooltipField": "opd_name"},
        {"field": "sla", "headerName": t("col_sla", lang), "flex": 1, "minWidth": 140, "cellClass": "lr-lb-sla"},
        {"field": "evidence", "headerName": t("col_evidence", lang), "flex": 0.5, "minWidth": 80},
    ]


def grid(lang: str, selectable: bool = False) -> dag.AgGrid:
    """`selectable`: rows may be ticked for a bulk action (a box each; a click elsewhere still opens the report)."""
    selection = (
        {
            "rowSelection": {
                "mode": "multiRow",
                "checkboxes": True,
                "headerCheckbox": False,
                "enableClickSelection": False,
            }
        }
        if selectable
        else {}
    )
    return dag.AgGrid(
        id=ids.LB_GRID,
        rowModelType="infinite",
        columnDefs=columns(lang),
        className="lr-lb-table",
        defaultColDef={"sortable": False, "resizable": True, "suppressHeaderMenuButton": True},
        getRowId="params.data.id",
        rowClassRules={
            "lr-lb-row-new": "params.data && params.data.fresh",
            "lr-lb-row-baru": "params.data && params.data.status === 'baru'",
            "lr-lb-row-diproses": "params.data && params.data.status === 'diproses'",
            "lr-lb-row-selesai": "params.data && params.data.status === 'selesai'",
            "lr-lb-row-late": "params.data && params.data.sla_tone === 'late'",
        },
        eventListeners={"cellKeyDown": ["openReportOnEnter(params)"], "rowClicked": ["openReportOnClick(params)"]},
        dashGridOptions={
            "cacheBlockSize": BLOCK_ROWS,
            "maxBlocksInCache": 10,
            "infiniteInitialRowCount": 1,
            "rowHeight": 40,
            "headerHeight": 42,
            "ensureDomOrder": True,
            "enableCellTextSelection": True,
            "tooltipShowDelay": 400,
            "localeText": {"loadingOoo": t("lb_loading", lang), "noRowsToShow": t("lb_no_rows", lang)},
            **selection,
        },
        style={"height": "100%", "width": "100%"},
    )


def _map(view: BrowserView) -> dl.Map:
    layers = [dl.TileLayer(url=view.tile_url, opacity=0.35)] if view.tile_url else []
    if view.kecamatan_geobuf:
        layers.append(
            dl.GeoJSON(
                data=view.kecamatan_geobuf,
                format="geobuf",
                style=js("kecamatanStyle"),
                onEachFeature=js("kecamatanLabel"),
                interactive=False,
                hideout={"values": {}, "breaks": [], "colors": [], "selected": None},
            )
        )
    layers.append(
        dl.GeoJSON(
            id=ids.LB_MAP_MARKERS,
            data={"type": "FeatureCollection", "features": []},
            cluster=True,
            pointToLayer=js("reportMarker"),
            clusterToLayer=js("reportCluster"),
            superClusterOptions={"radius": 40, "maxZoom": 15},
            zoomToBoundsOnClick=True,
        )
    )
    return dl.Map(
        id=ids.LB_MAP,
        bounds=view.bounds,
        boundsOptions={"padding": [12, 12]},
        zoomSnap=0.25,
        trackViewport=False,
        attributionControl=False,
        className="lr-lb-mapview",
        children=layers,
    )


def header(view: BrowserView) -> html.Header:
    lang, other = view.lang, "en" if view.lang == "id" else "id"
    return html.Header(
        className="lr-header lr-lb-header",
        children=[
            html.Div(
                className="lr-brand",
                children=[html.H1(t("app_title", lang)), html.Span(t("lb_title", lang), className="lr-city")],
            ),
            html.Nav(
                className="lr-nav",
                children=[
                    html.A(t("nav_wall", lang), href="/", className="lr-nav-link"),
                    html.A(t("nav_indicators", lang), href=paths.INDICATORS, className="lr-nav-link"),
                    *(
                        [html.A(t("nav_queue", lang), href=paths.QUEUE, className="lr-nav-link", id="nav-queue")]
                        if view.account and view.account.role in INTERNAL_ROLES
                        else []
                    ),
                    html.A(
                        t("nav_reports", lang),
                        href=paths.REPORTS,
                        className="lr-nav-link lr-nav-active",
                        **{"aria-current": "page"},
                    ),
                ],
            ),
            search_box.dash_box(lang),
            html.Div(
                className="lr-header-right",
                children=[
                    html.Div(
                        id=ids.LB_NEW,
                        className="lr-status lr-status-ok lr-lb-live",
                        role="status",
                        children=[html.Span("●", className="lr-live-dot"), t("live_ok", lang)],
                    ),
                    html.A(
                        t("lang_switch", lang),
                        href=paths.lang_switch(other, paths.REPORTS),
                        id=ids.LB_LANG_SWITCH,
                        className="lr-lang",
                        title="Bahasa / Language",
                    ),
                    *account_corner(view.account, lang),
                ],
            ),
        ],
    )


def build(view: BrowserView) -> html.Div:
    lang = view.lang
    return html.Div(
        className="lr-lb",
        lang=lang,
        children=[
            header(view),
            html.Div(t("demo_banner", lang), className="lr-demo-banner", role="note", hidden=not view.demo),
            html.Main(
                className="lr-lb-main",
                children=[
                    filters(view),
                    html.Div(
                        className="lr-lb-summary",
                        children=[
                            html.Span(id=ids.LB_COUNT, className="lr-lb-count", role="status"),
                            html.Span(id=ids.LB_ERROR, className="lr-lb-error", role="alert"),
                        ],
                    ),
                    bulk_bar.bar(view.bulk_actions, view.opd_names, lang),
                    # the grid's own dark scheme (AG Grid's theming reads the attribute), tuned in liveroom.css
                    html.Div(
                        id=ids.LB_GRID_WRAP,
                        className="lr-lb-gridwrap",
                        children=grid(lang, bool(view.bulk_actions)),
                        **{"data-ag-theme-mode": "dark-blue"},
                    ),
                    html.Div(
                        id=ids.LB_MAP_WRAP,
                        className="lr-lb-mapwrap",
                        hidden=True,
                        children=[_map(view), html.Div(id=ids.LB_MAP_NOTE, className="lr-map-note")],
                    ),
                ],
            ),
            dcc.Location(id=ids.LB_URL, refresh=False),
            dcc.Store(id=ids.LB_QUERY, data=None),  # the filters as a query string, once read from the address
            dcc.Store(id=ids.LB_OPENED, data=view.opened_at),
            dcc.Store(id=ids.LB_LANG, data=lang),
            dcc.Store(id=ids.LB_VERSION, data=view.version),
            dcc.Store(id=ids.LB_REFRESHED),
            dcc.Store(id=ids.LB_CHANNEL, data=view.channel),  # the table refreshes when the live channel says it moved
            dcc.Store(id=ids.LB_LINK),
        ],
    )


def refusal(lang: str, account: Account | None, message: str) -> html.Div:
    """For a role that reads no single reports (an assessor): the header and why, no table."""
    return html.Div(
        className="lr-lb",
        lang=lang,
        children=[
            html.Header(
                className="lr-header lr-lb-header",
                children=[
                    html.Div(className="lr-brand", children=[html.H1(t("app_title", lang))]),
                    html.Nav(
                        className="lr-nav",
                        children=[
                            html.A(t("nav_wall", lang), href="/", className="lr-nav-link"),
                            html.A(t("nav_indicators", lang), href=paths.INDICATORS, className="lr-nav-link"),
                        ],
                    ),
                    html.Div(className="lr-header-right", children=account_corner(account, lang)),
                ],
            ),
            html.Main(className="lr-lb-main", children=[html.P(message, className="lr-lb-error", id="lb-refused")]),
        ],
    )
