"""The report list as people file it: the filtered reports a reader may see, as a CSV that Excel in an
Indonesian locale opens in columns (semicolon, UTF-8 with BOM, dates as dd/mm/yyyy hh:mm; `?format=plain` the
comma form for programs) and as an XLSX
with a title block saying the filter and the time, a frozen header and real date cells. Never the reporter.
"""

from __future__ import annotations

import io
from datetime import datetime

from babel.numbers import format_decimal
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from data_feeds.clock import WIB, utcnow
from data_feeds.reports import search
from data_feeds.spreadsheets import csv_bytes, safe_cell

MAX_ROWS = 20_000  # one download; a bigger set is narrowed by its filters (the title says when it was cut)
PAGE = 200
HEADERS = {
    "id": (
        "ID",
        "ID internal",
        "Dilaporkan (WIB)",
        "Status",
        "Kategori",
        "Kecamatan",
        "Kelurahan",
        "OPD",
        "SLA",
        "Batas SLA berikut (WIB)",
        "Bukti",
        "Judul",
        "Sumber",
    ),
    "en": (
        "Id",
        "Internal id",
        "Reported (WIB)",
        "Status",
        "Category",
        "Kecamatan",
        "Kelurahan",
        "Agency",
        "SLA",
        "Next SLA due (WIB)",
        "Evidence",
        "Title",
        "Source",
    ),
}
SLA_WORDS = {
    "id": {"ok": "berjalan", "soon": "hampir lewat", "breached": "lewat SLA", "closed": "selesai"},
    "en": {"ok": "running", "soon": "due soon", "breached": "overdue", "closed": "closed"},
}


def _when(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(WIB).replace(tzinfo=None) if iso else None


def collect(service, query: search.ReportQuery, who) -> tuple[list[list], bool]:
    """-> (rows of cells, whether the set was cut at MAX_ROWS). Read a page at a time, in the reader's scope."""
    rows, after = [], None
    while len(rows) < MAX_ROWS:
        page, cursor = service.search(
            query, who, min(PAGE, MAX_ROWS - len(rows)), search.decode_cursor(after, query.order == "due")
        )
        for r in page:
            evidence = sum(1 for e in r["events"] for _ in (e.get("evidence") or []))
            rows.append(
                [
                    r["human_id"],
                    r["id"],
                    _when(r["reported_at"]),
                    r["status"],
                    r["category_name"],
                    (r["kecamatan"] or {}).get("name", ""),
                    (r["kelurahan"] or {}).get("name", ""),
                    (r["opd"] or {}).get("code", "").upper(),
                    r["sla"]["state"],
                    _when(r["sla"]["next_due"]),
                    evidence,
                    r["title"],
                    r["source"],  # (demo: a simulated report, never a citizen's)
                ]
            )
        if cursor is None:
            return rows, False
        after = cursor
    return rows, True


def demo_count(rows: list[list]) -> int:
    return sum(1 for r in rows if r[-1] == "demo")


def title(query: search.ReportQuery, count: int, cut: bool, lang: str, demo: int = 0) -> str:
    """The XLSX's title block; with `demo` simulated rows among them, a DATA DEMO line first."""
    if demo:
        n = format_decimal(demo, locale="en_GB" if lang == "en" else "id_ID")
        mark = (
            f"DATA DEMO: {n} of these reports are simulated, not citizens'. "
            if lang == "en"
            else f"DATA DEMO: {n} laporan ini simulasi, bukan laporan warga. "
        )
        return mark + title(query, count, cut, lang)
    now = utcnow().astimezone(WIB).strftime("%d/%m/%Y %H:%M")
    shown = ", ".join(f"{k}={v}" for k, v in query.to_args().items()) or ("semua" if lang == "id" else "all")
    n = format_decimal(count, locale="en_GB" if lang == "en" else "id_ID")
    if lang == "en":
        return (
            f"Citizen reports, Kota Tangerang. Filter: {shown}. {n} "
            f"reports{' (the first; narrow the filter for the rest)' if cut else ''}."
            f" Made {now} WIB. No personal data."
        )
    return (
        f"Laporan warga, Kota Tangerang. Filter: {shown}. {n} "
        f"laporan{' (yang pertama; persempit filter untuk sisanya)' if cut else ''}."
        f" Dibuat {now} WIB. Tanpa data pribadi."
    )


def _sla(rows: list[list], lang: str) -> list[list]:
    return [[*r[:8], SLA_WORDS[lang].get(r[8], r[8]), *r[9:]] for r in rows]


def to_csv(rows: list[list], lang: str, form: str = "id") -> bytes:
    """spreadsheets.csv_bytes: by default what Indonesian Excel opens in columns; form "plain" for programs."""
    return csv_bytes(list(HEADERS[lang]), _sla(rows, lang), form, lang)


def _xml_safe(value):
    """XLSX is XML: a control character stored before intake refused them (a NUL in an old title) is dropped,
    not allowed to fail the whole file."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(rows: list[list], heading: str, lang: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "laporan" if lang == "id" else "reports"
    ws["A1"] = _xml_safe(heading)
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([])
    ws.append(list(HEADERS[lang]))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in _sla(rows, lang):
        ws.append([_xml_safe(safe_cell(c)) for c in r])
    for row in ws.iter_rows(min_row=4, min_col=3, max_col=10):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    for i, width in enumerate((18, 28, 17, 10, 20, 16, 18, 11, 12, 19, 7, 50), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(HEADERS[lang]))}{max(3, ws.max_row)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
