"""Tables people open in Excel or LibreOffice: no cell may carry a formula someone else put there.

A figure's source of `=HYPERLINK(...)` or `=1+2+cmd|' /C calc'!A0` would run as a formula in the
reader's spreadsheet. OWASP's rule for CSV injection: a text cell that begins with `=`, `+`, `-`, `@`,
tab or carriage return gets a leading apostrophe, which spreadsheets show as text. Numbers stay
numbers (a negative figure is a number, not text), so sums and formats still work.
"""
from __future__ import annotations

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
