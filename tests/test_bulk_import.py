"""Bulk import of report history: same rules as live reports, per-row errors, all-or-nothing per batch."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_feeds.reports.bulk_import import Importer
from data_feeds.settings import PROJECT_DIR
from data_feeds.store import outbox
from tests.helpers import report_payload, store_counts, stored_report

pytestmark = pytest.mark.store  # the store is what these test: SQLite and PostgreSQL

COLUMNS = [
    "id",
    "source",
    "category",
    "title",
    "lat",
    "lon",
    "reported_at",
    "status",
    "opd",
    "responded_at",
    "resolved_at",
    "evidence",
    "note",
    "reporter_name",
    "reporter_phone",
]


def row(n: int, **over) -> dict:
    base = {
        "id": f"H-{n}",
        "source": "laksa",
        "category": "sampah",
        "title": f"Laporan lama nomor {n}",
        "lat": "-6.1805",
        "lon": "106.6297",
        "reported_at": "2026-10-01T08:00:00+07:00",
    }
    base.update(over)
    return base


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    def native(r):
        out = {k: v for k, v in r.items() if v not in (None, "") and not k.startswith("reporter_")}
        out.update(lat=float(r["lat"]), lon=float(r["lon"]))
        if r.get("evidence"):
            out["evidence"] = r["evidence"].split()
        if r.get("reporter_name"):
            out["reporter"] = {"name": r["reporter_name"], "phone": r["reporter_phone"]}
        return out

    path.write_text("\n".join(json.dumps(native(r)) for r in rows) + "\n", encoding="utf-8")
    return path


HISTORY = [
    row(
        1,
        status="selesai",
        responded_at="2026-10-01T09:00:00+07:00",
        resolved_at="2026-10-02T10:00:00+07:00",
        evidence="https://laksa.example/a.jpg",
        note="Sudah diangkut",
        reporter_name="Ani",
        reporter_phone="0812345678",
    ),
    row(2, category="banjir", status="diproses", opd="bpbd", responded_at="2026-10-01T08:30:00+07:00"),
    row(3, category="jalan_rusak", status="ditolak", responded_at="2026-10-01T09:30:00+07:00", note="Jalan nasional"),
    row(4),
]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_history_is_replayed_through_the_lifecycle(services, tmp_path, kind):
    path = (write_csv if kind == "csv" else write_jsonl)(tmp_path / f"history.{kind}", HISTORY)
    result = Importer(services.reports).run(path, progress=False)
    assert result.ok and (result.rows, result.imported) == (4, 4)
    stored = {
        r["source_id"]: r for r in (stored_report(services, rid) for rid in services.reports.repository.report_ids())
    }
    done = stored["H-1"]
    assert done["status"] == "selesai" and done["media"] == ["https://laksa.example/a.jpg"]
    assert [e["kind"] for e in done["events"]] == ["created", "status", "status"]
    assert [e["to"] for e in done["events"]] == ["baru", "diproses", "selesai"]
    assert done["first_response_at"] == "2026-10-01T02:00:00.000Z" and done["resolved_at"] == "2026-10-02T03:00:00.000Z"
    assert done["reporter"] == {"name": "Ani", "phone": "0812345678"}
    assert stored["H-2"]["status"] == "diproses" and stored["H-2"]["opd"]["code"] == "bpbd"
    assert stored["H-3"]["status"] == "ditolak" and stored["H-3"]["events"][-1]["note"] == "Jalan nasional"
    assert stored["H-4"]["status"] == "baru" and stored["H-4"]["kecamatan"]["name"] == "Karawaci"
    with services.store.read() as conn:  # one outbox row announces the batch to the dashboards
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 1

    again = Importer(services.reports).run(path, progress=False)  # a re-run stores nothing twice
    assert (again.imported, again.already_stored) == (0, 4) and len(services.reports.repository.report_ids()) == 4


def test_a_bad_row_refuses_its_whole_batch_and_names_line_and_field(services, tmp_path):
    rows = [row(1), row(2), row(3, lat="abc"), row(4), row(5, category="ufo"), row(6), row(7)]
    path = write_csv(tmp_path / "mixed.csv", rows)
    result = Importer(services.reports, batch_size=2).run(path, progress=False)
    assert result.errors == [
        (4, "lat", "must be a number, got string"),
        (6, "category", "unknown category 'ufo'; one of: " + ", ".join(services.routing.categories)),
    ]
    assert (result.imported, result.refused_batches, result.refused_rows) == (3, 2, 4)
    # batches [1,2] and [7] stored; [3,4] and [5,6] refused whole, good rows 4 and 6 with them
    # (line numbers count the header)
    assert {services.reports.get(r)["source_id"] for r in services.reports.repository.report_ids()} == {
        "H-1",
        "H-2",
        "H-7",
    }


@pytest.mark.parametrize(
    "bad,field,words",
    [
        (
            row(1, status="selesai", responded_at="2026-10-01T09:00:00+07:00", resolved_at="2026-10-02T10:00:00+07:00"),
            "evidence",
            "photo or video",
        ),
        (row(1, status="diproses"), "responded_at", "is required for status diproses"),
        (row(1, status="diproses", responded_at="2026-09-01T09:00:00+07:00"), "at", "before the report's last event"),
        (row(1, status="duplikat"), "status", "cannot import status 'duplikat'"),
        (row(1, lat="-6.40", lon="106.63"), "lat,lon", "outside Kota Tangerang"),
    ],
    ids=["selesai-without-evidence", "diproses-without-time", "response-before-report", "duplikat", "outside"],
)
def test_history_that_breaks_the_rules_is_refused(services, tmp_path, bad, field, words):
    before = store_counts(services)
    result = Importer(services.reports).run(write_csv(tmp_path / "bad.csv", [row(9), bad]), progress=False)
    ((line, got_field, reason),) = result.errors
    assert (line, got_field) == (3, field) and words in reason
    assert store_counts(services) == before  # its batch (with the good row 9) is not stored


def test_repeated_id_in_one_file_is_an_error(services, tmp_path):
    result = Importer(services.reports).run(
        write_csv(tmp_path / "dup.csv", [row(1), row(1, title="lagi")]), progress=False
    )
    assert result.errors == [(3, "id", "repeats the id of line 2 (same source)")]


def test_dry_run_checks_everything_and_stores_nothing(services, tmp_path):
    before = store_counts(services)
    result = Importer(services.reports).run(
        write_csv(tmp_path / "h.csv", HISTORY + [row(8, lon="x")]), dry_run=True, progress=False
    )
    assert result.imported == 0 and result.errors == [(6, "lon", "must be a number, got string")]
    result = Importer(services.reports).run(write_csv(tmp_path / "ok.csv", HISTORY), dry_run=True, progress=False)
    assert result.ok and result.imported == 4
    assert store_counts(services) == before


def test_cli(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "data_feeds", "import", "reports", *a],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
        )

    bad = write_csv(tmp_path / "bad.csv", [row(1), row(2, reported_at="kemarin")])
    out = run(str(bad), "--dry-run")
    assert out.returncode == 2 and "line 3: reported_at: must be an ISO 8601 date-time" in out.stdout
    assert "dry run: nothing stored" in out.stdout
    good = write_jsonl(tmp_path / "good.jsonl", HISTORY)
    out = run(str(good))
    assert out.returncode == 0 and "4 rows read; imported 4; 0 already stored" in out.stdout
    assert run(str(tmp_path / "missing.csv")).returncode == 2


def test_imported_reports_are_found_by_their_words_and_later_ones_still_are(services, tmp_path):
    """A batch is indexed for full-text search in one statement (its per-row trigger set aside inside the batch's
    transaction): the imported rows are found, and a report filed afterwards is indexed by the trigger again."""
    from data_feeds.access.people import Person
    from data_feeds.access.viewer import Viewer
    from data_feeds.reports.search import ReportQuery

    reader = Viewer.of_person(Person("p1", "pimpinan", "Pimpinan", "pimpinan", frozenset(), False))
    rows = [row(n, title=f"Sampah kiriman gelombang {n}") for n in range(30)] + [row(99, title="Genangan di jalan tol")]
    result = Importer(services.reports, batch_size=8).run(write_csv(tmp_path / "words.csv", rows), progress=False)
    assert result.ok and result.imported == 31

    def found(words: str) -> int:
        return services.reports.count(ReportQuery(q=words), reader)

    assert found("gelombang") == 30 and found("genangan") == 1 and found("kiriman 7") == 1
    live = services.reports.submit(report_payload(title="Gelombang susulan sampah"))[0]
    assert found("gelombang") == 31 and found("susulan") == 1 and live["id"]


def _reader():
    from data_feeds.access.people import Person
    from data_feeds.access.viewer import Viewer

    return Viewer.of_person(Person("p1", "pimpinan", "Pimpinan", "pimpinan", frozenset(), False))


def _indexes(services) -> set[str]:
    from sqlalchemy import inspect

    inspector = inspect(services.store.reader)
    return {ix["name"] for table in ("reports", "report_events") for ix in inspector.get_indexes(table)}


def _events_reference_reports(services) -> bool:
    """SQLite keeps its foreign key in the table's definition; PostgreSQL's is a constraint the load sets aside."""
    from sqlalchemy import inspect

    return any(
        fk["referred_table"] == "reports" for fk in inspect(services.store.reader).get_foreign_keys("report_events")
    )


def test_a_large_first_load_builds_its_read_indexes_at_the_end_and_is_announced_once(services, tmp_path, monkeypatch):
    """A load outgrowing the store (LOAD_MODE_MIN_ROWS lowered to this file's size) sets the read indexes, the
    text index and PostgreSQL's foreign key aside while it writes, checks in a second process (PIPELINE_MIN_ROWS
    lowered too), and ends with all of them made again, every row searchable, and one announcement."""
    from data_feeds.reports import bulk_import
    from data_feeds.store import LOAD_DEFERRED_INDEXES

    monkeypatch.setattr(bulk_import, "LOAD_MODE_MIN_ROWS", 40)
    monkeypatch.setattr(bulk_import, "PIPELINE_MIN_ROWS", 40)
    seen_during: list[set[str]] = []
    insert = services.reports.repository.insert_batch

    def watching(items, at):
        seen_during.append(_indexes(services))
        return insert(items, at)

    monkeypatch.setattr(services.reports.repository, "insert_batch", watching)
    rows = [row(n, title=f"Sampah kiriman gelombang {n}") for n in range(100, 145)] + HISTORY[:3]
    with services.store.read() as conn:
        announced_before = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
    result = Importer(services.reports, batch_size=10).run(write_csv(tmp_path / "load.csv", rows), progress=False)
    assert result.ok and (result.rows, result.imported) == (48, 48)
    deferred = {index.name for index in LOAD_DEFERRED_INDEXES}
    assert seen_during and all(not (deferred & names) for names in seen_during)  # none there while it wrote
    assert deferred <= _indexes(services) and _events_reference_reports(services)
    assert services.reports.count(bulk_import_query("gelombang"), _reader()) == 45
    with services.store.read() as conn:
        payloads = [json.loads(p) for p in conn.execute(select(outbox.c.payload)).scalars()][announced_before:]
    assert [(p["kind"], p["reports"]) for p in payloads] == [("bulk", 48)]
    done = {
        r["source_id"]: r for r in (stored_report(services, rid) for rid in services.reports.repository.report_ids())
    }["H-1"]
    assert done["status"] == "selesai" and [e["to"] for e in done["events"]] == ["baru", "diproses", "selesai"]


def bulk_import_query(words: str):
    from data_feeds.reports.search import ReportQuery

    return ReportQuery(q=words)


def test_a_load_that_dies_midway_is_mended_by_the_next_start(services, tmp_path, settings):
    """Killed inside bulk_load (its end never runs): the next process's create_schema makes the indexes, the text
    index (with every row in it) and the foreign key again."""
    from data_feeds.services import Services
    from data_feeds.store import LOAD_DEFERRED_INDEXES

    loading = services.store.bulk_load()
    loading.__enter__()  # and never left, as if the process were killed
    result = Importer(services.reports).run(
        write_csv(tmp_path / "part.csv", [row(n, title=f"Banjir rob kiriman {n}") for n in range(12)]), progress=False
    )
    assert result.ok and result.imported == 12
    assert not {index.name for index in LOAD_DEFERRED_INDEXES} & _indexes(services)
    services.store.dispose()
    again = Services(settings)
    again.store.create_schema()  # what every process does at its start
    try:
        assert {index.name for index in LOAD_DEFERRED_INDEXES} <= _indexes(again)
        assert _events_reference_reports(again)
        assert again.reports.count(bulk_import_query("rob"), _reader()) == 12
        live = again.reports.submit(report_payload(title="Banjir rob susulan"))[0]
        assert live["id"] and again.reports.count(bulk_import_query("rob"), _reader()) == 13
    finally:
        again.store.dispose()


def test_checked_in_a_second_process_bad_batches_are_refused_and_a_rerun_stores_the_rest(
    services, tmp_path, monkeypatch
):
    from data_feeds.reports import bulk_import

    monkeypatch.setattr(bulk_import, "PIPELINE_MIN_ROWS", 1)
    rows = [row(n) for n in range(25)]
    rows[13] = row(13, lon="x")  # its batch (rows 10-19) is refused whole
    path = write_csv(tmp_path / "mixed.csv", rows)
    result = Importer(services.reports, batch_size=10).run(path, progress=False)
    assert result.errors == [(15, "lon", "must be a number, got string")]
    assert (result.rows, result.imported, result.refused_batches, result.refused_rows) == (25, 15, 1, 10)
    rows[13] = row(13)
    result = Importer(services.reports, batch_size=10).run(write_csv(path, rows), progress=False)
    assert result.ok and (result.imported, result.already_stored) == (10, 15)
    assert len(services.reports.repository.report_ids()) == 25


def test_a_file_unreadable_midway_stores_the_batches_before_it(services, tmp_path, monkeypatch):
    from data_feeds.reports import bulk_import

    monkeypatch.setattr(bulk_import, "PIPELINE_MIN_ROWS", 1)
    path = write_csv(tmp_path / "broken.csv", [row(n) for n in range(300)])  # (text is decoded 8 KB at a time)
    path.write_bytes(path.read_bytes() + b"H-99,laksa,sampah,Judul \xff\xfe rusak,-6.18,106.63,,,,,,,,,\n")
    with pytest.raises(UnicodeDecodeError):
        Importer(services.reports, batch_size=10).run(path, progress=False)
    assert len(services.reports.repository.report_ids()) >= 100  # the batches read before the bad bytes are stored


def test_a_store_failing_midway_stops_the_checking_process_and_says_so(services, tmp_path, monkeypatch):
    """The writer fails on its second write while the checker has more batches waiting: the error is raised (not a
    hang), the first write stays stored, and the checking process is gone."""
    import multiprocessing

    from data_feeds.reports import bulk_import

    monkeypatch.setattr(bulk_import, "PIPELINE_MIN_ROWS", 1)
    monkeypatch.setattr(bulk_import, "WRITE_GROUP_ROWS", 1)  # one batch a write
    insert, calls = services.reports.repository.insert_batch, []

    def failing_second(items, at):
        calls.append(len(items))
        if len(calls) == 2:
            raise OSError("disk full")
        return insert(items, at)

    monkeypatch.setattr(services.reports.repository, "insert_batch", failing_second)
    with pytest.raises(OSError, match="disk full"):
        Importer(services.reports, batch_size=5).run(
            write_csv(tmp_path / "many.csv", [row(n) for n in range(200)]), progress=False
        )
    assert len(services.reports.repository.report_ids()) == 5
    assert not [p for p in multiprocessing.active_children() if p.name == "import-checker"]
