"""The indicators as one table for assessors: every latest figure grouped by the six smart-city pillars,
with unit, target, progress, owner OPD, source and as-of date; or every figure ever stored (the
history, corrections included); as CSV or XLSX, in Indonesian or English.

Read from the store (not the live snapshot), so an export works while Redis is down.
"""
from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import select

from geodata.gazetteer import CITY_CODE

from ..clock import wib_today
from ..reports.categories import RoutingTable
from ..spreadsheets import formula_safe
from ..store import FINITE_FIGURE, indicator_values
from .config import PILLARS
from .series import IndicatorService
from .summary import summarise

COLUMNS = {  # key: (Indonesian header, English header)
    "pillar": ("pilar", "pillar"), "indicator": ("kode_indikator", "indicator_code"), "name": ("indikator", "indicator"),
    "place_code": ("kode_wilayah", "area_code"), "place": ("wilayah", "area"), "subject": ("subjek", "subject"),
    "period": ("periode", "period"), "value": ("nilai", "value"), "unit": ("satuan", "unit"), "target": ("target", "target"),
    "progress_pct": ("capaian_persen", "progress_pct"), "denominator": ("penyebut", "denominator"),
    "as_of": ("per_tanggal", "as_of"), "source": ("sumber", "source"), "opd": ("opd", "agency"),
    "demo": ("demo", "demo"), "stale": ("lewat_jadwal", "past_cadence"),
}


def _place_name(gz, code: str) -> str:
    if code == CITY_CODE:
        return "Kota Tangerang"
    p = gz.kecamatan.get(code) or gz.kelurahan.get(code)
    return f"{'Kecamatan' if code in gz.kecamatan else 'Kelurahan'} {p.name}" if p else code


def _plain(x: float | None):
    return int(x) if isinstance(x, float) and x.is_integer() else x


def rows(service: IndicatorService, routing: RoutingTable, lang: str = "id") -> list[dict]:
    config, gz = service.config, service.gz
    places, subjects = summarise(service.store, config, gz, wib_today())
    order = {code: n for n, code in enumerate(config)}
    out = []

    def add(code: str, place: str, subject: str, e: dict) -> None:
        ind = config[code]
        den = e["denominator"]
        out.append({
            "pillar": ind.pillar, "indicator": code, "name": ind.name(lang), "place_code": place, "place": _place_name(gz, place),
            "subject": ind.subject_name(subject, lang), "period": e["period"], "value": _plain(e["value"]), "unit": ind.unit(lang),
            "target": _plain(e["target"]), "progress_pct": round(100 * e["progress"], 1) if e["progress"] is not None else None,
            "denominator": f"{den['value']} ({den['label']})" if den else "", "as_of": e["as_of"], "source": e["source"],
            "opd": routing.opds[ind.owner].short if ind.owner in routing.opds else ind.owner,
            "demo": e["demo"], "stale": e["stale"],
        })

    for code, by_place in places.items():
        for place, e in by_place.items():
            add(code, place, "", e)
    for code, by_place in subjects.items():
        for place, by_subject in by_place.items():
            for subject, e in by_subject.items():
                add(code, place, subject, e)
    out.sort(key=lambda r: (PILLARS.index(r["pillar"]), order[r["indicator"]], r["place_code"], r["subject"]))
    for r in out:
        r["pillar"] = f"Smart {r['pillar'].capitalize()}"  # as the city's own evaluation names them
    return out


HISTORY_COLUMNS = {
    "pillar": COLUMNS["pillar"], "indicator": COLUMNS["indicator"], "name": COLUMNS["name"], "place_code": COLUMNS["place_code"],
    "place": COLUMNS["place"], "subject": COLUMNS["subject"], "period": COLUMNS["period"], "measure": ("ukuran", "measure"),
    "as_of": COLUMNS["as_of"], "value": COLUMNS["value"], "unit": COLUMNS["unit"], "source": COLUMNS["source"],
    "correction": ("koreksi", "correction"), "demo": COLUMNS["demo"], "recorded_at": ("dicatat_utc", "recorded_utc"),
    "recorded_by": ("dicatat_oleh", "recorded_by"),
}


def history_rows(service: IndicatorService, lang: str = "id") -> list[dict]:
    """Every figure ever stored, corrections included (an audit trail, not only the latest state)."""
    config, gz = service.config, service.gz
    v = indicator_values.c
    with service.store.read() as conn:
        stored = conn.execute(select(indicator_values).where(FINITE_FIGURE)
                              .order_by(v.indicator, v.place, v.subject, v.period, v.measure, v.as_of, v.id)).mappings().all()
    out = []
    for r in stored:
        ind = config.get(r["indicator"])
        if ind is None:
            continue
        out.append({"pillar": ind.pillar, "indicator": ind.code, "name": ind.name(lang), "place_code": r["place"],
                    "place": _place_name(gz, r["place"]), "subject": ind.subject_name(r["subject"] or "", lang), "period": r["period"],
                    "measure": r["measure"], "as_of": r["as_of"], "value": _plain(r["value"]), "unit": ind.unit(lang),
                    "source": r["source"], "correction": bool(r["correction"]), "demo": bool(r["demo"]),
                    "recorded_at": r["recorded_at"].strftime("%Y-%m-%d %H:%M:%S"), "recorded_by": r["recorded_by"] or ""})
    order = {code: n for n, code in enumerate(config)}
    out.sort(key=lambda r: (PILLARS.index(r["pillar"]), order[r["indicator"]]))  # stable: keeps each series in time order
    for r in out:
        r["pillar"] = f"Smart {r['pillar'].capitalize()}"
    return out


def frame(service: IndicatorService, routing: RoutingTable, lang: str = "id", history: bool = False) -> pd.DataFrame:
    columns = HISTORY_COLUMNS if history else COLUMNS
    data = history_rows(service, lang) if history else rows(service, routing, lang)
    # object columns: 1062235 stays 1062235 (not 1062235.0) beside 92.6
    table = pd.DataFrame(data, columns=list(columns), dtype=object)
    return table.rename(columns={k: v[1 if lang == "en" else 0] for k, v in columns.items()})


def to_csv(table: pd.DataFrame) -> bytes:
    return formula_safe(table).to_csv(index=False).encode("utf-8-sig")  # with a BOM, so Excel opens Indonesian text right


def to_xlsx(table: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    formula_safe(table).to_excel(buf, index=False, sheet_name="indikator", engine="openpyxl")
    return buf.getvalue()
