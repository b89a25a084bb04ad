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
from data_feeds.runtime.settings import PROJECT_DIR
from data_feeds.store import outbox
from tests.helpers import report_payload, store_counts, stored_report

pytestmark = pytest.mark.store  # the store is what these test: SQLite and PostgreSQL

COLUMNS = ["id", "source", "category", "title", "lat", "lon", "reported_at", "status", "opd", "responded_at",
           "resolved_at", "evidence", "note", "reporter_name", "reporter_phone"]


def row(n: int, **over) -> dict:
    base = {"id": f"H-{n}", "source": "laksa", "category": "sampah", "title": f"Laporan lama nomor {n}",
            "lat": "-6.1805", "lon": "106.6297", "reported_at": "2026-10-01T08:00:00+07:00"}
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
    row(1, status="selesai", responded_at="2026-10-01T09:00:00+07:00", resolved_at="2026-10-02T10:00:00+07:00",
        evidence="https://laksa.example/a.jpg", note="Sudah diangkut", reporter_name="Ani", reporter_phone="0812345678"),
    row(2, category="banjir", status="diproses", opd="bpbd", responded_at="2026-10-01T08:30:00+07:00"),
    row(3, category="jalan_rusak", status="ditolak", responded_at="2026-10-01T09:30:00+07:00", note="Jalan nasional"),
    row(4),
]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_history_is_replayed_through_the_lifecycle(services, tmp_path, kind):
    path = (write_csv if kind == "csv" else write_jsonl)(tmp_path / f"history.{kind}", HISTORY)
    result = Importer(services).run(path, progress=False)
    assert result.ok and (result.rows, result.imported) == (4, 4)
    stored = {r["source_id"]: r for r in (stored_report(services, rid) for rid in services.store.report_ids())}
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

    again = Importer(services).run(path, progress=False)  # a re-run stores nothing twice
    assert (again.imported, again.already_stored) == (0, 4) and len(services.store.report_ids()) == 4


def test_a_bad_row_refuses_its_whole_batch_and_names_line_and_field(services, tmp_path):
    rows = [row(1), row(2), row(3, lat="abc"), row(4), row(5, category="ufo"), row(6), row(7)]
    path = write_csv(tmp_path / "mixed.csv", rows)
    result = Importer(services, batch_size=2).run(path, progress=False)
    assert result.errors == [(4, "lat", "must be a number, got string"),
                             (6, "category", "unknown category 'ufo'; one of: " + ", ".join(services.routing.categories))]
    assert (result.imported, result.refused_batches, result.refused_rows) == (3, 2, 4)
    # batches [1,2] and [7] stored; [3,4] and [5,6] refused whole, good rows 4 and 6 with them
    # (line numbers count the header)
    assert {services.reports.get(r)["source_id"] for r in services.store.report_ids()} == {"H-1", "H-2", "H-7"}


@pytest.mark.parametrize("bad,field,words", [
    (row(1, status="selesai", responded_at="2026-10-01T09:00:00+07:00", resolved_at="2026-10-02T10:00:00+07:00"),
     "evidence", "photo or video"),
    (row(1, status="diproses"), "responded_at", "is required for status diproses"),
    (row(1, status="diproses", responded_at="2026-09-01T09:00:00+07:00"), "at", "before the report's last event"),
    (row(1, status="duplikat"), "status", "cannot import status 'duplikat'"),
    (row(1, lat="-6.40", lon="106.63"), "lat,lon", "outside Kota Tangerang"),
], ids=["selesai-without-evidence", "diproses-without-time", "response-before-report", "duplikat", "outside"])
def test_history_that_breaks_the_rules_is_refused(services, tmp_path, bad, field, words):
    before = store_counts(services)
    result = Importer(services).run(write_csv(tmp_path / "bad.csv", [row(9), bad]), progress=False)
    ((line, got_field, reason),) = result.errors
    assert (line, got_field) == (3, field) and words in reason
    assert store_counts(services) == before  # its batch (with the good row 9) is not stored


def test_repeated_id_in_one_file_is_an_error(services, tmp_path):
    result = Importer(services).run(write_csv(tmp_path / "dup.csv", [row(1), row(1, title="lagi")]), progress=False)
    assert result.errors == [(3, "id", "repeats the id of line 2 (same source)")]


def test_dry_run_checks_everything_and_stores_nothing(services, tmp_path):
    before = store_counts(services)
    result = Importer(services).run(write_csv(tmp_path / "h.csv", HISTORY + [row(8, lon="x")]), dry_run=True, progress=False)
    assert result.imported == 0 and result.errors == [(6, "lon", "must be a number, got string")]
    result = Importer(services).run(write_csv(tmp_path / "ok.csv", HISTORY), dry_run=True, progress=False)
    assert result.ok and result.imported == 4
    assert store_counts(services) == before


def test_cli(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    run = lambda *a: subprocess.run([sys.executable, "-m", "data_feeds", "import", "reports", *a],  # noqa: E731
                                    cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
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
    result = Importer(services, batch_size=8).run(write_csv(tmp_path / "words.csv", rows), progress=False)
    assert result.ok and result.imported == 31

    def found(words: str) -> int:
        return services.reports.count(ReportQuery(q=words), reader)
    assert found("gelombang") == 30 and found("genangan") == 1 and found("kiriman 7") == 1
    live = services.reports.submit(report_payload(title="Gelombang susulan sampah"))[0]
    assert found("gelombang") == 31 and found("susulan") == 1 and live["id"]
