"""The id a person quotes: the source's own (LKS-2026-000123) where it sent one, otherwise a short one given at
intake, LR-<year>-<number> (the year the room received it, WIB; numbers counted per year, six digits or more).
The internal id (a ULID) is still taken by every door; it is never what a page shows."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import bindparam, text, update
from sqlalchemy.engine import Connection

from data_feeds.clock import WIB
from data_feeds.store import reports

PREFIX = "LR"
HUMAN_ID = re.compile(r"^LR-(\d{4})-(\d{6,9})$", re.IGNORECASE)


def prefix_for(received_at: datetime) -> str:
    """The counter a report received at this moment draws from: "LR-2026"."""
    return f"{PREFIX}-{received_at.astimezone(WIB).year}"


def spelled(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def normal(ref: str) -> str | None:
    """A quoted human id as stored (upper case, as typed otherwise), or None when `ref` is not one."""
    return ref.upper() if HUMAN_ID.match(ref) else None


def of(report: dict) -> str:
    """The id to show for a stored row (source_ref/human_ref) or a public report (source_id/human_id)."""
    return (
        report.get("human_id")
        or report.get("source_ref")
        or report.get("source_id")
        or report.get("human_ref")
        or report["id"]
    )


def reserve(conn: Connection, prefix: str, count: int) -> int:
    """`count` consecutive numbers under `prefix`, in the caller's write transaction (its row lock, or SQLite's one
    writer, keeps two intakes from drawing the same). -> the first."""
    last = conn.execute(
        text(
            "INSERT INTO report_numbers (prefix, last) VALUES (:prefix, :count) ON CONFLICT (prefix) "
            "DO UPDATE SET last = report_numbers.last + :count RETURNING last"
        ),
        {"prefix": prefix, "count": count},
    ).scalar_one()
    return last - count + 1


def number(conn: Connection, report_ids: list[str], received_at: datetime) -> None:
    """Human ids for reports stored without a sender's id, in the order given, in the caller's transaction."""
    if not report_ids:
        return
    prefix = prefix_for(received_at)
    first = reserve(conn, prefix, len(report_ids))
    conn.execute(
        update(reports).where(reports.c.id == bindparam("rid")).values(human_ref=bindparam("ref")),
        [{"rid": rid, "ref": spelled(prefix, first + k)} for k, rid in enumerate(report_ids)],
    )
