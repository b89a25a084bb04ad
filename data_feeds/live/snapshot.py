"""The live snapshot: aggregates computed once per data change, read by every dashboard.

`compute` turns the store into a small summary (KPI counts, per-kecamatan counts, ticker,
feed ages, SLA panels) plus the set of live markers; `live.versions` publishes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from data_feeds.clock import iso_utc, wib_today
from data_feeds.indicators import summary as indicator_summary
from data_feeds.indicators.config import load as load_indicators
from data_feeds.reports import sla
from data_feeds.reports.categories import RoutingTable
from data_feeds.store import Store
from geodata import choropleth
from geodata.gazetteer import Gazetteer

from . import snapshot_reads
from .shapes import Kpi, MarkerFeature, MarkerProps, OpdScope, SlaPanel, Summary, TickerRow
from .snapshot_reads import SLA_WINDOW, TTFR_WINDOW
from .tally import kecamatan_counts, tally


def ticker_row(t, gz: Gazetteer, sla_states: dict[str, str]) -> TickerRow:
    return {
        "id": t.id,
        "ref": t.source_ref or t.human_ref or t.id,
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
    """-> (summary, markers by id): read -> tally (pure) -> kpis -> markers -> scope views -> assemble.

    feature_cache (id -> (status, feature)), kept by the caller between rebuilds, saves rebuilding the features of
    markers whose status has not changed (the rest of a report does not change after intake). scopes
    (agency_scopes): the agency views to prepare beside the city's."""
    scopes = scopes or {}
    reads = snapshot_reads.read(store, routing, gz, now, marker_limit, scopes)
    panels, subjects, mark = indicator_summary.summarise_on_change(store, load_indicators(), gz, wib_today(now))
    counted = tally(gz.kecamatan, reads.per_kec, reads.today_kec, reads.done_kec, reads.responded, TTFR_WINDOW)
    kpi = counted.kpis(None)
    sla_states, sla_panel = sla_by_area(reads.open_rows, reads.responded, reads.resolved, routing, gz, now)
    markers = _markers(reads.live_rows, sla_states, gz, feature_cache)
    counts = kecamatan_counts(kpi, gz.kecamatan)
    summary: Summary = {
        "kpi": kpi["city"],
        "kpi_by_kec": {code: kpi[code] for code in gz.kecamatan},
        "kecamatan": counts,
        "kelurahan": {code: n for code, n in reads.per_kel if code},
        # the map's colour for every measure, once per change here rather than once per dashboard per poll
        "map_values": {m: choropleth.values(m, counts, gz, panels) for m in choropleth.MEASURES},
        "map_demo": {m: choropleth.from_demo(m, panels) for m in choropleth.MEASURES},
        "ticker": [ticker_row(t, gz, sla_states) for t in reads.tickers["city"]],
        "ticker_by_kec": {code: [ticker_row(t, gz, sla_states) for t in reads.tickers[code]] for code in gz.kecamatan},
        "sla": sla_panel,
        "indicators": panels,
        "indicator_subjects": subjects,
        "indicators_mark": mark,
        "feeds": _feeds(routing, reads.latest, now, demo_enabled),
        "demo_enabled": demo_enabled,
        "markers_shown": len(markers),
        "markers_total": kpi["city"]["baru"] + kpi["city"]["diproses"],
        "has_demo": demo_enabled or any("demo" in m["properties"] for m in markers.values()),
        "by_opd": {
            key: _scope_view(counted.kpis(opds), opds, reads.scope_tickers[key], markers, sla_states, gz, panels)
            for key, opds in scopes.items()
        },
    }
    return summary, markers


def _markers(
    live_rows: list, sla_states: dict[str, str], gz: Gazetteer, cache: dict | None
) -> dict[str, MarkerFeature]:
    """The map's markers, reusing a cached feature whose report kept its status, SLA state and OPD."""
    known = cache if cache is not None else {}
    markers = {}
    for row in live_rows:
        hit = known.get(row.id)
        key = (row.status, sla_states.get(row.id, ""), row.opd or "")  # a reassignment keeps the status
        markers[row.id] = hit[1] if hit and hit[0] == key else marker_feature(row, gz, key[1])
    if cache is not None:
        cache.clear()
        cache.update(
            {
                rid: ((f["properties"]["s"], sla_states.get(rid, ""), f["properties"]["o"]), f)
                for rid, f in markers.items()
            }
        )
    return markers


def _scope_view(
    own: dict[str, Kpi],
    opds: frozenset[str],
    ticker_rows: list,
    markers: dict[str, MarkerFeature],
    sla_states: dict[str, str],
    gz: Gazetteer,
    panels: dict,
) -> OpdScope:
    """An agency's view: its own KPIs, counts, ticker and map colours (own: its kpis per area)."""
    counts = kecamatan_counts(own, gz.kecamatan)
    return {
        "opds": sorted(opds),
        "kpi": own["city"],
        "kpi_by_kec": {code: own[code] for code in gz.kecamatan},
        "kecamatan": counts,
        "ticker": [ticker_row(t, gz, sla_states) for t in ticker_rows],
        "map_values": {m: choropleth.values(m, counts, gz, panels) for m in choropleth.MEASURES},
        "markers_total": own["city"]["baru"] + own["city"]["diproses"],
        "markers_shown": sum(1 for m in markers.values() if m["properties"]["o"] in opds),
    }


def _feeds(routing: RoutingTable, latest: dict, now: datetime, demo_enabled: bool) -> dict:
    return {
        code: {
            "name": src.name,
            "latest": iso_utc(latest.get(code)),
            # stale: a feed that used to send and has gone quiet; one that never sent is not an alarm
            "stale": latest.get(code) is not None
            and (now - latest[code]).total_seconds() > src.stale_after_s
            and (code != "demo" or demo_enabled),
        }
        for code, src in routing.sources.items()
    }


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
    open_rows, responded, resolved, routing: RoutingTable, gz: Gazetteer, now: datetime, areas=None
) -> tuple[dict[str, str], dict[str, SlaPanel]]:
    """-> (SLA state of each open report, per-area per-OPD panel rows).

    A panel row: open reports, breached, about to breach, and median / p90 of time to first
    response and to resolution over SLA_WINDOW, for the city and for each kecamatan (`areas`: these codes instead,
    the rows' second field naming them: one kelurahan, live/kelurahan_view.py)."""
    areas = ["city", *(gz.kecamatan if areas is None else areas)]
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
