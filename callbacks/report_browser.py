"""Wiring the report browser (/laporan/): the address and the filters follow each other; the table asks the
store for one block of rows at a time (keyset-paged, in the reader's scope); a live change refreshes the
blocks in view, keeping the scroll, and rows received since the page opened are marked; the map shows the
newest of the same filtered set. Every callback asks `viewer()` again: they are HTTP endpoints anyone can replay."""

from __future__ import annotations

import functools
import hashlib
import logging
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

import flask
import redis
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, html, no_update
from flask_caching import Cache

from callbacks import bulk, replayed
from data_feeds import paths
from data_feeds.access.viewer import Viewer
from data_feeds.api.signin import current_lang, viewer
from data_feeds.clock import iso_utc, utcnow
from data_feeds.i18n import STATUS_GLYPHS, fmt_datetime, fmt_duration, fmt_int, refusal_text, t
from data_feeds.live.snapshot import marker_feature
from data_feeds.refusal import Refusal
from data_feeds.reports import search
from data_feeds.reports.lifecycle import STATUSES
from data_feeds.reports.search import FILTER_ARGS, ReportQuery
from data_feeds.services import Services, current
from layouts import ids, report_browser

from .live import channel_config, live_token
from .pages import account_of, boundary_layers

log = logging.getLogger(__name__)
COUNT_CAP = 10_000  # beyond it the screen says "more than 10.000": an exact count of a million costs a scan
MAP_LIMIT = 2_000  # the newest of the filtered set on the map (clustered)
CURSOR_TTL_S = 600
CURSOR_CACHE = "liveroom.report_browser_cache"  # this app's cache, where the table keeps its cursors
LIST_ARGS = ("status", "category", "opd", "kecamatan", "kelurahan", "source")  # comma-separated in the address
FILTER_OUTPUTS = [Output(ids.LB_FILTERS[name], "value") for name in FILTER_ARGS]
FILTER_INPUTS = [Input(ids.LB_FILTERS[name], "value") for name in FILTER_ARGS]


def query_of(query_string: object, services: Services) -> ReportQuery:
    """The filters of an address's query string (only the filter arguments; a Refusal naming a bad one). A replayed
    callback may send anything as the query string: what is not text is no filter."""
    text = query_string if isinstance(query_string, str) else ""
    args = {k: v for k, v in parse_qsl(text.lstrip("?"), keep_blank_values=False) if k in FILTER_ARGS}
    return ReportQuery.from_args(args, services.routing, services.gazetteer)


def values_of(query_string: object) -> list:
    """The filter controls' values from a query string (lists for the multi-choices)."""
    args = dict(parse_qsl((query_string if isinstance(query_string, str) else "").lstrip("?")))
    return [
        [v for v in (args.get(name) or "").split(",") if v] or None if name in LIST_ARGS else args.get(name) or None
        for name in FILTER_ARGS
    ]


def query_string_of(values: list) -> str:
    """The canonical query string of the controls' values: arguments in a fixed order, empty ones left out."""
    args = []
    for name, value in zip(FILTER_ARGS, values, strict=True):
        if isinstance(value, list):
            value = ",".join(str(v) for v in value if v)
        if value:
            args.append((name, str(value).strip()))
    return "?" + urlencode(args) if args else ""


def sla_text(report: dict, lang: str, now: datetime) -> tuple[str, str]:
    """-> (what the SLA column says, its tone): time left or overdue by while a clock runs; kept or missed after."""
    sla = report["sla"]
    if sla["state"] in ("ok", "soon", "breached") and sla.get("next_due"):
        due = datetime.fromisoformat(sla["next_due"].replace("Z", "+00:00"))
        if sla["state"] == "breached":
            return t("sla_over", lang, d=fmt_duration((now - due).total_seconds(), lang)), "late"
        return t("sla_left", lang, d=fmt_duration((due - now).total_seconds(), lang)), sla["state"]
    met = sla.get("resolution_met")
    if met is None:
        return "–", "none"
    return (t("sla_closed_met", lang), "ok") if met else (t("sla_closed_missed", lang), "late")


def grid_row(report: dict, services: Services, lang: str, opened: datetime | None, now: datetime) -> dict:
    """One report as a table row (formatted here, in the reader's language; no personal data)."""
    fresh = search.arrived_after(report, opened)
    status = report["status"]
    sla, tone = sla_text(report, lang, now)
    evidence = sum(len(e.get("evidence") or []) for e in report["events"] if e["kind"] != "comment")
    cat = services.routing.categories.get(report["category"])
    opd = services.routing.opds.get((report.get("opd") or {}).get("code", ""))
    return {
        "id": report["id"],
        "ref": report["human_id"],
        "time": fmt_datetime(report["reported_at"], lang),
        "status": status,
        "status_label": f"{STATUS_GLYPHS.get(status, '?')} {t('status_' + status, lang)}"
        + (f" · {t('row_new', lang)}" if fresh else ""),
        "title": report["title"] + (" [DEMO]" if report["source"] == "demo" else ""),
        "category": cat.name(lang) if cat else report["category"],
        "place": " / ".join(x["name"] for x in (report.get("kecamatan"), report.get("kelurahan")) if x) or "–",
        "opd": opd.short if opd else "–",
        "opd_name": opd.name if opd else "",
        "sla": sla,
        "sla_tone": tone,
        "evidence": f"{t('evidence_yes', lang)} ({evidence})" if evidence else t("evidence_no", lang),
        "fresh": fresh,
    }


def kelurahan_labels(gz, kecamatan_codes: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """code -> "Name (Kecamatan)" by name, of the given kecamatan (all 104 when none)."""
    return {
        code: f"{p.name} ({gz.kecamatan[code.rsplit('.', 1)[0]].name})"
        for code, p in sorted(gz.kelurahan.items(), key=lambda kv: kv[1].name)
        if not kecamatan_codes or code.rsplit(".", 1)[0] in kecamatan_codes
    }


def _moment(iso: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")) if isinstance(iso, str) else None
    except ValueError:
        return None


def serve_layout(services: Services, kecamatan_layer) -> html.Div:
    """The browser for whoever asks, in their scope; a role that reads no reports gets a refusal page."""
    if not flask.has_request_context():  # Dash checks the callbacks against a layout at start-up: the whole one
        who, lang, opds, actions = None, "id", None, bulk.BULK_ACTIONS
    else:
        who, lang = viewer(), current_lang()
        if who is None or not who.lists_reports:
            words = "rp_no_reports_role" if who is None or not who.sees_reports else "rp_no_reports_screen"
            return report_browser.refusal(lang, account_of(services, who), t(words, lang))
        _source, opds = who.report_filter()
        actions = bulk.offered(who)
    account = account_of(services, who)
    version = live_token(services)
    minx, miny, maxx, maxy = services.boundaries.kecamatan.total_bounds
    return report_browser.build(
        report_browser.BrowserView(
            lang=lang,
            account=account,
            statuses=list(STATUSES),
            categories={code: c.name(lang) for code, c in services.routing.categories.items()},
            opds={code: o.short for code, o in services.routing.opds.items() if opds is None or code in opds},
            kecamatan=sorted(p.name for p in services.gazetteer.kecamatan.values()),
            kelurahan=kelurahan_labels(services.gazetteer),
            sources={code: s.name for code, s in services.routing.sources.items()},
            channel={
                **channel_config(services, who, {"version": ids.LB_VERSION, "link": ids.LB_LINK}),
                "have": version,
            },
            opened_at=iso_utc(utcnow()),
            version=version,
            bounds=[[float(miny), float(minx)], [float(maxy), float(maxx)]],
            tile_url=services.settings.map_tile_url,
            kecamatan_geobuf=kecamatan_layer(services.boundaries.key),
            bulk_actions=actions,
            demo=services.settings.demo,
            opd_names={code: o.name for code, o in services.routing.opds.items()},
        )
    )


def follow(search_, *rest):
    """The address and the filters, each following the other (one callback: no loop between them)."""
    services = current()
    gz = services.gazetteer
    values, lang = list(rest[: len(FILTER_ARGS)]), rest[-1] or "id"
    # several may fire at once (a click on "clear" also blurs the search box, which sends its value): clearing
    # wins, then the address (the browser's back button), then the controls
    fired = {t["prop_id"].split(".")[0] for t in ctx.triggered}
    reset = ids.LB_RESET in fired
    if reset:
        values = [None] * len(FILTER_ARGS)
    from_address = not reset and (ids.LB_URL in fired or not fired - {""})
    query_string = (search_ or "") if from_address else query_string_of(values)
    query_string = query_string if isinstance(query_string, str) else ""
    error, parsed = "", values_of(query_string)
    try:
        query = query_of(query_string, services)
        # a place as the controls name it: a kecamatan by name, a kelurahan by code, whichever the link used
        parsed[FILTER_ARGS.index("kecamatan")] = [gz.kecamatan[code].name for code in query.kecamatan] or None
        parsed[FILTER_ARGS.index("kelurahan")] = list(query.kelurahan) or None
    except Refusal as exc:
        error = t("lb_bad_filter", lang, reason=refusal_text(exc.errors, lang))
        parsed = [None] * len(FILTER_ARGS)
    canonical = query_string_of(parsed)
    active = sum(1 for v in parsed if v)
    links = (
        f"{paths.EXPORT_REPORTS}.csv{canonical}",
        f"{paths.EXPORT_REPORTS}.xlsx{canonical}",
        t("lb_filters_active", lang, n=active) if active else t("lb_filters", lang),
        paths.lang_switch("en" if lang == "id" else "id", paths.REPORTS + canonical),
    )
    if from_address:
        return no_update, *parsed, canonical, error, *links
    return canonical, *[v if reset else no_update for v in values], canonical, error, *links


def kelurahan_choices(kecamatan):
    """The kelurahan of the chosen kecamatan (all 104 when none is chosen)."""
    services = current()
    gz = services.gazetteer
    chosen = {
        p.code for name in (kecamatan if isinstance(kecamatan, list) else []) if (p := gz.find_kecamatan(str(name)))
    }
    return [{"label": label, "value": code} for code, label in kelurahan_labels(gz, chosen).items()]


def cursor_key(who: Viewer, query_string: str, oldest: bool, start: int) -> str:
    digest = hashlib.blake2b(
        f"{who.kind}:{who.id}|{query_string}|{oldest}|{start}".encode(), digest_size=12
    ).hexdigest()
    return f"lb-cursor:{digest}"


def rows(request, query_string, opened, lang):
    """One block of rows, in the store's order. A block that follows one served before continues from its
    last row (a cursor kept a few minutes); one reached by a jump is read by offset."""
    services = current()
    cache: Cache = flask.current_app.extensions[CURSOR_CACHE]
    if query_string is None or not isinstance(request, dict):
        return no_update  # the address has not been read yet: the table asks again when it is
    who = viewer()
    try:
        start, end = int(request.get("startRow", 0)), int(request.get("endRow", 0))
    except (TypeError, ValueError):
        return {"rowData": [], "rowCount": 0}
    if who is None or not 0 <= start < end or end - start > search.MAX_LIMIT:
        return {"rowData": [], "rowCount": 0}
    sort = request.get("sortModel") or []
    oldest = bool(sort) and isinstance(sort[0], dict) and sort[0].get("sort") == "asc"
    try:
        query = query_of(query_string if isinstance(query_string, str) else "", services)
        after = None
        if start:
            try:
                after = search.decode_cursor(cache.get(cursor_key(who, query_string, oldest, start)))
            except (redis.RedisError, OSError):
                after = None
        items, cursor = services.reports.search(
            query, who, end - start, after=after, offset=0 if after else start, oldest_first=oldest
        )
    except Refusal:
        return {"rowData": [], "rowCount": 0}
    if cursor:
        try:
            cache.set(cursor_key(who, query_string, oldest, end), cursor, timeout=CURSOR_TTL_S)
        except (redis.RedisError, OSError):
            pass
    now = utcnow()
    data = [grid_row(item, services, lang or "id", _moment(opened), now) for item in items]
    return {"rowData": data, "rowCount": -1 if cursor else start + len(data)}


@replayed.shaped(replayed.text, replayed.anything, replayed.text, replayed.lang)
def count(query_string, _version, opened, lang):
    services = current()
    lang, who = lang or "id", viewer()
    if query_string is None or who is None:
        return no_update
    try:
        query = query_of(query_string, services)
        total = services.reports.count(query, who, cap=COUNT_CAP + 1)
        since = _moment(opened)
        fresh = services.reports.count(query, who, cap=COUNT_CAP + 1, arrived_since=since) if since else 0
    except Refusal:
        return ""
    text = (
        t("lb_count_many", lang, n=fmt_int(COUNT_CAP, lang))
        if total > COUNT_CAP
        else t("lb_count", lang, n=fmt_int(total, lang))
    )
    return [
        text,
        *(
            [" · ", html.Strong(t("lb_new_rows", lang, n=fmt_int(fresh, lang)), className="lr-lb-fresh")]
            if fresh
            else []
        ),
    ]


@replayed.shaped(replayed.count, replayed.lang)
def toggle_map(n, lang):
    on = bool(n) and n % 2 == 1
    return not on, on, t("lb_table" if on else "lb_map", lang or "id"), "true" if on else "false", n


def map_markers(query_string, hidden, _version, lang, bounds):
    services = current()
    who = viewer()
    if hidden or query_string is None or who is None:
        return no_update, no_update, no_update
    try:
        query = query_of(query_string, services)
        features = services.reports.points(
            query, who, MAP_LIMIT, lambda row, state: marker_feature(row, services.gazetteer, state)
        )
        total = services.reports.count(query, who, cap=COUNT_CAP + 1) if len(features) >= MAP_LIMIT else len(features)
    except Refusal:
        return {"type": "FeatureCollection", "features": []}, "", no_update
    note = (
        t(
            "lb_map_capped",
            lang or "id",
            shown=fmt_int(len(features), lang),
            total=fmt_int(total, lang) if total <= COUNT_CAP else f"> {fmt_int(COUNT_CAP, lang)}",
        )
        if total > len(features)
        else ""
    )
    # shown for the first time: fit the city again, now that the map has a size
    refit = [list(p) for p in bounds] if ctx.triggered_id == ids.LB_MAP_WRAP and bounds else no_update
    return {"type": "FeatureCollection", "features": features}, note, refit


def register(app: Dash, services: Services, cache: Cache) -> None:
    """The report browser's layout and callbacks on `app` (its own Dash app at /laporan/). The callbacks read the
    services of the app serving the request (`current()`), and the table's cursors from this app's cache."""
    app.server.extensions[CURSOR_CACHE] = cache
    kecamatan_layer, _kelurahan_layer = boundary_layers(services, cache)
    app.layout = functools.partial(serve_layout, services, kecamatan_layer)
    app.callback(
        Output(ids.LB_URL, "search"),
        *FILTER_OUTPUTS,
        Output(ids.LB_QUERY, "data"),
        Output(ids.LB_ERROR, "children"),
        Output(ids.LB_EXPORT_CSV, "href"),
        Output(ids.LB_EXPORT_XLSX, "href"),
        Output(ids.LB_FILTERS_SUMMARY, "children"),
        Output(ids.LB_LANG_SWITCH, "href"),
        Input(ids.LB_URL, "search"),
        *FILTER_INPUTS,
        Input(ids.LB_RESET, "n_clicks"),
        State(ids.LB_LANG, "data"),
    )(follow)
    app.callback(Output(ids.LB_KELURAHAN, "options"), Input(ids.LB_KECAMATAN, "value"))(kelurahan_choices)
    app.callback(
        Output(ids.LB_GRID, "getRowsResponse"),
        Input(ids.LB_GRID, "getRowsRequest"),
        State(ids.LB_QUERY, "data"),
        State(ids.LB_OPENED, "data"),
        State(ids.LB_LANG, "data"),
        prevent_initial_call=True,
    )(rows)
    _register_clientside(app)
    app.callback(
        Output(ids.LB_COUNT, "children"),
        Input(ids.LB_QUERY, "data"),
        Input(ids.LB_VERSION, "data"),
        State(ids.LB_OPENED, "data"),
        State(ids.LB_LANG, "data"),
        prevent_initial_call=True,
    )(count)
    app.callback(
        Output(ids.LB_MAP_WRAP, "hidden"),
        Output(ids.LB_GRID_WRAP, "hidden"),
        Output(ids.LB_MAP_TOGGLE, "children"),
        Output(ids.LB_MAP_TOGGLE, "aria-pressed"),
        Output(ids.LB_MAP, "invalidateSize"),
        Input(ids.LB_MAP_TOGGLE, "n_clicks"),
        State(ids.LB_LANG, "data"),
        prevent_initial_call=True,
    )(toggle_map)
    app.callback(
        Output(ids.LB_MAP_MARKERS, "data"),
        Output(ids.LB_MAP_NOTE, "children"),
        Output(ids.LB_MAP, "bounds"),
        Input(ids.LB_QUERY, "data"),
        Input(ids.LB_MAP_WRAP, "hidden"),
        Input(ids.LB_VERSION, "data"),
        State(ids.LB_LANG, "data"),
        State(ids.LB_MAP, "bounds"),
        prevent_initial_call=True,
    )(map_markers)


def _register_clientside(app: Dash) -> None:
    """The callbacks that run in the browser (assets/reports.js, assets/live_link.js)."""
    # the live channel sets the version (one small message per change, nothing while nothing changes); the line
    # above the table says when the link is cut or Redis is down
    app.clientside_callback(
        ClientsideFunction("liveroom", "startLink"), Output(ids.LB_CHANNEL, "id"), Input(ids.LB_CHANNEL, "data")
    )
    app.clientside_callback(
        ClientsideFunction("liveroomReports", "linkStatus"),
        Output(ids.LB_NEW, "children"),
        Output(ids.LB_NEW, "className"),
        Input(ids.LB_LINK, "data"),
        State(ids.LB_LANG, "data"),
        prevent_initial_call=True,
    )

    # a new filter: the table starts again from its first block; a live change: the blocks in view are read again
    app.clientside_callback(
        ClientsideFunction("liveroomReports", "restart"),
        Output(ids.LB_REFRESHED, "data", allow_duplicate=True),
        Input(ids.LB_QUERY, "data"),
        State(ids.LB_GRID, "id"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("liveroomReports", "refresh"),
        Output(ids.LB_REFRESHED, "data", allow_duplicate=True),
        Input(ids.LB_VERSION, "data"),
        State(ids.LB_GRID, "id"),
        prevent_initial_call=True,
    )

    # a phone: the filters start folded (their summary says how many are set), the table's columns narrow
    app.clientside_callback(
        ClientsideFunction("liveroomReports", "fitScreen"),
        Output(ids.LB_FILTERS_BOX, "open"),
        Output(ids.LB_GRID, "columnDefs"),
        Input(ids.LB_LANG, "data"),
        State(ids.LB_GRID, "columnDefs"),
    )
    app.clientside_callback(
        ClientsideFunction("liveroomReports", "openMarker"),
        Output(ids.LB_REFRESHED, "data", allow_duplicate=True),
        Input(ids.LB_MAP_MARKERS, "clickData"),
        prevent_initial_call=True,
    )
