"""Connections: SQLite with its pragmas (WAL, a commit on disk before an answer) or PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import (
    create_engine,
    event,
)
from sqlalchemy.engine import Engine


def sqlite_engine(url: str, immediate: bool, durable: bool = True) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=20, max_overflow=40)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before we answer 201. NORMAL (WAL: safe from a process crash, a power cut may
        # lose the last commits) only for a store that writes what can be written again (Store(durable=False))
        cur.execute("PRAGMA synchronous=FULL" if durable else "PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Writers take the lock up front: a deferred read-then-write transaction can fail
        # with SQLITE_BUSY_SNAPSHOT, which no busy timeout retries.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def owner_only(db_file: Path) -> None:
    """The database holds reporters' names and phones: readable by its owner only. SQLite gives its -wal and
    -shm files the database file's permissions. An existing file is never opened here: closing any descriptor
    of a database file drops every POSIX lock this process's SQLite connections hold on it."""
    try:
        os.close(os.open(db_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    os.chmod(db_file, 0o600)
