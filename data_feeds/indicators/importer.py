"""Indicator figures from a CSV or XLSX file: `python -m data_feeds import indicators FILE [--dry-run]`,
or `POST /api/v1/indicators/import` with the file (key role `indicators`).

Format: a header row, then one figure per row. Columns (as in POST /api/v1/indicators):

    indicator   required  a code from data_feeds/indicators/indicators.toml, e.g. vaccination_dose_1
    as_of       required  the date the figure describes: 2024-03-31 (an Excel date cell is fine)
    value       required  a plain number: 2130166 or 92.6 (no thousands separators)
    source      required  where the figure comes from, e.g. "Dinkes, laporan mingguan"
    place       optional  Kemendagri code (36.71.07) or kecamatan/kelurahan name; empty = the city
    period      optional  the year, for per-period indicators (house_renovation, ...)
    measure     optional  value (default) or target
    subject     optional  within the place: the market tested, the kind of device, ...
    correction  optional  1 / ya / true to replace or lower an earlier figure knowingly

The whole file is one transaction: every row is checked (against the stored series and the rows
above it), every bad row is reported as `line N: field: reason`, and if any row is bad nothing
of the file is stored. --dry-run checks everything and stores nothing.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from data_feeds.refusal import Refusal
from data_feeds.validation import NO_WORDS, YES_WORDS

from .series import IndicatorService

COLUMNS = ("indicator", "place", "period", "measure", "subject", "as_of", "value", "source", "correction")


class FileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, unknown columns)."""


def read_rows(stream: BinaryIO, name: str) -> list[tuple[int, dict]]:
    """(line number as a spreadsheet shows it, raw row) from CSV or XLSX, told by the file name."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook  # only for XLSX files

        try:
            sheet = load_workbook(stream, read_only=True, data_only=True).worksheets[0]
            table = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001 - openpyxl raises several kinds for a file that is not XLSX
            raise FileError(f"{name} is not a readable XLSX workbook ({exc})") from None
    elif suffix in (".csv", ".txt"):
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileError(f"{name} is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
        first = text.split("\n", 1)[0]
        try:
            table = list(csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","))
        except csv.Error as exc:
            raise FileError(f"{name} is not a readable CSV file ({exc})") from None
    else:
        raise FileError(f"{name}: give a .csv or .xlsx file")
    if not table or not any(table[0]):
        raise FileError(f"{name} has no header row")
    header = [str(h or "").strip().lower() for h in table[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise FileError(f"{name}: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}")
    missing = [c for c in ("indicator", "as_of", "value", "source") if c not in header]
    if missing:
        raise FileError(f"{name}: missing column(s) {', '.join(missing)}")
    rows = []
    for n, cells in enumerate(table[1:], 2):
        if not any(c not in (None, "") for c in cells):
            continue  # blank lines between blocks are common in hand-kept sheets
        rows.append((n, {h: c for h, c in zip(header, cells, strict=False) if h}))  # a short row: its last cells empty
    return rows


def to_payload(raw: dict) -> dict:
    """A spreadsheet row as the API's JSON: empty cells left out (defaults apply), dates as ISO text,
    numbers as numbers where they are plain numbers (anything else goes on, to be refused by name)."""
    out = {}
    for key, cell in raw.items():
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if isinstance(cell, datetime):
            cell = cell.date().isoformat()
        elif isinstance(cell, date):
            cell = cell.isoformat()
        elif isinstance(cell, str):
            cell = cell.strip()
        if key == "value" and isinstance(cell, str):
            try:
                cell = float(cell)
            except ValueError:
                pass
        elif key == "period" and isinstance(cell, (int, float)):
            cell = str(int(cell))
        elif key in ("indicator", "place", "subject", "source", "measure") and isinstance(cell, (int, float)):
            cell = str(cell)  # a spreadsheet turns "36.71" into a number
        elif key == "correction":
            text = str(cell).strip().lower()
            cell = True if text in YES_WORDS else False if text in NO_WORDS else cell
        out[key] = cell
    return out


def import_file(
    service: IndicatorService, stream: BinaryIO, name: str, actor: str, dry_run: bool = False
) -> tuple[int, list[dict]]:
    """-> (rows stored or checked, []) or (0, [{line, field, reason}, ...]); FileError if unreadable."""
    rows = read_rows(stream, name)
    if not rows:
        raise FileError(f"{name} has a header but no rows")
    try:
        stored = service.record([to_payload(raw) for _, raw in rows], actor=actor, dry_run=dry_run)
    except Refusal as exc:
        errors = []
        for e in exc.errors:
            field = e["field"] or ""
            index, _, rest = field.partition("].") if field.startswith("[") else ("", "", field)
            line = rows[int(index[1:])][0] if index else rows[0][0]
            errors.append({"line": line, "field": rest, "reason": e["reason"]})
        return 0, errors
    return len(stored), []


def run_cli(service: IndicatorService, path: str, dry_run: bool) -> int:
    file = Path(path)
    try:
        with file.open("rb") as fh:
            count, errors = import_file(service, fh, file.name, actor=f"import {file.name}", dry_run=dry_run)
    except (FileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if errors:
        for e in errors:
            print(f"line {e['line']}: {e['field']}: {e['reason']}", file=sys.stderr)
        print(f"{len(errors)} problem(s): nothing from {file.name} was stored", file=sys.stderr)
        return 1
    print(
        f"{count} figure(s) checked, nothing stored (dry run)"
        if dry_run
        else f"{count} figure(s) stored from {file.name}"
    )
    return 0
