"""The live snapshot: aggregates computed once per data change, read by every dashboard.

`compute` turns the store into a small summary (KPI counts, per-kecamatan counts, ticker,
feed ages, SLA panels) plus the set of live markers; `live.versions` publishes it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from data_feeds.clock import iso_utc, wib_day_start, wib_today
from data_feeds.indicators import summary as indicator_summary
from data_feeds.indicators.config import load as load_indicators
from data_feeds.reports import lifecycle, sla
from data_feeds.reports.categories import RoutingTable
from data_feeds.reports.repository import ReportRepository
from data_feeds.store import Store, reports
from geodata import choropleth
from geodata.gazetteer import Gazetteer

from .shapes import Kpi, MarkerFeature, MarkerProps, OpdScope, SlaPanel, Summary, TickerRow

TICKER_SIZE = 12
TTFR_WINDOW = timedelta(days=7)
SLA_WINDOW = timedelta(days=30)  # response and resolution times per OPD over this window
RESOLVED_VISIBLE = timedelta(hours=24)


def _ticker_row(t, gz: Gazetteer, sla_states: dict[str, str]) -> TickerRow:
    return {
        "id": t.id,
        "source": t.source,
        "category": t.category,
        "title": t.title,
        "status": t.status,
        "sla": sla_states.get(t.id, ""),
        "kc": t.kode_kec or "",
        "kecamatan": gz.kecamatan[t.kode_kec].name if t.kode_kec in gz.kecamatan else "",
        "kelurahan": gz.kelurahan[t.kode_kel].name if t.kode_kel in gz.kelurahan else "",
        "reported_at": iso_utc(t.reported_at),
    }


def area_view(summary: Summary, kode_kec: str | None) -> tuple[Kpi, list[TickerRow], SlaPanel]:
    """(KPIs, ticker rows, SLA panel) for the whole city or one selected kecamatan."""
    empty = SlaPanel(rows=[], breached=0, soon=0, window_days=SLA_WINDOW.days)
    if kode_kec and kode_kec in summary.get("kpi_by_kec", {}):
        return (
            summary["kpi_by_kec"][kode_kec],
            summary["ticker_by_kec"][kode_kec],
            summary.get("sla", {}).get(kode_kec, empty),
        )
    return summary["kpi"], summary["ticker"], summary.get("sla", {}).get("city", empty)


def marker_feature(row, gz: Gazetteer, sla_state: str = "") -> MarkerFeature:
    kec = gz.kecamatan.get(row.kode_kec or "")
    kel = gz.kelurahan.get(row.kode_kel or "")
    props: MarkerProps = {
        "id": row.id,
        "s": row.status,
        "c": row.category,
        "t": row.title,
        "kc": row.kode_kec,
        "k": kec.name if kec else "",
        "l": kel.name if kel else "",
        "r": iso_utc(row.reported_at),
        "o": row.opd or "",
    }
    if sla_state in ("breached", "soon"):
        props["sla"] = sla_state
    if row.source == "demo":
        props["demo"] = 1
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": {"type": "Point", "coordinates": [round(row.lon, 5), round(row.lat, 5)]},
        "properties": props,
    }


def compute(
    store: Store,
    routing: RoutingTable,
    gz: Gazetteer,
    now: datetime,
    marker_limit: int,
    demo_enabled: bool = False,
    feature_cache: dict | None = None,
    scopes: dict[str, frozenset[str]] | None = None,
) -> tuple[Summary, dict[str, MarkerFeature]]:
    """-> (summary, markers by id). Indexed queries only: cost follows open reports, not history.

    feature_cache (id -> (status, feature)), kept by the caller between rebuilds, saves
    rebuilding the features of markers whose status has not changed (the rest of a report
    does not change after intake). scopes (agency_scopes): the agency views to prepare beside the city's."""
    scopes = scopes or {}
    today = wib_day_start(now)
    r = reports.c
    open_ = r.status.in_(lifecycle.OPEN)
    ticker_cols = (r.id, r.source, r.category, r.title, r.kode_kec, r.kode_kel, r.status, r.reported_at, r.opd)
    with store.read() as conn:
        per_kec = conn.execute(
            select(r.kode_kec, r.opd, r.status, func.count()).where(open_).group_by(r.kode_kec, r.opd, r.status)
        ).all()
        per_kel = conn.execute(select(r.kode_kel, func.count()).where(open_).group_by(r.kode_kel)).all()
        # Range reads on the time indexes, counted here: with GROUP BY, SQLite walks a kecamatan index
        # over the whole table instead (3.4 s at 1M reports, against milliseconds).
        today_kec = Counter(
            conn.execute(
                select(r.kode_kec, r.opd)
                .with_hint(reports, "INDEXED BY ix_reports_reported_at", "sqlite")
                .where(r.reported_at >= today)
            ).all()
        ).items()
        done_kec = Counter(
            conn.execute(
                select(r.kode_kec, r.opd)
                .with_hint(reports, "INDEXED BY ix_reports_resolved_cover", "sqlite")
                .where(r.resolved_at >= today)
            ).all()
        ).items()
        # (kecamatan, OPD, seconds taken[, within the tile's window]) from the covering indexes
        responded = conn.execute(
            select(
                r.kode_kec,
                r.opd,
                store.seconds_between(r.reported_at, r.first_response_at),
                r.first_response_at >= now - TTFR_WINDOW,
            ).where(r.first_response_at >= now - SLA_WINDOW)
        ).all()
        resolved = conn.execute(
            select(r.kode_kec, r.opd, store.seconds_between(r.reported_at, r.resolved_at)).where(
                r.resolved_at >= now - SLA_WINDOW
            )
        ).all()
        open_rows = conn.execute(
            select(r.id, r.kode_kec, r.category, r.opd, r.status, r.reported_at).where(open_)
        ).all()
        tickers = {"city": conn.execute(select(*ticker_cols).order_by(r.reported_at.desc()).limit(TICKER_SIZE)).all()}
        for code in gz.kecamatan:  # one short index range scan each (kode_kec, reported_at)
            tickers[code] = conn.execute(
                select(*ticker_cols).where(r.kode_kec == code).order_by(r.reported_at.desc()).limit(TICKER_SIZE)
            ).all()
        scope_tickers = {
            key: conn.execute(
                select(*ticker_cols)
                .where(r.opd.in_(sorted(opds)))  # (opd, reported_at) index
                .order_by(r.reported_at.desc())
                .limit(TICKER_SIZE)
            ).all()
            for key, opds in scopes.items()
        }
        # Two index range scans rather than one OR that would read the whole table.
        cols = (*ticker_cols, r.lat, r.lon)
        live_rows = conn.execute(select(*cols).where(open_).order_by(r.reported_at.desc()).limit(marker_limit)).all()
        # No ORDER BY here: SQLite would walk the reported_at index over the whole table to avoid a sort.
        live_rows += conn.execute(select(*cols).where(r.resolved_at >= now - RESOLVED_VISIBLE)).all()
        live_rows = sorted(live_rows, key=lambda row: row.reported_at, reverse=True)[:marker_limit]
    latest = ReportRepository(store).feed_latest(list(routing.sources))
    indicator_panels, indicator_subjects, indicators_mark = indicator_summary.summarise_on_change(
        store, load_indicators(), gz, wib_today(now)
    )

    # Per-area KPIs: the city and each kecamatan, so a dashboard that selects one only picks.
    areas = ["city", *gz.kecamatan]

    # Counts and response times per (OPD, area), grouped once: the city and every agency view sum a few of them.
    zero = lambda: {"today": 0, "baru": 0, "diproses": 0, "selesai_today": 0}  # noqa: E731
    by_opd: dict[str | None, dict[str, dict[str, int]]] = {}
    waits_by_opd: dict[str | None, dict[str, list[float]]] = {}
    for code, opd, status, n in per_kec:
        for a in ("city", code):
            if a in gz.kecamatan or a == "city":
                by_opd.setdefault(opd, {}).setdefault(a, zero())[status] += n
    for rows, key in ((today_kec, "today"), (done_kec, "selesai_today")):
        for (code, opd), n in rows:
            for a in ("city", code):
                if a in gz.kecamatan or a == "city":
                    by_opd.setdefault(opd, {}).setdefault(a, zero())[key] += n
    for code, opd, seconds, recent in responded:
        if recent and seconds is not None and seconds >= 0:
            for a in ("city", code):
                if a in gz.kecamatan or a == "city":
                    waits_by_opd.setdefault(opd, {}).setdefault(a, []).append(round(float(seconds), 3))

    def kpis(opds: frozenset[str] | None) -> dict[str, Kpi]:
        """KPIs per area of the reports routed to `opds` (None: all of them)."""
        chosen = [o for o in set(by_opd) | set(waits_by_opd) if opds is None or o in opds]
        out = {}
        for a in areas:
            counts, waits = zero(), []
            for o in chosen:
                for key, n in by_opd.get(o, {}).get(a, {}).items():
                    counts[key] += n
                waits.extend(waits_by_opd.get(o, {}).get(a, ()))
            out[a] = {
                **counts,
                "ttfr_median_s": statistics.median(waits) if waits else None,
                "ttfr_n": len(waits),
                "ttfr_window_days": TTFR_WINDOW.days,
            }
        return out

    kpi = kpis(None)

    sla_states, sla_panel = sla_by_area(open_rows, responded, resolved, routing, gz, now)
    cache = feature_cache if feature_cache is not None else {}
    markers = {}
    for row in live_rows:
        hit = cache.get(row.id)
        key = (row.status, sla_states.get(row.id, ""), row.opd or "")  # a reassignment keeps the status
        markers[row.id] = hit[1] if hit and hit[0] == key else marker_feature(row, gz, key[1])
    if feature_cache is not None:
        feature_cache.clear()
        feature_cache.update(
            {
                key: ((f["properties"]["s"], sla_states.get(key, ""), f["properties"]["o"]), f)
                for key, f in markers.items()
            }
        )
    kecamatan_counts = {code: {k: kpi[code][k] for k in ("baru", "diproses", "selesai_today")} for code in gz.kecamatan}

    def scope_view(key: str, opds: frozenset[str]) -> OpdScope:
        own = kpis(opds)
        counts = {code: {k: own[code][k] for k in ("baru", "diproses", "selesai_today")} for code in gz.kecamatan}
        return {
            "opds": sorted(opds),
            "kpi": own["city"],
            "kpi_by_kec": {code: own[code] for code in gz.kecamatan},
            "kecamatan": counts,
            "ticker": [_ticker_row(t, gz, sla_states) for t in scope_tickers[key]],
            "map_values": {m: choropleth.values(m, counts, gz, indicator_panels) for m in choropleth.MEASURES},
            "markers_total": own["city"]["baru"] + own["city"]["diproses"],
            "markers_shown": sum(1 for m in markers.values() if m["properties"]["o"] in opds),
        }

    summary: Summary = {
        "kpi": kpi["city"],
        "kpi_by_kec": {code: kpi[code] for code in gz.kecamatan},
        "kecamatan": kecamatan_counts,
        "kelurahan": {code: n for code, n in per_kel if code},
        # the map's colour for every measure, once per change here rather than once per dashboard per poll
        "map_values": {m: choropleth.values(m, kecamatan_counts, gz, indicator_panels) for m in choropleth.MEASURES},
        "map_demo": {m: choropleth.from_demo(m, indicator_panels) for m in choropleth.MEASURES},
        "ticker": [_ticker_row(t, gz, sla_states) for t in tickers["city"]],
        "ticker_by_kec": {code: [_ticker_row(t, gz, sla_states) for t in tickers[code]] for code in gz.kecamatan},
        "sla": sla_panel,
        "indicators": indicator_panels,
        "indicator_subjects": indicator_subjects,
        "indicators_mark": indicators_mark,
        "feeds": {
            code: {
                "name": src.name,
                "latest": iso_utc(latest.get(code)),
                # stale: a feed that used to send and has gone quiet; one that never sent is not an alarm
                "stale": latest.get(code) is not None
                and (now - latest[code]).total_seconds() > src.stale_after_s
                and (code != "demo" or demo_enabled),
            }
            for code, src in routing.sources.items()
        },
        "demo_enabled": demo_enabled,
        "markers_shown": len(markers),
        "markers_total": kpi["city"]["baru"] + kpi["city"]["diproses"],
        "has_demo": demo_enabled or any("demo" in m["properties"] for m in markers.values()),
        "by_opd": {key: scope_view(key, opds) for key, opds in scopes.items()},
    }
    return summary, markers


def _empty_kpi() -> Kpi:
    return {
        "today": 0,
        "baru": 0,
        "diproses": 0,
        "selesai_today": 0,
        "ttfr_median_s": None,
        "ttfr_n": 0,
        "ttfr_window_days": TTFR_WINDOW.days,
    }


# An agency view the worker has not prepared yet (an account made a moment ago): nothing, until the next rebuild.
EMPTY_SCOPE: OpdScope = {
    "opds": [],
    "kpi": _empty_kpi(),
    "kpi_by_kec": {},
    "kecamatan": {},
    "ticker": [],
    "map_values": {m: {} for m in choropleth.MEASURES},
    "markers_total": 0,
    "markers_shown": 0,
}


def scope_key(opds) -> str:
    """The name of an agency view: its OPD codes, sorted, comma-joined."""
    return ",".join(sorted(opds))


def agency_scopes(store: Store, routing: RoutingTable) -> dict[str, frozenset[str]]:
    """The agency views to prepare: each OPD alone, and each set of OPDs an opd account is scoped to."""
    from data_feeds.store import people

    sets = {frozenset([code]) for code in routing.opds}
    with store.read() as conn:
        for (opds,) in conn.execute(
            select(people.c.opds).where(people.c.role == "opd", people.c.disabled_at.is_(None))
        ):
            if opds:
                sets.add(frozenset(opds))
    return {scope_key(s): s for s in sets}


def for_viewer(summary: Summary, scope: OpdScope | None) -> Summary:
    """The summary as an agency's wall draws it: its own KPIs, ticker, map colours and kecamatan counts;
    the league table (SLA panel) stays the city's, so the agency sees where it stands. A selected kecamatan
    shows the agency's newest reports there from its own ticker."""
    if scope is None:
        return summary
    ticker_by_kec = {code: [row for row in scope["ticker"] if row.get("kc") == code] for code in scope["kpi_by_kec"]}
    return {
        **summary,
        "kpi": scope["kpi"],
        "kpi_by_kec": scope["kpi_by_kec"],
        "kecamatan": scope["kecamatan"],
        "ticker": scope["ticker"],
        "ticker_by_kec": ticker_by_kec,
        "map_values": scope["map_values"],
        "markers_total": scope["markers_total"],
        "markers_shown": scope.get("markers_shown", 0),
        "scope": scope["opds"],
    }


def sla_by_area(
    open_rows, responded, resolved, routing: RoutingTable, gz: Gazetteer, now: datetime
) -> tuple[dict[str, str], dict[str, SlaPanel]]:
    """-> (SLA state of each open report, per-area per-OPD panel rows).

    A panel row: open reports, breached, about to breach, and median / p90 of time to first
    response and to resolution over SLA_WINDOW, for the city and for each kecamatan."""
    areas = ["city", *gz.kecamatan]
    blank = lambda: {"open": 0, "breached": 0, "soon": 0, "response": [], "resolution": []}  # noqa: E731
    acc = {a: {} for a in areas}
    states: dict[str, str] = {}

    def bucket(area: str, opd: str | None) -> dict:
        return acc[area].setdefault(opd or "", blank())

    for rid, kec, category, opd, status, reported in open_rows:
        cat = routing.categories.get(category)
        state = sla.clock_state(status, reported, cat, now)[0] if cat else "ok"
        states[rid] = state
        for a in ("city", kec):
            if a in acc:
                b = bucket(a, opd)
                b["open"] += 1
                if state in ("breached", "soon"):
                    b[state] += 1
    for rows, key in ((responded, "response"), (resolved, "resolution")):
        by_kec_opd: dict[tuple, list[float]] = {}
        for row in rows:
            if row[2] is not None and row[2] >= 0:  # (PostgreSQL's extract gives Decimal)
                by_kec_opd.setdefault((row[0], row[1]), []).append(
                    round(float(row[2]), 3)
                )  # julianday: sub-ms float noise
        for (kec, opd), seconds in by_kec_opd.items():
            for a in ("city", kec):
                if a in acc:
                    bucket(a, opd)[key].extend(seconds)
    panel = {}
    for area, by_opd in acc.items():
        rows = []
        for opd, b in by_opd.items():
            known = routing.opds.get(opd)
            rows.append(
                {
                    "opd": opd,
                    "short": known.short if known else opd,
                    "name": known.name if known else opd,
                    "open": b["open"],
                    "breached": b["breached"],
                    "soon": b["soon"],
                    "response_median_s": sla.percentile(b["response"], 0.5),
                    "response_p90_s": sla.percentile(b["response"], 0.9),
                    "response_n": len(b["response"]),
                    "resolution_median_s": sla.percentile(b["resolution"], 0.5),
                    "resolution_p90_s": sla.percentile(b["resolution"], 0.9),
                    "resolution_n": len(b["resolution"]),
                }
            )
        rows.sort(key=lambda r: (-r["breached"], -r["soon"], -r["open"], r["opd"]))
        panel[area] = {
            "rows": rows,
            "breached": sum(r["breached"] for r in rows),
            "soon": sum(r["soon"] for r in rows),
            "window_days": SLA_WINDOW.days,
        }
    return states, panel
