"""Tables people open in Excel or LibreOffice: no cell may carry a formula someone else put there, and a CSV
opens in columns in the reader's own Excel.

A figure's source of `=HYPERLINK(...)` or `=1+2+cmd|' /C calc'!A0` would run as a formula in the
reader's spreadsheet. OWASP's rule for CSV injection: a text cell that begins with `=`, `+`, `-`, `@`,
tab or carriage return gets a leading apostrophe, which spreadsheets show as text. Numbers stay
numbers (a negative figure is a number, not text), so sums and formats still work.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def formula_safe(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell (headers too) neutralised; numeric columns untouched."""
    out = table.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):  # cell by cell: map() would turn whole numbers to floats
            out[column] = pd.Series([safe_cell(v) for v in out[column]], index=out.index, dtype=object)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


CSV_FORMS = ("id", "plain")
BOOL_WORDS = {"id": ("ya", "tidak"), "en": ("yes", "no")}


def csv_bytes(headers: list[str], rows: list[list], form: str = "id", lang: str = "id") -> bytes:
    """A CSV as its reader opens it. form "id" (the default, documented as `?format=id`): what Excel in an
    Indonesian locale opens in columns: `;` between cells, a decimal comma, dates dd/mm/yyyy (hh:mm), yes/no in
    words, UTF-8 with a BOM. form "plain" (`?format=plain`): for programs: `,` and a decimal point, ISO 8601 dates,
    true/false, UTF-8 with a BOM (Excel elsewhere reads the accents right; programs skip it)."""
    indonesian = form == "id"
    sep = ";" if indonesian else ","

    def text(value) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if isinstance(value, bool):
            yes, no = BOOL_WORDS[lang] if indonesian else ("true", "false")
            return yes if value else no
        if isinstance(value, datetime):
            return value.strftime("%d/%m/%Y %H:%M") if indonesian else value.isoformat()
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y") if indonesian else value.isoformat()
        if isinstance(value, float):
            shown = repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
            return shown.replace(".", ",") if indonesian else shown
        if isinstance(value, int):
            return str(value)
        return str(safe_cell(str(value)))

    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in sep + '"\r\n') else cell

    out = io.StringIO()
    out.write(sep.join(quoted(str(safe_cell(h))) for h in headers) + "\r\n")
    for row in rows:
        out.write(sep.join(quoted(text(c)) for c in row) + "\r\n")
    return out.getvalue().encode("utf-8-sig")
