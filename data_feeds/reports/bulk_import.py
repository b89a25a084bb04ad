"""Bulk-load report history from CSV or JSON Lines: `python -m data_feeds import reports FILE`.

Each row is a report in the native API's shape (CSV: one column per field, `reporter_name`,
`reporter_phone`, and `media` URLs separated by spaces or `|`), optionally with its history:
`status` (baru, diproses, selesai, ditolak), `opd`, `responded_at`, `resolved_at`, `evidence`,
`note`, `actor`. Rows meet the same rules as live reports (the same validation, placement
and lifecycle code), and history is replayed through the lifecycle so an imported report has
the same event log a live one would.

Rows go in batches; a batch is stored in one transaction, and refused whole if any of its
rows is bad, so a re-run after fixing the file neither loses nor doubles anything (rows
with a sender `id` already stored are skipped).
"""
from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from ..runtime.services import Services
from ..validation import ApiError

NUMBER_COLUMNS = ("lat", "lon")
LIST_COLUMNS = ("media", "evidence")
HISTORY_COLUMNS = ("status", "opd", "responded_at", "resolved_at", "evidence", "note", "actor")


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    already_stored: int = 0
    refused_batches: int = 0
    refused_rows: int = 0
    errors: list[tuple[int, str | None, str]] = field(default_factory=list)  # (line, field, reason)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, raw row) from a CSV or JSON Lines file (told by extension, else by its first character)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        head = fh.read(1)
        fh.seek(0)
        if path.suffix.lower() in (".jsonl", ".ndjson", ".json") or (path.suffix.lower() != ".csv" and head == "{"):
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    yield n, {"__error__": f"is not valid JSON ({exc})"}
                    continue
                yield n, row if isinstance(row, dict) else {"__error__": "must be a JSON object"}
        else:
            reader = csv.DictReader(fh)
            for row in reader:
                yield reader.line_num, _from_csv(row)


def _count_rows(path: Path) -> int:
    """Lines in the file (less a CSV header): the progress bar's total, one quick pass."""
    with open(path, "rb") as fh:
        lines = sum(1 for line in fh if line.strip())
    return lines - 1 if path.suffix.lower() == ".csv" else lines


def _from_csv(row: dict) -> dict:
    """CSV cells are text: empty means absent, coordinates become numbers, lists are split."""
    out: dict = {}
    for key, value in row.items():
        if key is None:
            out["__error__"] = "has more cells than the header has columns"
            continue
        value = (value or "").strip()
        if not value:
            continue
        if key in NUMBER_COLUMNS:
            try:
                value = float(value.replace(",", ".")) if value.count(",") == 1 and "." not in value else float(value)
            except ValueError:
                pass  # left as text: validation says "must be a number, got string"
        elif key in LIST_COLUMNS:
            value = value.replace("|", " ").split()
        out[key] = value
    name, phone = out.pop("reporter_name", None), out.pop("reporter_phone", None)
    if name or phone:
        out["reporter"] = {k: v for k, v in (("name", name), ("phone", phone)) if v}
    return out


def split_history(raw: dict) -> tuple[dict, list[dict]]:
    """-> (the report as the native API takes it, the status changes that follow it)."""
    report = {k: v for k, v in raw.items() if k not in HISTORY_COLUMNS}
    status = raw.get("status", "baru")
    opd, note, actor = raw.get("opd"), raw.get("note"), raw.get("actor")
    responded, resolved = raw.get("responded_at"), raw.get("resolved_at")

    def need(name, value):
        if not value:
            raise ApiError.one(422, name, f"is required for status {status}")
        return value

    if status == "baru":
        return report, []
    if status == "diproses":
        return report, [{"status": "diproses", "opd": opd, "actor": actor, "note": note, "at": need("responded_at", responded)}]
    if status == "selesai":
        return report, [{"status": "diproses", "opd": opd, "actor": actor, "at": responded or need("resolved_at", resolved)},
                        {"status": "selesai", "actor": actor, "note": note, "at": need("resolved_at", resolved),
                         "evidence": raw.get("evidence", [])}]
    if status == "ditolak":
        return report, [{"status": "ditolak", "actor": actor, "note": note, "at": need("responded_at", responded or resolved)}]
    raise ApiError.one(422, "status", f"cannot import status {status!r}; one of: baru, diproses, selesai, ditolak")


class Importer:
    def __init__(self, services: Services, batch_size: int = 1000, default_source: str | None = None):
        self.services, self.batch_size, self.default_source = services, max(1, batch_size), default_source

    def check(self, lines: list[tuple[int, dict]], now: datetime) -> list[tuple[int, tuple[dict, list[dict]] | ApiError]]:
        """Rows -> per row, (report row, events) ready to store, or the ApiError naming the field. The rules are
        the live ones (ReportService.prepare_many: the same validation, placement in one query for the batch;
        `replay`: the lifecycle)."""
        reports = self.services.reports
        out: list = []
        wanted: list[tuple[int, int, list[dict]]] = []  # (position in out, position in payloads, changes)
        payloads: list[dict] = []
        for line, raw in lines:
            try:
                if "__error__" in raw:
                    raise ApiError.one(400, "row", raw["__error__"])
                if self.default_source and "source" not in raw:
                    raw = {**raw, "source": self.default_source}
                payload, changes = split_history(raw)
            except ApiError as exc:
                out.append((line, exc))
                continue
            wanted.append((len(out), len(payloads), changes))
            payloads.append(payload)
            out.append((line, None))
        prepared = reports.prepare_many(payloads, now)
        for at, k, changes in wanted:
            line, got = out[at][0], prepared[k]
            if not isinstance(got, ApiError):
                try:
                    got = reports.replay(got[0], [got[1]], changes, now)
                except ApiError as exc:
                    got = exc
            out[at] = (line, got)
        return out

    def run(self, path: Path, dry_run: bool = False, progress: bool = True) -> ImportResult:
        result = ImportResult()
        seen: dict[tuple[str, str], int] = {}
        bar = tqdm(total=_count_rows(path) if progress else None, unit=" rows", desc="import", disable=not progress,
                   file=sys.stderr)

        def store(lines: list[tuple[int, dict]]) -> None:
            """One batch: stored whole, or refused whole if any row is bad."""
            batch, bad = [], 0
            for line, got in self.check(lines, datetime.now(timezone.utc)):
                if not isinstance(got, ApiError):
                    row = got[0]
                    key = (row["source"], row["source_ref"])
                    if row["source_ref"] and key in seen:
                        got = ApiError.one(422, "id", f"repeats the id of line {seen[key]} (same source)")
                    elif row["source_ref"]:
                        seen[key] = line
                if isinstance(got, ApiError):
                    bad += 1
                    result.errors.extend((line, e["field"], e["reason"]) for e in got.errors)
                else:
                    batch.append(got)
            if bad:
                result.refused_batches += 1
                result.refused_rows += len(lines)
            elif batch and not dry_run:
                inserted, already = self.services.store.insert_batch(batch, datetime.now(timezone.utc))
                result.imported += inserted
                result.already_stored += already
            else:
                result.imported += len(batch)  # would be: dry run
            bar.update(len(lines))

        pending: list[tuple[int, dict]] = []
        for line, raw in read_rows(path):
            result.rows += 1
            pending.append((line, raw))
            if len(pending) >= self.batch_size:
                store(pending)
                pending = []
        if pending:
            store(pending)
        bar.close()
        return result


def run_cli(services: Services, file: str, dry_run: bool, batch_size: int, source: str | None) -> int:
    path = Path(file)
    if not path.is_file():
        print(f"no such file: {file}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        result = Importer(services, batch_size, source).run(path, dry_run=dry_run, progress=sys.stderr.isatty())
    except (UnicodeDecodeError, csv.Error) as exc:
        # batches before the unreadable part are stored whole; a re-run after fixing the file skips them
        print(f"error: {file} cannot be read past a point ({exc}); save it as UTF-8 and run again", file=sys.stderr)
        return 2
    for line, fld, reason in result.errors:
        print(f"line {line}: {fld or 'row'}: {reason}")
    verb = "would import" if dry_run else "imported"
    print(f"{result.rows} rows read; {verb} {result.imported}; {result.already_stored} already stored; "
          f"{result.refused_batches} batches refused ({result.refused_rows} rows, {len(result.errors)} errors)"
          + ("; dry run: nothing stored" if dry_run else "")
          + f"; {time.perf_counter() - started:.2f} s ({result.rows / max(time.perf_counter() - started, 1e-9):,.0f} rows/s)")
    return 0 if result.ok else 2
