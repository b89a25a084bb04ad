"""Backups of the whole store (reports, events, evidence, people, keys, figures, audit) and their restore.

A backup is one `.tar.gz` holding `manifest.json` (what it is: the backend, when, every table's row count) and the
database: an SQLite copy made by SQLite's online backup API (writers go on meanwhile; the copy is one consistent
moment), or a PostgreSQL custom-format `pg_dump` taken on an exported snapshot, so the counts in the manifest are
the dump's own. Evidence is in the database (reports/evidence_store.py): the backup holds it. Every backup is
checked after it is written: the SQLite copy opened and counted again, the dump listed by `pg_restore --list`.

A restore goes only into an empty store (a new DATA_DIR's database, or a database with no tables) and is counted
against the manifest before it is called done.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from data_feeds.store.tables import metadata

MANIFEST = "manifest.json"
SQLITE_MEMBER, PG_MEMBER = "liveroom.db", "liveroom.pgdump"
FORMAT = 1


class BackupError(Exception):
    """A backup that could not be written or checked, or a restore that would not be safe (said in the message)."""


@dataclass(frozen=True)
class Manifest:
    format: int
    backend: str  # sqlite | postgresql
    created_at: str  # ISO UTC
    counts: dict[str, int]  # rows per table

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=1, sort_keys=True).encode()


def _tables() -> list[str]:
    return [t.name for t in metadata.sorted_tables]


def _libpq(url: str) -> str:
    """A SQLAlchemy URL as pg_dump and pg_restore take it (postgresql://..., no driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite store has nothing to back up")
    return Path(path)


def _count_sqlite(path: Path) -> dict[str, int]:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path.name}: SQLite's quick_check failed")
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in _tables() if t in have}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name}: not a readable SQLite database ({exc})") from None


def _pack(out: Path, manifest: Manifest, member: Path, member_name: str) -> None:
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with tarfile.open(tmp, "w:gz") as tar:
        info = tarfile.TarInfo(MANIFEST)
        data = manifest.to_json()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        tar.add(member, arcname=member_name)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, out)  # a backup is there whole or not at all
    out.chmod(0o600)  # it holds everything the store holds


def create(database_url: str, out: Path, now: datetime) -> Manifest:
    """Write a backup of the store at `database_url` to `out` (checked before this returns). -> its manifest."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        if make_url(database_url).get_backend_name() == "sqlite":
            copy = Path(work) / SQLITE_MEMBER
            source = sqlite3.connect(_sqlite_path(database_url))
            target = sqlite3.connect(copy)
            try:
                source.backup(target)  # SQLite's online backup: a consistent copy while writers go on
            finally:
                target.close()
                source.close()
            manifest = Manifest(FORMAT, "sqlite", now.isoformat(), _count_sqlite(copy))
            _pack(out, manifest, copy, SQLITE_MEMBER)
        else:
            dump = Path(work) / PG_MEMBER
            manifest = Manifest(FORMAT, "postgresql", now.isoformat(), _pg_dump(database_url, dump))
            _pack(out, manifest, dump, PG_MEMBER)
    verify(out)
    return manifest


def _pg_dump(database_url: str, dump: Path) -> dict[str, int]:
    """pg_dump on a snapshot exported by a transaction that counts the rows: the counts are the dump's."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            have = set(inspect(conn).get_table_names())
            counts = {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables
                if t.name in have
            }
            done = subprocess.run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner", "-f", str(dump),
                 _libpq(database_url)],
                capture_output=True,
                text=True,
            )  # fmt: skip
            conn.execute(text("COMMIT"))
    finally:
        engine.dispose()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    return counts


def read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            raw = tar.extractfile(MANIFEST)
            doc = json.loads(raw.read()) if raw else None
    except (OSError, EOFError, tarfile.TarError, KeyError, json.JSONDecodeError, zlib.error) as exc:
        raise BackupError(f"{archive}: not a backup of this product ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BackupError(f"{archive}: not a backup this version reads")
    return Manifest(doc["format"], doc["backend"], doc["created_at"], doc["counts"])


def _extract(archive: Path, member: str, into: Path) -> Path:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            source = tar.extractfile(member)
            if source is None:
                raise BackupError(f"{archive}: {member} is missing")
            target = into / member
            with open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    except (OSError, EOFError, tarfile.TarError, KeyError, zlib.error) as exc:
        raise BackupError(f"{archive}: damaged or cut short ({exc})") from None
    return target


def verify(archive: Path) -> Manifest:
    """Open what the backup holds and check it against its manifest (SQLite: counted again; PostgreSQL: listed)."""
    manifest = read_manifest(archive)
    with tempfile.TemporaryDirectory() as work:
        if manifest.backend == "sqlite":
            found = _count_sqlite(_extract(archive, SQLITE_MEMBER, Path(work)))
            if found != manifest.counts:
                raise BackupError(f"{archive}: the copy holds {found}, the manifest says {manifest.counts}")
        else:
            listed = subprocess.run(
                ["pg_restore", "--list", str(_extract(archive, PG_MEMBER, Path(work)))], capture_output=True, text=True
            )
            missing = [t for t in manifest.counts if f"TABLE DATA public {t} " not in listed.stdout]
            if listed.returncode != 0 or missing:
                raise BackupError(f"{archive}: the dump does not list {missing or listed.stderr.strip()[:300]}")
    return manifest


def restore(archive: Path, database_url: str) -> Manifest:
    """Restore a backup into an empty store; counted against the manifest. -> the manifest."""
    manifest = verify(archive)
    backend = make_url(database_url).get_backend_name()
    if backend != manifest.backend:
        raise BackupError(f"{archive} is a {manifest.backend} backup; DATABASE_URL is {backend}")
    if backend == "sqlite":
        path = _sqlite_path(database_url)
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"{path} exists: restore into an empty DATA_DIR (or move the store aside first)")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as work:
            os.replace(_extract(archive, SQLITE_MEMBER, Path(work)), path)
        path.chmod(0o600)
        found = _count_sqlite(path)
    else:
        engine = create_engine(database_url)
        try:
            if inspect(engine).get_table_names():
                raise BackupError("the database has tables: restore into an empty database")
            with tempfile.TemporaryDirectory() as work:
                done = subprocess.run(
                    ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq(database_url),
                     str(_extract(archive, PG_MEMBER, Path(work)))],
                    capture_output=True,
                    text=True,
                )  # fmt: skip
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
            with engine.connect() as conn:
                found = {
                    t: conn.execute(select(func.count()).select_from(metadata.tables[t])).scalar_one()
                    for t in manifest.counts
                }
        finally:
            engine.dispose()
    if found != manifest.counts:
        raise BackupError(f"restored {found}, the backup holds {manifest.counts}")
    return manifest


def prune(folder: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` backups in `folder` (by name: they are named by their time). -> those removed."""
    backups = sorted(folder.glob("liveroom-backup-*.tar.gz"))
    gone = backups[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def newest(folder: Path) -> tuple[Path, Manifest] | None:
    """The newest readable backup in `folder`, or None."""
    for path in sorted(folder.glob("liveroom-backup-*.tar.gz"), reverse=True):
        try:
            return path, read_manifest(path)
        except BackupError:
            continue
    return None


def name_for(now: datetime) -> str:
    return f"liveroom-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
