"""Rows straight to the driver: one row's INSERT made before the write lock, many rows by executemany or a
binary COPY. Values converted a column at a time to what the driver takes."""

from __future__ import annotations

import functools
import json
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Float,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

from data_feeds.store.tables import FTS_INSERT_TRIGGER, UTCDateTime, reports


def sqlite_datetime(v: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME text, "2026-11-30 10:00:00.000000" (queries compare these strings): the first 26
    characters of the UTC isoformat, converted only when not UTC already."""
    if v is None:
        return None
    return (v if v.tzinfo is timezone.utc else v.astimezone(timezone.utc)).isoformat(" ", "microseconds")[:26]


def postgres_datetime(v: datetime | None) -> datetime | None:
    return None if v is None else v.astimezone(timezone.utc)


def json_text(v) -> str:
    return "[]" if not v else json.dumps(v)  # (None and [] alike: an empty list)


@functools.cache
def insert_plan(postgres: bool, table: Table, keys: frozenset[str]) -> tuple[tuple[str, ...], tuple]:
    """For rows giving `keys`: the columns to write (those given, and those with a Python-side default, as
    SQLAlchemy would fill them) and per column (name, converter to what the driver takes or None, default maker or
    None). Made once per table and shape: working this out per row was a tenth of a POST's time."""
    columns = [c for c in table.columns if c.name in keys or (c.default is not None and not c.primary_key)]
    plan = []
    for c in columns:
        convert = (
            (postgres_datetime if postgres else sqlite_datetime)
            if isinstance(c.type, UTCDateTime)
            else json_text
            if isinstance(c.type, JSON)
            else None
        )
        fill = None
        if c.name not in keys:  # only a default fills it
            fill = (lambda d=c.default: d.arg(None)) if c.default.is_callable else (lambda d=c.default: d.arg)
        plan.append((c.name, convert, fill))
    return tuple(c.name for c in columns), tuple(plan)


def driver_values(postgres: bool, table: Table, columns: dict[str, list]) -> tuple[tuple[str, ...], list[tuple]]:
    """The columns given (and those with a Python-side default) and the rows' values as the driver takes them,
    converted a column at a time (a moment that repeats down a column, the batch's own time, converted once)."""
    if not columns:
        return (), []
    count = len(next(iter(columns.values())))
    names, plan = insert_plan(postgres, table, frozenset(columns))
    out = []
    for name, convert, fill in plan:
        values = columns[name] if name in columns else [fill() for _ in range(count)]
        if convert is json_text or convert is None:
            out.append(list(map(convert, values)) if convert else values)
            continue
        seen: dict = {}
        out.append([seen[v] if v in seen else seen.setdefault(v, convert(v)) for v in values])
    return names, list(zip(*out, strict=True))


def insert_sql(postgres: bool, table: Table, row: dict, returning_id: bool = False) -> tuple[str, tuple]:
    """One row's INSERT and its values as the driver takes them: made before the write lock is taken."""
    names, plan = insert_plan(postgres, table, frozenset(row))
    values = tuple(converted(convert, fill() if fill else row[name]) for name, convert, fill in plan)
    return insert_text(postgres, table, names, returning_id), values


def converted(convert, value):
    return convert(value) if convert else value


@functools.cache
def insert_text(postgres: bool, table: Table, names: tuple[str, ...], returning_id: bool) -> str:
    marks = ", ".join(["%s"] * len(names)) if postgres else ", ".join("?" * len(names))
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})" + (
        " RETURNING id" if returning_id and postgres else ""
    )


def run_insert(conn: Connection, sql: str, values: tuple, returning_id: bool = False) -> int | None:
    """Straight to the driver (the live intake's hot path: SQLAlchemy's statement machinery was ~0.1 ms a
    statement, several per report, inside the write lock). -> the new row's id when asked."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            cur.execute(sql, values)
            return cur.fetchone()[0] if returning_id else None
    cur = raw.execute(sql, values)
    return cur.lastrowid if returning_id else None


def bulk_insert(
    conn: Connection, table: Table, names: tuple[str, ...], values: list[tuple], deferred_text: bool = False
) -> None:
    """Many rows at the driver's speed (values as `driver_values` made them): sqlite3's executemany or PostgreSQL's
    COPY (SQLAlchemy's per-row bind processing was ~40 % of a bulk import). Same transaction as `conn`.
    deferred_text: inside Store.bulk_load (the text index is built at its end)."""
    if not values:
        return
    postgres = conn.dialect.name == "postgresql"
    raw = conn.connection.driver_connection
    if postgres:
        # binary: the server takes numbers and moments as they are, where text it would parse (a third of its time)
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(copy_types(table, names))
            for v in values:
                copy.write_row(v)
        return
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    fts = (
        table is reports
        and not deferred_text
        and conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'reports_fts_insert'").first()
    )
    if not fts:
        raw.executemany(sql, values)
        return
    # The full-text index's per-row trigger costs more than the row itself: for a batch, the trigger is set aside
    # inside this transaction and the new rows are indexed in one statement (nobody sees the schema without it).
    first = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM reports").scalar_one()
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS reports_fts_insert")
    raw.executemany(sql, values)
    conn.exec_driver_sql(
        "INSERT INTO reports_fts(rowid, source_ref, title, description) "
        "SELECT rowid, source_ref, title, description FROM reports WHERE rowid > ?",
        (first,),
    )
    conn.exec_driver_sql(FTS_INSERT_TRIGGER)


@functools.cache
def copy_types(table: Table, names: tuple[str, ...]) -> list[str]:
    """PostgreSQL's names of the columns' types, for a binary COPY. JSON goes as the text `json_text` made (json's
    binary form is its text; declared json, psycopg would encode the text again)."""

    def pg_type(kind) -> str:
        for python_type, name in (
            (UTCDateTime, "timestamptz"),
            (JSON, "text"),
            (Text, "text"),
            (String, "varchar"),
            (Float, "float8"),
            (Integer, "int4"),
        ):
            if isinstance(kind, python_type):
                return name
        raise TypeError(f"no COPY type for {kind!r}")

    return [pg_type(table.c[name].type) for name in names]


def chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def parse_ts(value) -> datetime:
    """SQLite's max() returns the stored text, not a datetime."""
    dt = datetime.fromisoformat(str(value))
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt


def columns_of(rows: list[dict]) -> dict[str, list]:
    """Rows -> columns; a column some rows lack is None in them (as a missing key always was)."""
    names = dict.fromkeys(k for row in rows for k in row)
    return {k: [row.get(k) for row in rows] for k in names}
