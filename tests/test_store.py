"""The store under concurrency: group commit answers only committed work, and one bad job fails alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from data_feeds.refusal import Kind, Refusal
from data_feeds.reports.repository import ReportRepository
from data_feeds.store import Store
from tests.helpers import report_payload

pytestmark = pytest.mark.store  # the store is what these test: SQLite and PostgreSQL


def test_concurrent_posts_are_all_committed_once(services, settings):
    with ThreadPoolExecutor(16) as pool:
        results = list(
            pool.map(lambda i: services.reports.submit(report_payload(title=f"laporan {i}"))[0]["id"], range(400))
        )
    assert len(set(results)) == 400
    fresh = Store(settings.database_url)  # another connection: only committed rows are visible
    assert ReportRepository(fresh).report_ids() == set(results)
    fresh.dispose()


def test_same_sender_id_racing_itself_is_stored_once(services):
    start = threading.Barrier(8)

    def send(_):
        start.wait()
        return services.reports.submit(report_payload(id="LKS-RACE-1"))

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(8)))
    assert len({r[0]["id"] for r in results}) == 1
    assert sum(created for _, created in results) == 1
    assert services.reports.repository.count_reports() == 1


def test_a_failing_job_fails_alone_in_its_batch(services):
    good = services.reports.submit(report_payload())[0]
    release = threading.Event()

    def slow_job(conn):  # holds the writer so the next jobs queue into one batch
        release.wait(5)
        conn.execute(text("UPDATE reports SET title = 'diubah' WHERE id = :id"), {"id": good["id"]})
        return "slow"

    def bad_job(conn):
        conn.execute(text("UPDATE reports SET title = 'jangan tersimpan' WHERE id = :id"), {"id": good["id"]})
        raise Refusal.one(Kind.CONFLICT, "status", "refused")

    group = services.store._group()
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(group.run, slow_job)
        bad = pool.submit(group.run, bad_job)
        others = [pool.submit(services.reports.submit, report_payload(title=f"ikut batch {i}")) for i in range(2)]
        release.set()
        assert first.result() == "slow"
        with pytest.raises(Refusal):
            bad.result()
        stored = [f.result()[0]["id"] for f in others]
    assert (
        services.reports.repository.get_report(good["id"])[0]["title"] == "diubah"
    )  # the bad job's write was rolled back
    assert set(stored) <= services.reports.repository.report_ids()


def test_a_new_report_tells_the_outbox_its_created_event_in_the_same_words_on_every_store(services):
    """PostgreSQL writes the report, its event and its outbox row in one statement: the outbox row names the event
    that was written, in the same JSON text as the other stores' path makes."""
    import json

    report = services.reports.submit(report_payload(title="Satu pernyataan"))[0]
    events = services.reports.repository.get_report(report["id"])[1]
    payloads = [row["payload"] for row in services.store.pending_outbox()]
    assert len(events) == 1 and len(payloads) == 1
    expected = {
        "event_id": events[0]["id"],
        "report_id": report["id"],
        "kind": "created",
        "from": None,
        "to": "baru",
        "at": events[0]["at"].isoformat(),
    }
    assert payloads[0] == json.dumps(expected)


def test_opening_a_store_never_opens_an_existing_database_file_itself(tmp_path, monkeypatch):  # (SQLite only)
    """Closing any descriptor of a database file drops every POSIX lock this process's SQLite connections hold
    on it, which can corrupt it under concurrent writers: a second Store on the same file must not open it."""
    import os

    path = tmp_path / "shared.db"
    first = Store(f"sqlite:///{path}")
    first.create_schema()
    opened = []
    real_open = os.open

    def recording_open(p, *a, **k):
        fd = real_open(p, *a, **k)  # (an O_EXCL attempt on an existing file fails: no descriptor, nothing to close)
        opened.append(str(p))
        return fd

    monkeypatch.setattr(os, "open", recording_open)
    second = Store(f"sqlite:///{path}")
    assert str(path) not in opened
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    first.dispose()
    second.dispose()
