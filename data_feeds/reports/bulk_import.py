"""Bulk-load report history from CSV or JSON Lines: `python -m data_feeds import reports FILE`.

Each row is a report in the native API's shape (CSV: one column per field, `reporter_name`,
`reporter_phone`, and `media` URLs separated by spaces or `|`), optionally with its history:
`status` (baru, diproses, selesai, ditolak), `opd`, `responded_at`, `resolved_at`, `evidence`,
`note`, `actor`. Rows meet the same rules as live reports (the same validation, placement
and lifecycle code), and history is replayed through the lifecycle so an imported report has
the same event log a live one would.

Rows go in batches; a batch is stored whole (in one transaction, with the batches that piled up
beside it), and refused whole if any of its rows is bad, so a re-run after fixing the file
neither loses nor doubles anything (rows with a sender `id` already stored are skipped).

At speed: common CSV rows are checked a column at a time (`bulk_fast_lane`, held equal to the
per-row rules), a large file is checked in a second process while this one writes, and a load
that outgrows the store builds the read indexes once at its end (`Store.bulk_load`).
"""

from __future__ import annotations

import contextlib
import csv
import gc
import json
import multiprocessing
import queue
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from data_feeds.refusal import Kind, Refusal
from data_feeds.reports.batch import ReportColumns
from data_feeds.reports.bulk_fast_lane import FastLane, FastRows
from data_feeds.reports.csv_cells import csv_number, split_list
from data_feeds.reports.service import ReportService

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
    json_lines = is_json_lines(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        if json_lines:
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
            header, records = read_csv_records(fh)
            for line, cells in records:
                yield line, csv_row(header, cells)


def is_json_lines(path: Path) -> bool:
    """JSON Lines by extension, else by a first character `{` in a file not named .csv."""
    with open(path, encoding="utf-8-sig") as fh:
        head = fh.read(1)
    return path.suffix.lower() in (".jsonl", ".ndjson", ".json") or (path.suffix.lower() != ".csv" and head == "{")


def read_csv_records(fh) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(header, then each row's (line number, cells)), blank lines skipped: a row's dict is `csv_row`."""
    reader = csv.reader(fh)
    header = next(reader, [])

    def records():
        for cells in reader:
            if cells:
                yield reader.line_num, cells

    return header, records()


def csv_row(header: list[str], cells: list[str]) -> dict:
    """A CSV row as the per-row path reads it (as csv.DictReader pairs cells with the header, then `_from_csv`)."""
    row: dict = dict(zip(header, cells, strict=False))  # (rows shorter or longer than the header: below)
    if len(cells) > len(header):
        row[None] = cells[len(header) :]
    for name in header[len(cells) :]:
        row[name] = None
    return _from_csv(row)


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
            value = csv_number(value)  # text that is no number is kept: validation says "must be a number, got string"
        elif key in LIST_COLUMNS:
            value = split_list(value)
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
            raise Refusal.one(Kind.INVALID, name, f"is required for status {status}")
        return value

    if status == "baru":
        return report, []
    if status == "diproses":
        return report, [
            {"status": "diproses", "opd": opd, "actor": actor, "note": note, "at": need("responded_at", responded)}
        ]
    if status == "selesai":
        return report, [
            {"status": "diproses", "opd": opd, "actor": actor, "at": responded or need("resolved_at", resolved)},
            {
                "status": "selesai",
                "actor": actor,
                "note": note,
                "at": need("resolved_at", resolved),
                "evidence": raw.get("evidence", []),
            },
        ]
    if status == "ditolak":
        return report, [
            {"status": "ditolak", "actor": actor, "note": note, "at": need("responded_at", responded or resolved)}
        ]
    raise Refusal.one(
        Kind.INVALID, "status", f"cannot import status {status!r}; one of: baru, diproses, selesai, ditolak"
    )


# A load of at least this many rows, and at least as many as the store holds, builds the read indexes once at its
# end (Store.bulk_load) instead of keeping them row by row: a first load of a city's history, not a top-up.
LOAD_MODE_MIN_ROWS = 20_000
# A file of at least this many rows is checked in a second process while this one writes.
PIPELINE_MIN_ROWS = 5_000
WRITE_GROUP_ROWS = 8_000  # checked batches written together in one transaction at most (see _checked_in_a_child)


class Importer:
    def __init__(self, reports: ReportService, batch_size: int = 1000, default_source: str | None = None):
        self.reports, self.store = reports, reports.store
        self.batch_size, self.default_source = max(1, batch_size), default_source

    def is_large(self, rows: int) -> bool:
        """Whether a file of `rows` is loaded with the read indexes built at the end (see LOAD_MODE_MIN_ROWS)."""
        return rows >= LOAD_MODE_MIN_ROWS and rows >= self.reports.repository.count_reports()

    def check(
        self, lines: list[tuple[int, dict]], now: datetime
    ) -> list[tuple[int, tuple[dict, list[dict]] | Refusal]]:
        """Rows -> per row, (report row, events) ready to store, or the Refusal naming the field. The rules are
        the live ones (ReportService.prepare_many: the same validation, placement in one query for the batch;
        `replay`: the lifecycle)."""
        reports = self.reports
        out: list = []
        wanted: list[tuple[int, int, list[dict]]] = []  # (position in out, position in payloads, changes)
        payloads: list[dict] = []
        for line, raw in lines:
            try:
                if "__error__" in raw:
                    raise Refusal.one(Kind.MALFORMED, "row", raw["__error__"])
                if self.default_source and "source" not in raw:
                    raw = {**raw, "source": self.default_source}
                payload, changes = split_history(raw)
            except Refusal as exc:
                out.append((line, exc))
                continue
            wanted.append((len(out), len(payloads), changes))
            payloads.append(payload)
            out.append((line, None))
        prepared = reports.prepare_many(payloads, now)
        for at, k, changes in wanted:
            line, got = out[at][0], prepared[k]
            if not isinstance(got, Refusal):
                try:
                    got = reports.replay(got[0], [got[1]], changes, now)
                except Refusal as exc:
                    got = exc
            out[at] = (line, got)
        return out

    def run(self, path: Path, dry_run: bool = False, progress: bool = True) -> ImportResult:
        with _few_collections():
            return self._run(path, dry_run, progress)

    def _run(self, path: Path, dry_run: bool, progress: bool) -> ImportResult:
        result = ImportResult()
        total = _count_rows(path)
        with tqdm(total=total, unit=" rows", desc="import", disable=not progress, file=sys.stderr) as bar:
            if dry_run:
                for columns, rows in self.batches(path, result):
                    result.imported += len(columns)  # would be
                    bar.update(rows)
                return result
            batches = (
                self._checked_in_a_child(path, result) if total >= PIPELINE_MIN_ROWS else self.batches(path, result)
            )
            with self.store.bulk_load() if self.is_large(total) else contextlib.nullcontext():
                for columns, rows in batches:
                    if len(columns):
                        inserted, already = self.reports.repository.insert_batch(columns, datetime.now(timezone.utc))
                        result.imported += inserted
                        result.already_stored += already
                    bar.update(rows)
        return result

    def batches(self, path: Path, result: ImportResult) -> Iterator[tuple[ReportColumns, int]]:
        """The file in batches, checked: per batch, (its rows to store, how many rows it read); a batch with a bad
        row is refused whole (its errors in `result`, nothing to store). Counts rows and errors in `result`."""
        seen: dict[tuple[str, str], int] = {}

        def judged(lines: list[tuple[int, dict]], fast: FastRows | None = None) -> tuple[ReportColumns, int]:
            """`lines` for the per-row path, `fast` vouched for by the fast lane: all their rows, or none."""
            ready, bad = [], 0
            checked = [(line, None, got) for line, got in self.check(lines, datetime.now(timezone.utc))]
            if fast is not None:
                checked += [(line, key, None) for line, key in zip(fast.lines, fast.keys, strict=True)]
                checked.sort(key=lambda entry: entry[0])  # repeated ids are told against the earlier line
            for line, key, got in checked:
                if not isinstance(got, Refusal):
                    key = key or (got[0]["source"], got[0]["source_ref"])
                    if key[1] and key in seen:
                        got = Refusal.one(Kind.INVALID, "id", f"repeats the id of line {seen[key]} (same source)")
                    elif key[1]:
                        seen[key] = line
                if isinstance(got, Refusal):
                    bad += 1
                    result.errors.extend((line, e["field"], e["reason"]) for e in got.errors)
                elif got is not None:
                    ready.append(got)
            rows = len(lines) + (len(fast.lines) if fast else 0)
            if bad:
                result.refused_batches += 1
                result.refused_rows += rows
                return ReportColumns({}, {}), rows
            columns = ReportColumns.from_items(ready)
            return (fast.columns.plus(columns) if fast is not None else columns), rows

        if is_json_lines(path):
            pending: list = []
            for line, raw in read_rows(path):
                result.rows += 1
                pending.append((line, raw))
                if len(pending) >= self.batch_size:
                    yield judged(pending)
                    pending = []
            if pending:
                yield judged(pending)
            return
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header, records = read_csv_records(fh)
            lane = FastLane(
                self.reports.routing, self.reports.locator, header, self.default_source, self.reports.sealer
            )

            def split(pending: list[tuple[int, list[str]]]) -> tuple[ReportColumns, int]:
                fast, doubted = lane.split(pending, datetime.now(timezone.utc))
                return judged([(pending[i][0], csv_row(header, pending[i][1])) for i in doubted], fast)

            pending = []
            for record in records:
                result.rows += 1
                pending.append(record)
                if len(pending) >= self.batch_size:
                    yield split(pending)
                    pending = []
            if pending:
                yield split(pending)

    def _checked_in_a_child(self, path: Path, result: ImportResult) -> Iterator[tuple[ReportColumns, int]]:
        """`batches`, read and checked in a forked process while this one writes the batch before (two cores
        where one did both). At most eight checked batches wait, so the checker is never far ahead; if it fails,
        the batches before are stored and its error is raised here; if writing fails, the checker is stopped."""
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)

        def check_all() -> None:
            own = ImportResult()
            try:
                for columns, rows in self.batches(path, own):  # sent as the driver takes them: cheaper to send
                    sending.send(("batch", (self.reports.repository.driver_rows(columns), rows)))
                sending.send(("done", own))
            except BaseException as exc:  # noqa: BLE001 - handed to the writing process, which raises it
                sending.send(("failed", exc))

        def receive_all() -> None:
            """Batches taken off the pipe (and unpickled) while the writer writes: a pipe holds 64 KB, a batch ~300."""
            try:
                while True:
                    message = receiving.recv()
                    arrived.put(message)
                    if message[0] != "batch":
                        return
            except EOFError:
                arrived.put(
                    (
                        "failed",
                        RuntimeError(
                            f"the import's checking process ended unexpectedly (exit code {checker.exitcode})"
                        ),
                    )
                )
            except BaseException as exc:  # noqa: BLE001 - raised by the writer
                arrived.put(("failed", exc))

        self.store.dispose()  # no open database connection crosses the fork
        checker = context.Process(target=check_all, name="import-checker", daemon=True)
        checker.start()
        sending.close()
        arrived: queue.Queue = queue.Queue(maxsize=8)
        receiver = threading.Thread(target=receive_all, name="import-receiver", daemon=True)
        receiver.start()
        try:
            while True:
                kind, body = arrived.get()
                if kind == "batch":
                    # batches that have piled up while the last write ran go in one transaction: a slow store
                    # (PostgreSQL's commit waits for its disk) makes fewer, larger commits
                    group, rows = body
                    while rows < WRITE_GROUP_ROWS:
                        try:
                            kind, body = arrived.get_nowait()
                        except queue.Empty:
                            kind = None
                            break
                        if kind != "batch":
                            break
                        group, rows = group.plus(body[0]), rows + body[1]
                    yield group, rows
                    if kind in (None, "batch"):
                        continue
                if kind == "done":
                    result.rows, result.errors = body.rows, body.errors
                    result.refused_batches, result.refused_rows = body.refused_batches, body.refused_rows
                    return
                else:
                    raise body
        finally:
            if checker.is_alive():
                checker.kill()
            checker.join()
            while receiver.is_alive():  # (it may wait to hand over a batch nobody will write now)
                with contextlib.suppress(queue.Empty):
                    arrived.get_nowait()
                receiver.join(0.05)
            receiving.close()


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """An import makes millions of short-lived containers beside a large heap, and Python's cyclic collector, run
    every 700 of them, walked that heap again and again: half of the checks' time. While it runs, what exists
    already is set aside (gc.freeze) and the collector runs every 50,000 (still run: nothing cyclic is kept)."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def run_cli(reports: ReportService, file: str, dry_run: bool, batch_size: int, source: str | None) -> int:
    path = Path(file)
    if not path.is_file():
        print(f"no such file: {file}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        result = Importer(reports, batch_size, source).run(path, dry_run=dry_run, progress=sys.stderr.isatty())
    except (UnicodeDecodeError, csv.Error) as exc:
        # batches before the unreadable part are stored whole; a re-run after fixing the file skips them
        print(f"error: {file} cannot be read past a point ({exc}); save it as UTF-8 and run again", file=sys.stderr)
        return 2
    for line, fld, reason in result.errors:
        print(f"line {line}: {fld or 'row'}: {reason}")
    verb = "would import" if dry_run else "imported"
    print(
        f"{result.rows} rows read; {verb} {result.imported}; {result.already_stored} already stored; "
        f"{result.refused_batches} batches refused ({result.refused_rows} rows, {len(result.errors)} errors)"
        + ("; dry run: nothing stored" if dry_run else "")
        + f"; {time.perf_counter() - started:.2f} s ({result.rows / max(time.perf_counter() - started, 1e-9):,.0f} "
        "rows/s)"
    )
    return 0 if result.ok else 2
