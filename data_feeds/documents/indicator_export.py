"""The indicators as one table for assessors: every latest figure grouped by the six smart-city pillars,
with unit, target, progress, owner OPD, source and as-of date; or every figure ever stored (the
history, corrections included); in Indonesian or English, as a CSV that Indonesian Excel opens in columns
(`?format=plain`: the comma form) or an XLSX with a title block and a sheet per pillar.

Read from the store (not the live snapshot), so an export works while Redis is down.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from data_feeds.clock import WIB, utcnow, wib_today
from data_feeds.indicators.config import PILLARS
from data_feeds.indicators.series import IndicatorService
from data_feeds.indicators.summary import summarise
from data_feeds.reports.categories import RoutingTable
from data_feeds.spreadsheets import BOOL_WORDS, csv_bytes, formula_safe
from data_feeds.store import FINITE_FIGURE, indicator_values
from geodata.gazetteer import CITY_CODE

COLUMNS = {  # key: (Indonesian header, English header)
    "pillar": ("pilar", "pillar"),
    "indicator": ("kode_indikator", "indicator_code"),
    "name": ("indikator", "indicator"),
    "place_code": ("kode_wilayah", "area_code"),
    "place": ("wilayah", "area"),
    "subject": ("subjek", "subject"),
    "period": ("periode", "period"),
    "value": ("nilai", "value"),
    "unit": ("satuan", "unit"),
    "target": ("target", "target"),
    "progress_pct": ("capaian_persen", "progress_pct"),
    "denominator": ("penyebut", "denominator"),
    "as_of": ("per_tanggal", "as_of"),
    "source": ("sumber", "source"),
    "opd": ("opd", "agency"),
    "demo": ("demo", "demo"),
    "stale": ("lewat_jadwal", "past_cadence"),
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
        out.append(
            {
                "pillar": ind.pillar,
                "indicator": code,
                "name": ind.name(lang),
                "place_code": place,
                "place": _place_name(gz, place),
                "subject": ind.subject_name(subject, lang),
                "period": e["period"],
                "value": _plain(e["value"]),
                "unit": ind.unit(lang),
                "target": _plain(e["target"]),
                "progress_pct": round(100 * e["progress"], 1) if e["progress"] is not None else None,
                "denominator": f"{den['value']} ({den['label']})" if den else "",
                "as_of": e["as_of"],
                "source": e["source"],
                "opd": routing.opds[ind.owner].short if ind.owner in routing.opds else ind.owner,
                "demo": e["demo"],
                "stale": e["stale"],
            }
        )

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
    "pillar": COLUMNS["pillar"],
    "indicator": COLUMNS["indicator"],
    "name": COLUMNS["name"],
    "place_code": COLUMNS["place_code"],
    "place": COLUMNS["place"],
    "subject": COLUMNS["subject"],
    "period": COLUMNS["period"],
    "measure": ("ukuran", "measure"),
    "as_of": COLUMNS["as_of"],
    "value": COLUMNS["value"],
    "unit": COLUMNS["unit"],
    "source": COLUMNS["source"],
    "correction": ("koreksi", "correction"),
    "demo": COLUMNS["demo"],
    "recorded_at": ("dicatat_utc", "recorded_utc"),
    "recorded_by": ("dicatat_oleh", "recorded_by"),
}


def history_rows(service: IndicatorService, lang: str = "id") -> list[dict]:
    """Every figure ever stored, corrections included (an audit trail, not only the latest state)."""
    config, gz = service.config, service.gz
    v = indicator_values.c
    with service.store.read() as conn:
        stored = (
            conn.execute(
                select(indicator_values)
                .where(FINITE_FIGURE)
                .order_by(v.indicator, v.place, v.subject, v.period, v.measure, v.as_of, v.id)
            )
            .mappings()
            .all()
        )
    out = []
    for r in stored:
        ind = config.get(r["indicator"])
        if ind is None:
            continue
        out.append(
            {
                "pillar": ind.pillar,
                "indicator": ind.code,
                "name": ind.name(lang),
                "place_code": r["place"],
                "place": _place_name(gz, r["place"]),
                "subject": ind.subject_name(r["subject"] or "", lang),
                "period": r["period"],
                "measure": r["measure"],
                "as_of": r["as_of"],
                "value": _plain(r["value"]),
                "unit": ind.unit(lang),
                "source": r["source"],
                "correction": bool(r["correction"]),
                "demo": bool(r["demo"]),
                "recorded_at": r["recorded_at"].strftime("%Y-%m-%d %H:%M:%S"),
                "recorded_by": r["recorded_by"] or "",
            }
        )
    order = {code: n for n, code in enumerate(config)}
    out.sort(
        key=lambda r: (PILLARS.index(r["pillar"]), order[r["indicator"]])
    )  # stable: keeps each series in time order
    for r in out:
        r["pillar"] = f"Smart {r['pillar'].capitalize()}"
    return out


def frame(service: IndicatorService, routing: RoutingTable, lang: str = "id", history: bool = False) -> pd.DataFrame:
    columns = HISTORY_COLUMNS if history else COLUMNS
    data = history_rows(service, lang) if history else rows(service, routing, lang)
    # object columns: 1062235 stays 1062235 (not 1062235.0) beside 92.6
    table = pd.DataFrame(data, columns=list(columns), dtype=object)
    return table.rename(columns={k: v[1 if lang == "en" else 0] for k, v in columns.items()})


def _cells(table: pd.DataFrame) -> list[list]:
    """The table's rows with its dates as dates (as_of is stored as text), for formats that know dates."""
    dated = {c for c in table.columns if c in (COLUMNS["as_of"][0], COLUMNS["as_of"][1])}
    return [
        [
            date.fromisoformat(v) if c in dated and isinstance(v, str) and len(v) == 10 else v
            for c, v in zip(table.columns, row, strict=True)
        ]
        for row in table.itertuples(index=False, name=None)
    ]


def to_csv(table: pd.DataFrame, form: str = "id", lang: str = "id") -> bytes:
    """spreadsheets.csv_bytes: by default what Indonesian Excel opens in columns; form "plain" for programs."""
    return csv_bytes(list(table.columns), _cells(table), form, lang)


TITLES = {
    "id": (
        "Indikator Smart City Kota Tangerang",
        "Riwayat angka indikator Smart City Kota Tangerang (koreksi termasuk)",
    ),
    "en": (
        "Smart City indicators, Kota Tangerang",
        "History of the Smart City indicator figures, Kota Tangerang (corrections included)",
    ),
}


def title_block(table: pd.DataFrame, lang: str, history: bool) -> list[str]:
    """What the file is, the period its figures cover, when it was made, where its figures come from."""
    dates = sorted(
        v
        for v in table.iloc[:, list(table.columns).index(COLUMNS["as_of"][1 if lang == "en" else 0])]
        if isinstance(v, str)
    )
    made = utcnow().astimezone(WIB)
    span = f"{date.fromisoformat(dates[0]):%d/%m/%Y} – {date.fromisoformat(dates[-1]):%d/%m/%Y}" if dates else "–"
    if lang == "en":
        return [
            TITLES["en"][history],
            f"Figures as of {span} (each row says its own date).",
            f"Made {made:%d/%m/%Y %H:%M} WIB by the Tangerang LIVE Room.",
            "Sources: the 'source' column of each row; rows marked demo are simulated, not the city's figures.",
        ]
    return [
        TITLES["id"][history],
        f"Angka per {span} (tanggal tiap angka di barisnya).",
        f"Dibuat {made:%d/%m/%Y %H:%M} WIB oleh Tangerang LIVE Room.",
        "Sumber: kolom 'sumber' tiap baris; baris bertanda demo adalah simulasi, bukan angka kota.",
    ]


def to_xlsx(table: pd.DataFrame, lang: str = "id", history: bool = False) -> bytes:
    """One sheet per pillar, each with the title block, a bold frozen header with filters, numbers as numbers
    with thousands grouping (Excel shows them in the reader's locale: 2.130.166 in Indonesian), dates as dates."""
    wb = Workbook()
    wb.remove(wb.active)
    safe = formula_safe(table)
    headers = list(safe.columns)
    heading = title_block(table, lang, history)
    cells = _cells(safe)
    pillars = list(dict.fromkeys(r[0] for r in cells)) or ["-"]
    for pillar in pillars:
        ws = wb.create_sheet(title=str(pillar)[:31])
        for n, line in enumerate(heading, start=1):
            ws.cell(row=n, column=1, value=line).font = Font(bold=n == 1, size=13 if n == 1 else 11)
        top = len(heading) + 2
        for col, name in enumerate(headers, start=1):
            ws.cell(row=top, column=col, value=name).font = Font(bold=True)
        for r, row in enumerate((r for r in cells if r[0] == pillar), start=top + 1):
            for col, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=col, value=_xlsx_value(value, lang))
                if isinstance(value, bool):
                    continue
                if isinstance(value, int | float):
                    cell.number_format = "#,##0" if float(value).is_integer() else "#,##0.0##"
                elif isinstance(value, date):
                    cell.number_format = "dd/mm/yyyy"
        ws.freeze_panes = ws.cell(row=top + 1, column=1)
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(headers))}{max(top, ws.max_row)}"
        for col, name in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(name, 14)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


WIDTHS = {
    COLUMNS[k][lang]: w
    for k, w in (
        ("pillar", 18),
        ("indicator", 26),
        ("name", 44),
        ("place", 24),
        ("source", 44),
        ("denominator", 30),
        ("as_of", 12),
        ("subject", 20),
    )
    for lang in (0, 1)
}


def _xlsx_value(value, lang: str):
    if isinstance(value, bool):
        return BOOL_WORDS[lang][0] if value else BOOL_WORDS[lang][1]
    return value
