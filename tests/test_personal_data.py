"""Personal data under UU 27/2022 (issue 27): reporters' names and phones encrypted at rest (a copied database file
or backup reveals no phone number), found for a subject's access request, erased on request and a set time after
the report closed, every erasure audited. On SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import os
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from data_feeds.clock import utcnow
from data_feeds.reports.personal import Sealer, canonical_phone
from data_feeds.store import backup, reports
from tests.helpers import data_feeds_cli, report_payload, stored_report

pytestmark = pytest.mark.store

SITI = {"name": "Siti Aminah", "phone": "+62 812 1234 5678"}


def submit(services, reporter=SITI, **kw) -> str:
    return services.reports.submit(report_payload(reporter=reporter, **kw))[0]["id"]


def raw_rows(services) -> list[dict]:
    with services.store.read() as conn:
        return [dict(r) for r in conn.execute(select(reports)).mappings()]


def test_a_reporter_is_encrypted_at_rest_in_the_store_and_in_a_backup(services, database_url, tmp_path):
    rid = submit(services)
    for row in raw_rows(services):
        assert row["reporter_name"] is None and row["reporter_phone"] is None
        assert "Siti" not in (row["reporter_sealed"] or "") and "1234" not in (row["reporter_sealed"] or "")
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[1]
        raw = b"".join(open(f, "rb").read() for f in (path, path + "-wal") if os.path.exists(f))  # every byte on disk
        assert b"Siti" not in raw and b"1234 5678" not in raw
    archive = tmp_path / "b.tar.gz"
    backup.create(database_url, archive, utcnow())
    opened = gzip.decompress(archive.read_bytes())
    assert b"Siti" not in opened and b"1234 5678" not in opened
    assert stored_report(services, rid)["reporter"] == SITI  # the room still reads it, with the key


def test_a_seal_opens_only_with_its_key_and_the_phone_index_ignores_how_it_was_written():
    mine, other = Sealer("kunci-kota"), Sealer("kunci-lain")
    sealed = mine.seal("Siti", "0812-1234-5678")
    assert mine.reporter({"reporter_sealed": sealed}) == {"name": "Siti", "phone": "0812-1234-5678"}
    assert other.reporter({"reporter_sealed": sealed}) == {"name": None, "phone": None}  # nothing, never an error
    assert canonical_phone("0812-1234-5678") == canonical_phone("+62 812 1234 5678") == "6281212345678"
    assert (
        mine.phone_index("0812 1234 5678")
        == mine.phone_index("+62-812-1234-5678")
        != other.phone_index("+62 812 1234 5678")
    )


def test_a_subject_gets_what_is_held_about_them_and_it_is_audited(services):
    first = submit(services, reporter={"name": "Siti Aminah", "phone": "0812-1234-5678"})
    second = submit(services)
    submit(services, reporter={"name": "Budi", "phone": "0813 9999 0000"})
    env = {"DATA_DIR": str(services.settings.data_dir), "DATABASE_URL": services.settings.database_url}
    out = data_feeds_cli(env, "privacy", "export", "--phone", "+6281212345678")
    assert out.returncode == 0, out.stderr
    held = json.loads(out.stdout)["reports"]
    assert [h["report_id"] for h in held] == [first, second]
    assert held[0]["reporter"] == {"name": "Siti Aminah", "phone": "0812-1234-5678"}
    (row,) = [r for r in services.store.audit_log() if r["action"] == "privacy_export"]
    assert row["actor_kind"] == "cli" and row["detail"] == "2 reports" and "1234" not in json.dumps(row, default=str)


def test_erasure_on_request_removes_the_reporter_and_audits_each_report(services):
    first, second = submit(services), submit(services, reporter={"name": "Siti", "phone": "081212345678"})
    other = submit(services, reporter={"name": "Budi", "phone": "0813 9999 0000"})
    env = {"DATA_DIR": str(services.settings.data_dir), "DATABASE_URL": services.settings.database_url}
    out = data_feeds_cli(env, "privacy", "erase", "--phone", "0812 1234 5678")
    assert out.returncode == 0 and "erased the reporter of 2 reports" in out.stdout
    assert (
        stored_report(services, first)["reporter"]
        == stored_report(services, second)["reporter"]
        == {
            "name": None,
            "phone": None,
        }
    )
    assert stored_report(services, other)["reporter"]["name"] == "Budi"
    assert services.reports.get(first)["title"]  # the report itself stays: only who sent it goes
    audits = [(r["report_id"], r["actor_kind"]) for r in services.store.audit_log() if r["action"] == "personal_erased"]
    assert sorted(audits) == sorted([(first, "cli"), (second, "cli")])
    assert data_feeds_cli(env, "privacy", "erase", "--report", other).stdout.startswith("erased the reporter of 1")


def test_the_live_worker_erases_reporters_a_set_time_after_the_report_closed(services):
    old_closed, old_open, recent_closed = submit(services), submit(services), submit(services)
    for rid in (old_closed, recent_closed):
        services.reports.change_status(rid, {"status": "ditolak", "note": "Bukan kewenangan kota"}, by=None)
    long_ago = utcnow() - timedelta(days=731)
    with services.store.write() as conn:
        conn.execute(update(reports).where(reports.c.id.in_([old_closed, old_open])).values(updated_at=long_ago))
    erased = services.personal_data.erase_expired(730)
    assert erased == [old_closed]
    assert stored_report(services, old_closed)["reporter"]["phone"] is None
    assert stored_report(services, old_open)["reporter"] == stored_report(services, recent_closed)["reporter"] == SITI
    (row,) = [r for r in services.store.audit_log() if r["action"] == "personal_erased"]
    assert row["report_id"] == old_closed and row["actor_kind"] == "system" and "730 days" in row["detail"]
    assert services.personal_data.erase_expired(730) == []  # nothing twice


def test_reporters_written_in_plain_text_by_an_older_version_are_sealed(services):
    rid = submit(services)
    with services.store.write() as conn:  # as an older version wrote it
        conn.execute(
            update(reports)
            .where(reports.c.id == rid)
            .values(reporter_sealed=None, reporter_phone_index=None, reporter_name="Siti", reporter_phone="0812")
        )
    assert stored_report(services, rid)["reporter"] == {"name": "Siti", "phone": "0812"}  # read either way
    assert services.personal_data.seal_legacy() == 1
    (row,) = raw_rows(services)
    assert row["reporter_name"] is None and row["reporter_phone"] is None and row["reporter_sealed"]
    assert stored_report(services, rid)["reporter"] == {"name": "Siti", "phone": "0812"}
    assert services.personal_data.seal_legacy() == 0
