"""The league: who handles the city's complaints and how well, per OPD, per kecamatan or per kelurahan, over a
period: reports filed, per 10,000 residents (areas whose population is known), resolved, overdue, median and p90 of
the time to first response and to resolution, the citizens' satisfaction. Every agency and every area has a row,
with no reports too (a league of 13 kecamatan says so of a quiet one). `GET /api/v1/league` serves it."""

from __future__ import annotations

from datetime import datetime

from data_feeds.reports.categories import RoutingTable
from data_feeds.store import Store
from geodata.gazetteer import Gazetteer

from . import complaints

LEVELS = ("opd", "kecamatan", "kelurahan")
PER = 10_000
EMPTY = {"n": 0, "resolved": 0, "overdue": 0, "demo": 0, "response": [], "resolution": [], "ratings": []}


def rows(store: Store, routing: RoutingTable, gz: Gazetteer, by: str, start: datetime, end: datetime) -> list[dict]:
    """One row per agency or area, the most overdue (as a share of its reports) first, then the slowest to resolve."""
    acc = complaints.tally(store, routing, start, end, by)
    if by == "opd":
        names = {code: (o.name, o.short, None) for code, o in routing.opds.items()}
    else:
        places = gz.kecamatan if by == "kecamatan" else gz.kelurahan
        names = {
            code: (p.name, gz.kecamatan[p.kecamatan_code].name if by == "kelurahan" else None, p.population)
            for code, p in places.items()
        }
    out = []
    for code, (name, extra, population) in names.items():
        row = {"key": code, "name": name, **complaints.figures(acc.get(code, EMPTY))}
        if by == "opd":
            row["short"] = extra
        else:
            if by == "kelurahan":
                row["kecamatan"] = extra
            row["population"] = population
            row["per_10k"] = round(row["reports"] * PER / population, 2) if population else None
        out.append(row)
    out.sort(
        key=lambda r: (
            -(r["overdue"] / r["reports"] if r["reports"] else 0),
            -(r["resolution_median_s"] or 0),
            r["name"],
        )
    )
    return out
