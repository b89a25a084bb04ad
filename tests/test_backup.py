"""Backups and a tested restore (issue 27): a backup taken while reports are being posted restores to a store
holding every report acknowledged before it began, evidence included, on SQLite and PostgreSQL; a restore goes
only into an empty store; the live worker's daily backup keeps BACKUP_KEEP and says its age on /healthz and the
admin page."""

from __future__ import annotations

import base64
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from data_feeds.clock import WIB, utcnow
from data_feeds.reports import evidence_content
from data_feeds.reports.evidence_store import Allowance
from data_feeds.runtime import daily_backup
from data_feeds.store import Store, backup
from data_feeds.store.tables import evidence_files, reports
from tests.helpers import data_feeds_cli, png_upload, report_payload, sign_in

pytestmark = pytest.mark.store


def _empty_target(request, database_url: str, tmp_path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'liveroom.db'}"
    return request.getfixturevalue("postgres").new_database()


def _ids(url: str) -> set[str]:
    store = Store(url)
    try:
        with store.read() as conn:
            return {r[0] for r in conn.execute(select(reports.c.id))}
    finally:
        store.dispose()


def test_a_backup_taken_while_reports_arrive_restores_every_report_acknowledged_before_it(
    request, services, database_url, tmp_path
):
    first = services.reports.submit(report_payload(title="Dengan bukti"))[0]["id"]
    accepted = evidence_content.accept(base64.b64decode(png_upload().split(",", 1)[1]), 10_000)
    services.evidence.stage(first, accepted, "person:x", Allowance(10, 10**9))
    acknowledged: list[str] = []
    stop = threading.Event()

    def post_all():
        n = 0
        while not stop.is_set():
            acknowledged.append(services.reports.submit(report_payload(title=f"Laporan {n}"))[0]["id"])
            n += 1

    poster = threading.Thread(target=post_all)
    poster.start()
    while len(acknowledged) < 20:
        stop.wait(0.01)
    before = set(acknowledged)  # acknowledged before the backup began
    archive = tmp_path / "backups" / "cadangan.tar.gz"
    manifest = backup.create(database_url, archive, utcnow())
    stop.set()
    poster.join()
    assert len(acknowledged) > len(before)  # reports kept arriving meanwhile
    assert archive.stat().st_mode & 0o777 == 0o600
    target = _empty_target(request, database_url, tmp_path)
    restored = backup.restore(archive, target)
    assert restored.counts == manifest.counts and manifest.counts["evidence_files"] == 1
    ids = _ids(target)
    assert before | {first} <= ids and len(ids) == manifest.counts["reports"]
    store = Store(target)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(evidence_files)).scalar_one() == 1
    store.dispose()


def test_a_restore_goes_only_into_an_empty_store_and_a_damaged_backup_is_refused(
    request, services, database_url, tmp_path
):
    services.reports.submit(report_payload())
    archive = tmp_path / "b.tar.gz"
    backup.create(database_url, archive, utcnow())
    with pytest.raises(backup.BackupError, match="empty"):
        backup.restore(archive, database_url)  # the live store itself: never overwritten
    assert len(_ids(database_url)) == 1
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(backup.BackupError):
        backup.restore(damaged, _empty_target(request, database_url, tmp_path))


def test_backup_and_restore_from_the_command_line(services, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the command line is the same for both; the store tests above run PostgreSQL")
    services.reports.submit(report_payload())
    env = {"DATA_DIR": str(services.settings.data_dir), "DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    made = data_feeds_cli(env, "backup", "create", "--out", str(tmp_path / "x.tar.gz"))
    assert made.returncode == 0 and "1 reports" in made.stdout and "(checked)" in made.stdout
    fresh = {"DATA_DIR": str(tmp_path / "new"), "PATH": "/usr/bin:/bin"}
    done = data_feeds_cli(fresh, "backup", "restore", str(tmp_path / "x.tar.gz"))
    assert done.returncode == 0, done.stderr
    assert len(_ids(f"sqlite:///{tmp_path / 'new' / 'liveroom.db'}")) == 1
    again = data_feeds_cli(fresh, "backup", "restore", str(tmp_path / "x.tar.gz"))
    assert again.returncode == 2 and "empty DATA_DIR" in again.stderr


def test_the_daily_backup_is_due_once_a_day_after_its_hour():
    at = "02:00"
    today_2am = datetime(2026, 12, 7, 2, 0, tzinfo=WIB)
    assert daily_backup.due(today_2am - timedelta(minutes=1), at, None)  # none yet: a new installation is covered now
    assert not daily_backup.due(today_2am - timedelta(minutes=1), at, today_2am - timedelta(hours=20))
    assert daily_backup.due(today_2am + timedelta(minutes=1), at, today_2am - timedelta(hours=20))
    assert daily_backup.due(today_2am + timedelta(hours=5), at, today_2am - timedelta(hours=20))
    assert not daily_backup.due(today_2am + timedelta(hours=5), at, today_2am + timedelta(minutes=3))
    assert not daily_backup.due(today_2am + timedelta(hours=5), "", None)  # off


def test_the_daily_backup_keeps_its_count_and_says_its_age(app, services, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("where the backup goes is the same for both backends")
    services.settings = services.settings.replace(backup_keep=2)
    http = app.server.test_client()
    assert http.get("/healthz").get_json()["backup"] == {"daily": True, "last": None, "overdue": True}
    services.reports.submit(report_payload())
    start = datetime(2026, 12, 1, 2, 5, tzinfo=timezone.utc)
    for day in range(3):
        daily_backup.take(services, start + timedelta(days=day))
    kept = sorted(p.name for p in services.settings.backups.glob("*.tar.gz"))
    assert len(kept) == 2 and kept[-1].startswith("liveroom-backup-20261203")
    health = http.get("/healthz").get_json()["backup"]
    assert health["last"]["file"] == kept[-1] and health["last"]["reports"] == 1 and health["overdue"] is True
    sign_in(http, services, "admin")
    page = http.get("/admin").get_data(as_text=True)
    assert "Cadangan terakhir:" in page and "1 laporan" in page
    assert kept[-1] in page and 'role="alert"' in page  # overdue: said as an alert
