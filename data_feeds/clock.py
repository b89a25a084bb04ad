"""The city's clock: WIB, and the one ISO 8601 form times travel in.

Everything is stored and computed in UTC; WIB (UTC+7, no daylight saving) is where a day
starts and how people read a time. On the wire a time is `iso_utc` (millisecond precision,
`Z`), except where a standard asks for the local offset (Open311: `iso_wib`).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
# Nothing the room deals with is older: a date before this is a sender's mistake (or year 0001), not history.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(dt: datetime | None) -> str | None:
    """2026-11-23T01:30:00.000Z."""
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z") if dt else None


def iso_wib(dt: datetime | None) -> str | None:
    """2026-11-23T08:30:00+07:00: ISO 8601 with the city's offset, as Open311's examples write times."""
    return dt.astimezone(WIB).isoformat(timespec="seconds") if dt else None


def wib_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(WIB).date()


def wib_day_start(now: datetime) -> datetime:
    """Midnight WIB of `now`'s day, in UTC: where "today" begins for the room."""
    local = now.astimezone(WIB)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
