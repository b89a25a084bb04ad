"""What a dashboard's browser draws from the live snapshot, made once per change for each audience.

An audience is every dashboard that is shown the same thing: the whole city, one agency's own view
(an opd account), or no reports at all (an assessor). The live channel (live.channel) builds each
audience's view once per version and sends all its dashboards the same bytes: a JSON merge patch
(RFC 7396) from the previous view, so a new report costs a dashboard a few hundred bytes. Lists that
change one item at a time (the ticker, the OPD table) travel as an order plus rows by key, so a patch
touches the rows that changed. A merge patch deletes with null, so the view never holds a null:
a missing key is the browser's "no figure".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from data_feeds.access.viewer import Viewer

from .shapes import LiveView, OpdRow, OpdSlaRow, Summary, TickerRow
from .snapshot import EMPTY_SCOPE, SLA_WINDOW, for_viewer

CITY = "city"


@dataclass(frozen=True)
class Audience:
    """Who sees the same live view: `scope` the agencies of an opd account (None: the city), `reports`
    False for an assessor (figures only: no ticker, no markers)."""

    scope: frozenset[str] | None = None
    reports: bool = True

    @classmethod
    def of(cls, who: Viewer) -> Audience:
        return cls(who.scope, who.sees_reports)

    @property
    def key(self) -> str:
        if not self.reports:
            return "figures"
        return "city" if self.scope is None else "opd:" + ",".join(sorted(self.scope))

    @classmethod
    def from_key(cls, key: str) -> Audience:
        if key == "figures":
            return cls(None, False)
        if key == "city":
            return cls()
        if key.startswith("opd:"):
            return cls(frozenset(c for c in key[4:].split(",") if c), True)
        raise ValueError(f"unknown audience {key!r}")

    @property
    def map_opds(self) -> frozenset[str] | None:
        """The OPDs whose markers it gets (as Viewer.map_opds): None all, empty none."""
        return frozenset() if not self.reports else self.scope


def visible_markers(upserts: list, removes: list, opds: frozenset[str] | None) -> tuple[list, list]:
    """Marker changes for a viewer who sees `opds` (None: all): another agency's markers never arrive;
    one reassigned away from the agency becomes a removal on its wall."""
    if opds is None:
        return upserts, removes
    kept = [f for f in upserts if f["properties"].get("o") in opds]
    gone = [f["id"] for f in upserts if f["properties"].get("o") not in opds]
    return kept, sorted(set(removes) | set(gone))


def _keyed(rows: list[dict], key: str) -> dict:
    return {"order": [r[key] for r in rows], "rows": {r[key]: _compact(r) for r in rows}}


def opd_row(r: OpdSlaRow) -> OpdRow:
    """One agency's SLA figures as the browser draws them (the wall's first paint, and every live view)."""

    def pair(part):
        return [round(r[f"{part}_median_s"]), round(r[f"{part}_p90_s"])] if r[f"{part}_n"] else None

    return {
        "o": r["opd"],
        "s": r["short"],
        "n": r["name"],
        "open": r["open"],
        "b": r["breached"],
        "w": r["soon"],
        "r": pair("response"),
        "x": pair("resolution"),
    }


def opd_rows(panel: dict) -> dict:
    rows = [opd_row(r) for r in panel["rows"]]
    return {**_keyed(rows, "o"), "b": panel["breached"], "w": panel["soon"], "days": panel["window_days"]}


def ticker_view(rows: list[TickerRow]) -> dict:
    return _keyed(rows, "id")


def build(summary: Summary, audience: Audience, scope_doc: dict | None, token: str, names: dict[str, str]) -> LiveView:
    """The view one audience's browsers draw (shapes.LiveView). `scope_doc`: the agency's view the worker
    prepared (LiveReader.scope), for a scoped audience."""
    if audience.scope is not None:
        summary = for_viewer(summary, scope_doc or EMPTY_SCOPE)
    empty_panel = {"rows": [], "breached": 0, "soon": 0, "window_days": SLA_WINDOW.days}
    sla = summary.get("sla", {})
    areas = {CITY: {"kpi": summary["kpi"], "ticker": summary["ticker"], "sla": sla.get("city", empty_panel)}}
    for code, kpi in summary.get("kpi_by_kec", {}).items():
        areas[code] = {
            "kpi": kpi,
            "ticker": summary.get("ticker_by_kec", {}).get(code, []),
            "sla": sla.get(code, empty_panel),
        }
    if not audience.reports:
        shown = total = 0
    else:
        shown, total = summary.get("markers_shown", 0), summary.get("markers_total", 0)
    view = {
        "v": token,
        "at": summary.get("built_at"),
        "areas": {
            code: {
                "kpi": a["kpi"],
                "ticker": ticker_view(a["ticker"] if audience.reports else []),
                "opd": opd_rows(a["sla"]),
            }
            for code, a in areas.items()
        },
        "map": summary.get("map_values", {}),
        "map_demo": summary.get("map_demo", {}),
        "note": [shown, total],
        "demo": bool(summary.get("has_demo")),
        "stale": [f["name"] for f in summary.get("feeds", {}).values() if f.get("stale")],
        "mark": summary.get("indicators_mark") or "",
        "names": names,
    }
    return _compact(view)


def _compact(value: Any) -> Any:
    """Without nulls in any object (a merge patch would read them as deletions); lists keep theirs."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_compact(v) if isinstance(v, dict) else v for v in value]
    return value


def diff(old: dict, new: dict) -> dict:
    """The JSON merge patch (RFC 7396) that turns `old` into `new`: changed keys, null for removed ones;
    objects are patched key by key, anything else is replaced whole. {} when nothing changed."""
    patch: dict = {}
    for key, value in new.items():
        before = old.get(key, _MISSING)
        if before == value:
            continue
        if isinstance(value, dict) and isinstance(before, dict):
            inner = diff(before, value)
            if inner:
                patch[key] = inner
        else:
            patch[key] = value
    for key in old:
        if key not in new:
            patch[key] = None
    return patch


def apply(doc: dict, patch: dict) -> dict:
    """RFC 7396 applied (what liveroom.js does in the browser)."""
    out = dict(doc)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            out[key] = apply(out.get(key) if isinstance(out.get(key), dict) else {}, value)
        else:
            out[key] = value
    return out


_MISSING = object()
