"""How the agencies handled the complaints of a period, for the documents: per OPD, the reports filed in the period,
how many were resolved by its end, how many missed an SLA clock (answered or resolved late, or still open past due
at the end), and the median and p90 of the time to first response and to resolution (sla.percentile, as the wall's
OPD table). Read from the store: any past period can be documented."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import select

from data_feeds.i18n import fmt_int
from data_feeds.reports import sla
from data_feeds.reports.categories import RoutingTable
from data_feeds.store import Store, reports


class Handling(TypedDict):
    opd: str
    short: str
    name: str
    pillar: str
    reports: int  # filed in the period
    resolved: int  # of those, resolved by the period's end
    overdue: int  # of those, a clock missed: answered or resolved after due, or open past due at the end
    demo: int  # of those, from the demo feed (their figures are marked DEMO)
    response_median_s: float | None
    response_p90_s: float | None
    resolution_median_s: float | None
    resolution_p90_s: float | None
    satisfaction: float | None  # the citizens' mean rating (1..5) of those rated
    ratings: int


GROUPS = {"opd": reports.c.opd, "kecamatan": reports.c.kode_kec, "kelurahan": reports.c.kode_kel}


def tally(store: Store, routing: RoutingTable, start: datetime, end: datetime, by: str = "opd") -> dict[str, dict]:
    """The reports filed in [start, end) counted per OPD, kecamatan or kelurahan (`by`): {key: accumulator}."""
    r = reports.c
    with store.read() as conn:
        rows = conn.execute(
            select(
                GROUPS[by], r.category, r.reported_at, r.first_response_at, r.resolved_at, r.status, r.source, r.rating
            ).where(r.reported_at >= start, r.reported_at < end)
        ).all()
    acc: dict[str, dict] = {}
    for key, category, reported, responded, resolved, status, source, rating in rows:
        cat = routing.categories.get(category)
        b = acc.setdefault(
            key or "",
            {"n": 0, "resolved": 0, "overdue": 0, "demo": 0, "response": [], "resolution": [], "ratings": []},
        )
        if rating is not None:
            b["ratings"].append(rating)
        b["n"] += 1
        b["demo"] += source == "demo"
        responded = responded if responded is not None and responded < end else None
        resolved = resolved if resolved is not None and resolved < end else None
        if resolved is not None:
            b["resolved"] += 1
            b["resolution"].append((resolved - reported).total_seconds())
        if responded is not None:
            b["response"].append((responded - reported).total_seconds())
        if cat is not None and status not in ("ditolak", "duplikat"):  # refused or merged: no clock runs on
            response_due, resolution_due = sla.due_times(reported, cat)
            late_answer = responded > response_due if responded is not None else end > response_due
            late_close = resolved > resolution_due if resolved is not None else end > resolution_due
            b["overdue"] += late_answer or late_close
    return acc


def figures(b: dict) -> dict:
    """An accumulator of `tally` as the documents and the league show it."""
    return {
        "reports": b["n"],
        "resolved": b["resolved"],
        "overdue": b["overdue"],
        "demo": b["demo"],
        "response_median_s": sla.percentile(b["response"], 0.5),
        "response_p90_s": sla.percentile(b["response"], 0.9),
        "resolution_median_s": sla.percentile(b["resolution"], 0.5),
        "resolution_p90_s": sla.percentile(b["resolution"], 0.9),
        "satisfaction": round(sum(b["ratings"]) / len(b["ratings"]), 2) if b["ratings"] else None,
        "ratings": len(b["ratings"]),
    }


def satisfaction_text(h: dict, lang: str) -> str:
    """The citizens' mean rating (1..5) and how many rated ("4,0/5 (12)"), or a dash where none did."""
    if not h.get("ratings"):
        return "–"
    mean = f"{h['satisfaction']:.1f}".replace(".", "," if lang == "id" else ".")
    return f"{mean}/5 ({fmt_int(h['ratings'], lang)})"


def handling(store: Store, routing: RoutingTable, start: datetime, end: datetime) -> dict[str, Handling]:
    """{OPD code: its figures} for the reports filed in [start, end), ordered by the OPD's reports."""
    acc = tally(store, routing, start, end, "opd")
    out: dict[str, Handling] = {}
    for code, b in sorted(acc.items(), key=lambda kv: (-kv[1]["n"], kv[0])):
        known = routing.opds.get(code)
        out[code] = {
            "opd": code,
            "short": known.short if known else code or "–",
            "name": known.name if known else code,
            "pillar": known.pillar if known else "",
            **figures(b),
        }
    return out
