"""Finding reports: one set of filters for the report browser, `GET /api/v1/reports` and the exports,
read from a URL's query and run in the store (indexes, full-text search, keyset pages), never in a browser.

    ?status=baru,diproses&category=banjir&opd=dpupr&kecamatan=Karawaci&kelurahan=36.71.07.1014
    &source=laksa&from=2026-11-01&to=2026-11-30&sla=overdue&q=banjir&limit=50&cursor=...

Lists are comma-separated; a kecamatan or kelurahan by name or Kemendagri code; `from`/`to` are WIB days,
both inclusive; `sla` is `overdue` (a running SLA clock is past) or `soon` (under a quarter of it left);
`q` searches the source's own id, the title and the description (words, each as a prefix; SQLite FTS5,
PostgreSQL full-text search). Newest first; `order=due`: the open reports only, the nearest SLA due time first
(overdue first: the queue). `cursor` continues after the last row of the previous page, in the same order.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, false, or_, tuple_

from data_feeds.clock import WIB
from data_feeds.refusal import Kind, Refusal
from data_feeds.store import reports
from geodata.gazetteer import Gazetteer

from . import lifecycle, sla
from .categories import RoutingTable

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_QUERY = 200
SLA_FILTERS = ("overdue", "soon")
ORDERS = ("newest", "due")
FILTER_ARGS = ("status", "category", "opd", "kecamatan", "kelurahan", "source", "from", "to", "sla", "q")


@dataclass(frozen=True)
class ReportQuery:
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    opds: tuple[str, ...] = ()
    kecamatan: tuple[str, ...] = ()  # codes
    kelurahan: tuple[str, ...] = ()  # codes
    sources: tuple[str, ...] = ()
    date_from: date | None = None  # WIB day, inclusive
    date_to: date | None = None  # WIB day, inclusive
    sla: str | None = None  # overdue | soon
    q: str = ""
    order: str = "newest"  # newest | due (open reports, nearest due first)
    assignee: str | None = None  # only those assigned to this person (the queue's "mine")
    scope_source: str | None = field(
        default=None, compare=False
    )  # the reader's own limits (access.viewer.report_filter)
    scope_opds: frozenset[str] | None = field(default=None, compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str], routing: RoutingTable, gz: Gazetteer) -> ReportQuery:
        """The filters of a query string; a Refusal (invalid) naming the argument for anything not understood."""

        def listed(name: str) -> list[str]:
            raw = args.get(name) or ""
            if not isinstance(raw, str) or len(raw) > 2000:
                raise Refusal.one(Kind.INVALID, name, "is too long")
            return [part.strip() for part in raw.split(",") if part.strip()]

        def known(name: str, values: list[str], choices) -> tuple[str, ...]:
            unknown = [v for v in values if v not in choices]
            if unknown:
                raise Refusal.one(Kind.INVALID, name, f"unknown {name} {unknown[0]!r}; one of: {', '.join(choices)}")
            return tuple(values)

        kecamatan = []
        for text in listed("kecamatan"):
            place = gz.find_kecamatan(text)
            if place is None:
                raise Refusal.one(Kind.INVALID, "kecamatan", f"no kecamatan {text!r} in Kota Tangerang")
            kecamatan.append(place.code)
        kelurahan = []
        for text in listed("kelurahan"):
            found = gz.find_kelurahan(text)
            if len(found) != 1:
                raise Refusal.one(
                    Kind.INVALID,
                    "kelurahan",
                    f"no kelurahan {text!r} in Kota Tangerang"
                    if not found
                    else f"{text!r} names several kelurahan; give its code",
                )
            kelurahan.append(found[0].code)
        q = args.get("q") or ""
        if not isinstance(q, str) or len(q) > MAX_QUERY:
            raise Refusal.one(Kind.INVALID, "q", f"at most {MAX_QUERY} characters")
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in q):
            raise Refusal.one(Kind.INVALID, "q", "contains a control character")
        sla_filter = args.get("sla") or None
        if sla_filter is not None and sla_filter not in SLA_FILTERS:
            raise Refusal.one(Kind.INVALID, "sla", f"one of: {', '.join(SLA_FILTERS)}")
        order = args.get("order") or "newest"
        if order not in ORDERS:
            raise Refusal.one(Kind.INVALID, "order", f"one of: {', '.join(ORDERS)}")
        start, end = day_arg(args, "from"), day_arg(args, "to")
        if start and end and end < start:
            raise Refusal.one(Kind.INVALID, "to", "is before from")
        return cls(
            statuses=known("status", listed("status"), lifecycle.STATUSES),
            categories=known("category", listed("category"), list(routing.categories)),
            opds=known("opd", listed("opd"), list(routing.opds)),
            kecamatan=tuple(kecamatan),
            kelurahan=tuple(kelurahan),
            sources=known("source", listed("source"), list(routing.sources)),
            date_from=start,
            date_to=end,
            sla=sla_filter,
            q=" ".join(q.split()),
            order=order,
        )

    def scoped(self, source: str | None, opds: frozenset[str] | None) -> ReportQuery:
        """The same filters, narrowed to what the reader may see."""
        return ReportQuery(**{**self.__dict__, "scope_source": source, "scope_opds": opds})

    def conditions(self, routing: RoutingTable, now: datetime) -> list:
        r = reports.c
        where = []
        for column, values in (
            (r.status, self.statuses),
            (r.category, self.categories),
            (r.opd, self.opds),
            (r.kode_kec, self.kecamatan),
            (r.kode_kel, self.kelurahan),
            (r.source, self.sources),
        ):
            if values:
                where.append(column.in_(values))
        if self.date_from:
            where.append(r.reported_at >= datetime.combine(self.date_from, time.min, WIB))
        if self.date_to:
            where.append(r.reported_at < datetime.combine(self.date_to, time.min, WIB) + timedelta(days=1))
        if self.sla:
            # only open reports run a clock: said outright, the store reads the few open ones by the status index
            where += [r.status.in_(("baru", "diproses")), _sla_clause(self.sla, routing, now)]
        if self.order == "due":
            where.append(r.due_at.is_not(None))  # only an open report has one
        if self.assignee is not None:
            where.append(r.assignee == self.assignee)
        if self.scope_source is not None:
            where.append(r.source == self.scope_source)
        if self.scope_opds is not None:
            where.append(r.opd.in_(sorted(self.scope_opds)) if self.scope_opds else false())
        return where

    def to_args(self) -> dict[str, str]:
        """The query string that gives these filters back (for links and the export's title)."""
        out = {
            "status": ",".join(self.statuses),
            "category": ",".join(self.categories),
            "opd": ",".join(self.opds),
            "kecamatan": ",".join(self.kecamatan),
            "kelurahan": ",".join(self.kelurahan),
            "source": ",".join(self.sources),
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "sla": self.sla or "",
            "q": self.q,
            "order": "" if self.order == "newest" else self.order,
        }
        return {k: v for k, v in out.items() if v}


def day_arg(args: Mapping[str, str], name: str) -> date | None:
    raw = args.get(name)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None or day.year < 2000 or day.year > 2100:
        raise Refusal.one(Kind.INVALID, name, "a day as YYYY-MM-DD (WIB)")
    return day


def _sla_clause(which: str, routing: RoutingTable, now: datetime):
    """Open reports whose nearest running clock is past (overdue) or has under WARN_FRACTION of its span left
    (soon), as in sla.clock_state: a `baru` report runs its response clock, a `diproses` one its resolution clock."""
    r = reports.c
    parts = []
    for code, cat in routing.categories.items():
        for status, hours in (
            ("baru", min(cat.sla_response_hours, cat.sla_resolution_hours)),
            ("diproses", cat.sla_resolution_hours),
        ):
            span = timedelta(hours=hours)
            if which == "overdue":
                window = r.reported_at < now - span
            else:
                window = and_(r.reported_at >= now - span, r.reported_at <= now - span * (1 - sla.WARN_FRACTION))
            parts.append(and_(r.category == code, r.status == status, window))
    return or_(*parts)


ARRIVAL_WINDOW = timedelta(days=2)


def arrived_since(moment: datetime) -> list:
    """Reports that came in after `moment` (the report browser's "new since you opened it"): received after it
    and reported at most ARRIVAL_WINDOW before it, so a report filed late still counts, history imported in
    bulk does not, and the read stays within the time index's newest range."""
    return [reports.c.received_at > moment, reports.c.reported_at >= moment - ARRIVAL_WINDOW]


def arrived_after(report: dict, moment: datetime | None) -> bool:
    """The same rule for one report in the public shape (ReportService.public)."""
    if moment is None:
        return False
    received = datetime.fromisoformat(report["received_at"].replace("Z", "+00:00"))
    reported = datetime.fromisoformat(report["reported_at"].replace("Z", "+00:00"))
    return received > moment and reported >= moment - ARRIVAL_WINDOW


def fts_terms(q: str) -> list[str]:
    """The words of a search, as the index holds them (letters and digits; a LAKSA id is its parts)."""
    return [w.lower() for w in re.findall(r"\w+", q, flags=re.UNICODE)][:12]


def encode_cursor(row: dict, by_due: bool = False) -> str:
    """Where a page ended: (reported_at, id), or for the queue's order (due_at, id, "due"). The moment to the
    microsecond, as stored (to the millisecond, the next page began with the row this one ended on)."""
    key = [_exact(row["due_at"]), row["id"], "due"] if by_due else [_exact(row["reported_at"]), row["id"]]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _exact(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def decode_cursor(cursor: str | None, by_due: bool = False) -> tuple[datetime, str] | None:
    """A cursor `encode_cursor` gave for the same order; anything else is refused (never a page from elsewhere)."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(key, list) or len(key) != (3 if by_due else 2) or (by_due and key[2] != "due"):
            raise ValueError("another order's cursor")
        return datetime.fromisoformat(key[0].replace("Z", "+00:00")), str(key[1])
    except (ValueError, TypeError, UnicodeDecodeError, AttributeError):
        raise Refusal.one(Kind.INVALID, "cursor", "is not a cursor this API gave") from None


def page_limit(args: Mapping[str, str]) -> int:
    raw = args.get("limit") or str(DEFAULT_LIMIT)
    if not isinstance(raw, str) or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Refusal.one(Kind.INVALID, "limit", f"a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def keyset(after: tuple[datetime, str] | None, oldest_first: bool = False, by_due: bool = False) -> list:
    """Rows after the cursor's (reported_at, id) in the page order: newest first, or oldest first; or after its
    (due_at, id) in the queue's order."""
    if after is None:
        return []
    cursor = tuple_(after[0], after[1])
    if by_due:
        return [tuple_(reports.c.due_at, reports.c.id) > cursor]
    here = tuple_(reports.c.reported_at, reports.c.id)
    return [here > cursor if oldest_first else here < cursor]


def queue_counts(now: datetime) -> dict[str, list]:
    """The queue's three counts, each as conditions beside the reader's: past due, due within two hours, due later
    today (WIB)."""
    due = reports.c.due_at
    end_of_day = datetime.combine(now.astimezone(WIB).date() + timedelta(days=1), time.min, WIB)
    soon = now + timedelta(hours=2)
    return {
        "overdue": [due < now],
        "two_hours": [due >= now, due < soon],
        "today": [due >= soon, due < end_of_day] if soon < end_of_day else [false()],
    }
