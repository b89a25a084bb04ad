"""Bulk import's fast lane: the common CSV rows of a batch, checked and built a column at a time.

A city's export is mostly plain rows: a known source and category, a title, coordinates, ISO times and a status
with its times. Checking those one pydantic model at a time, building a dict per row and converting it back to
columns for the store was most of an import's time. Here such rows are checked with plain comparisons, placed on
the map in one vectorised query for the batch, given their ids in one go, and handed to the store as columns.

The rules are the live ones, not a second set: this lane only vouches for a row it is sure the per-row path
(`Importer.check`: the contract's models, placement, the lifecycle's `decide`) accepts *and builds the same*, and
sends every row it doubts (an unusual column, a value it cannot be sure of, a time out of order) to that path,
which then says exactly what is wrong. `tests/test_bulk_fast_lane.py` holds it to that with generated rows.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timezone

from data_feeds.clock import EARLIEST
from data_feeds.reports.batch import ReportColumns
from data_feeds.reports.personal import ERASED, Sealer
from data_feeds.validation import _CONTROL_IN_LINE, _CONTROL_IN_TEXT, _INVISIBLE, _SEPARATORS, _check_url

from . import sla
from .contract import url_kind
from .csv_cells import csv_number, split_list
from .evidence_store import SITE_URL
from .lifecycle import CLOCK_SKEW
from .service import FUTURE_SKEW, new_report_ids

# The columns this lane reads; a file with any other column goes the per-row way whole.
FAST_COLUMNS = frozenset(
    {
        "id",
        "source",
        "category",
        "title",
        "description",
        "lat",
        "lon",
        "address",
        "reporter_name",
        "reporter_phone",
        "reported_at",
        "status",
        "opd",
        "responded_at",
        "resolved_at",
        "evidence",
        "note",
        "actor",
    }
)
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9._:\-]")  # (the contract's pattern for a sender's id, as what it refuses)
_PHONE = re.compile(r"\+?[0-9 ()-]{6,32}")
# What makes a text value doubtful: a control character (refused there) or an invisible one (taken out there).
_ODD_IN_LINE = re.compile(f"{_CONTROL_IN_LINE.pattern}|{_INVISIBLE.pattern}|{_SEPARATORS.pattern}")
_ODD_IN_TEXT = re.compile(f"{_CONTROL_IN_TEXT.pattern}|{_INVISIBLE.pattern}|{_SEPARATORS.pattern}|\r")
# The one shape of time this lane reads itself (RFC 3339 with seconds and an offset); any other goes the per-row way.
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})")


class _Doubt(Exception):
    """This row goes the per-row way."""


def _odd(values: list[str], pattern: re.Pattern, bad: bytearray, between: str = " ") -> None:
    """Mark the values `pattern` finds something in: one scan over the column (joined by `between`, which the
    pattern must not find), not one call per value."""
    joined = between.join(values)
    found = pattern.search(joined)
    if found is None:
        return
    starts, at = [], 0
    for value in values:
        starts.append(at)
        at += len(value) + 1
    for hit in pattern.finditer(joined, found.start()):
        bad[bisect_right(starts, hit.start()) - 1] = 1


def _lengths(values: list[str], least: int, most: int, bad: bytearray) -> None:
    for k, value in enumerate(values):
        if not least <= len(value) <= most:
            bad[k] = 1


def _coordinate(value: str, low: float, high: float) -> float:
    number = csv_number(value)
    if not isinstance(number, float) or not math.isfinite(number) or not low <= number <= high:
        raise _Doubt
    return number


def _moment(value: str, latest: datetime) -> datetime:
    if not _MOMENT.fullmatch(value):
        raise _Doubt
    try:
        moment = datetime.fromisoformat(value).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise _Doubt from None
    if moment < EARLIEST or moment > latest:
        raise _Doubt
    return moment


def _evidence(value: str) -> list[dict]:
    """The evidence cell as the resolving event stores it: each item a URL whose photo/video kind is told."""
    items = split_list(value)
    if not items or len(items) > 20:
        raise _Doubt
    out = []
    for url in items:
        if len(url) > 2000 or not (SITE_URL.match(url) or _is_plain_url(url)):
            raise _Doubt
        kind = url_kind(url)
        if kind is None:
            raise _Doubt
        out.append({"url": url, "type": kind})
    return out


def _is_plain_url(url: str) -> bool:
    if _ODD_IN_LINE.search(url):
        return False
    try:
        return _check_url(url) == url
    except ValueError:
        return False


@dataclass
class FastRows:
    """What the lane vouches for: the rows as the store takes them, and per row its file line and
    (source, sender's id) for the import's repeated-id check."""

    columns: ReportColumns
    lines: list[int]
    keys: list[tuple[str, str | None]]


class FastLane:
    def __init__(self, routing, locator, header: list[str], default_source: str | None, sealer: Sealer):
        self.routing, self.locator, self.default_source, self.sealer = routing, locator, default_source, sealer
        self.usable = bool(header) and len(set(header)) == len(header) and set(header) <= FAST_COLUMNS
        self.width = len(header)
        self.at = {name: header.index(name) if name in header else None for name in FAST_COLUMNS}

    def split(self, records: list[tuple[int, list[str]]], now: datetime) -> tuple[FastRows, list[int]]:
        """-> (the rows it vouches for, built; positions in `records` of those it doubts, in order): the report's
        own fields checked a column at a time, then coordinates, times and history a value at a time, then every
        point placed on the map in one query."""
        if not self.usable:
            return self._built([], [], {}, [], now), list(range(len(records)))
        rows = [(pos, line, cells) for pos, (line, cells) in enumerate(records) if len(cells) == self.width]
        doubted = {pos for pos, (_line, cells) in enumerate(records) if len(cells) != self.width}
        bad = bytearray(len(rows))

        def column(name: str) -> list[str]:
            i = self.at[name]
            return [cells[i].strip() for _pos, _line, cells in rows] if i is not None else [""] * len(rows)

        fields = self._fields(column, bad)
        lats, lons, reported, histories = self._values(column, bad, now)
        kept = [k for k in range(len(rows)) if not bad[k]]
        doubted.update(rows[k][0] for k in range(len(rows)) if bad[k])
        # placed on the map in one query; a point outside the city goes the per-row way (which says how far)
        places: dict[int, tuple[str, str]] = {}
        if kept:
            placed = []
            for j, (k, idx) in enumerate(zip(kept, self.locator.assign(lons, lats), strict=True)):
                if idx < 0:
                    doubted.add(rows[k][0])
                else:
                    places[k] = self.locator.codes(int(idx))
                    placed.append(j)
            if len(placed) < len(kept):
                kept, lats, lons, reported, histories = (
                    [values[j] for j in placed] for values in (kept, lats, lons, reported, histories)
                )
        picked = {name: [values[k] for k in kept] for name, values in fields.items()}
        picked.update(lat=lats, lon=lons, reported_at=reported)
        return self._built(kept, [rows[k][1] for k in kept], picked, histories, now, places), sorted(doubted)

    def _fields(self, column, bad: bytearray) -> dict[str, list[str]]:
        """The report's own fields, checked a column at a time; a row with an odd value is marked in `bad`."""
        ids, titles, texts = column("id"), column("title"), column("description")
        addresses, names, phones = column("address"), column("reporter_name"), column("reporter_phone")
        _lengths(ids, 0, 80, bad)
        _odd(ids, _NOT_IN_ID, bad, between=".")
        _lengths(titles, 3, 200, bad)
        _lengths(texts, 0, 5000, bad)
        _lengths(addresses, 0, 300, bad)
        _lengths(names, 0, 120, bad)
        for values, pattern in (
            (titles, _ODD_IN_LINE),
            (texts, _ODD_IN_TEXT),
            (addresses, _ODD_IN_LINE),
            (names, _ODD_IN_LINE),
        ):
            _odd(values, pattern, bad)
        sources = [value or self.default_source or "" for value in column("source")]
        categories = column("category")
        for k, (source, category, phone) in enumerate(zip(sources, categories, phones, strict=True)):
            if (
                source not in self.routing.sources
                or category not in self.routing.categories
                or phone
                and not (len(phone) <= 32 and _PHONE.fullmatch(phone))
            ):
                bad[k] = 1
        return {
            "source_ref": ids,
            "source": sources,
            "category": categories,
            "title": titles,
            "description": texts,
            "address": addresses,
            "reporter_name": names,
            "reporter_phone": phones,
            "actor": column("actor"),
        }

    def _sealed(self, names: list, phones: list) -> dict[str, list]:
        """The reporters' columns, sealed a row at a time (reports/personal.py): nothing personal in plain text."""
        sealed = [self.sealer.columns(n or None, p or None) for n, p in zip(names, phones, strict=True)]
        return {column: [row[column] for row in sealed] for column in ERASED}

    def _values(self, column, bad: bytearray, now: datetime) -> tuple[list, list, list, list]:
        """Coordinates, the reported time and the history of each row not yet doubted, a value at a time.
        -> (lats, lons, reported, histories) of the rows still good after it."""
        latest = now + FUTURE_SKEW  # (FUTURE_SKEW and the lifecycle's CLOCK_SKEW are both five minutes)
        lats, lons, reported, histories = [], [], [], []
        history = zip(
            column("lat"),
            column("lon"),
            column("reported_at"),
            column("status"),
            column("opd"),
            column("actor"),
            column("note"),
            column("responded_at"),
            column("resolved_at"),
            column("evidence"),
            strict=True,
        )
        for k, (lat, lon, when, status, opd, actor, note, responded, resolved, evidence) in enumerate(history):
            if bad[k]:
                continue
            try:
                lat, lon = _coordinate(lat, -90, 90), _coordinate(lon, -180, 180)
                at = _moment(when, latest) if when else now
                changes = self._history(status or "baru", opd, actor, note, responded, resolved, evidence, at, latest)
            except _Doubt:
                bad[k] = 1
                continue
            lats.append(lat)
            lons.append(lon)
            reported.append(at)
            histories.append(changes)
        return lats, lons, reported, histories

    def _history(self, status, opd, actor, note, responded, resolved, evidence, reported, latest) -> list[tuple]:
        """The status changes `split_history` makes of the history cells, checked as `replay` checks them.
        -> (to, opd, note, at, evidence) each."""
        if status == "baru":
            return []
        if actor and (len(actor) > 120 or _ODD_IN_LINE.search(actor)):
            raise _Doubt
        if note and (len(note) > 2000 or _ODD_IN_TEXT.search(note)):
            raise _Doubt
        changes = self._changes(status, opd, note or None, responded, resolved, evidence, latest)
        last = reported
        for change in changes:  # each change no earlier than the event before it
            if change[3] < last:
                raise _Doubt
            last = change[3]
        return changes

    def _changes(self, status, opd, note, responded, resolved, evidence, latest) -> list[tuple]:
        """What a row's final status says happened, from its history cells; _Doubt where the cells do not say."""
        known_opd = not opd or opd in self.routing.opds
        if status == "diproses":
            if not known_opd or not responded:
                raise _Doubt
            return [("diproses", opd or None, note, _moment(responded, latest), [])]
        if status == "selesai":
            if not known_opd or not resolved:
                raise _Doubt
            done = _moment(resolved, latest)
            return [
                ("diproses", opd or None, None, _moment(responded, latest) if responded else done, []),
                ("selesai", None, note, done, _evidence(evidence)),
            ]
        if status == "ditolak":
            if not note or not (responded or resolved):
                raise _Doubt
            return [("ditolak", None, note, _moment(responded or resolved, latest), [])]
        raise _Doubt

    def _built(
        self,
        kept: list[int],
        lines: list[int],
        fields: dict[str, list],
        histories: list[list[tuple]],
        now: datetime,
        places: dict[int, tuple[str, str]] | None = None,
    ) -> FastRows:
        """The rows and events `ReportService.build` and the lifecycle's `decide` make of these fields."""
        count, routing = len(kept), self.routing
        ids = new_report_ids(count)
        default_opd = {code: routing.default_opd(code).code for code in routing.categories}
        events: list[tuple] = []  # one tuple per event, turned into columns at the end
        statuses, opds, first_responses, resolutions, media = [], [], [], [], []
        actors = [actor or None for actor in fields.get("actor", [])]
        for report_id, category, source, reported, actor, history in zip(
            ids,
            fields.get("category", []),
            fields.get("source", []),
            fields.get("reported_at", []),
            actors,
            histories,
            strict=True,
        ):
            opd = default_opd[category]
            events.append((report_id, "created", None, "baru", opd, source, None, [], reported, now))
            status, first_response, resolved, urls = "baru", None, None, []
            for to, change_opd, note, at, evidence in history:
                opd = change_opd or opd
                events.append((report_id, "status", status, to, opd, actor, note, evidence, at, now))
                if status == "baru":
                    first_response = at
                if to == "selesai":
                    resolved, urls = at, [e["url"] for e in evidence]
                status = to
            statuses.append(status)
            opds.append(opd)
            first_responses.append(first_response)
            resolutions.append(resolved)
            media.append(urls)
        ev = dict(
            zip(
                (
                    "report_id",
                    "kind",
                    "from_status",
                    "to_status",
                    "opd",
                    "actor",
                    "note",
                    "evidence",
                    "at",
                    "recorded_at",
                ),
                map(list, zip(*events, strict=True)) if events else ([] for _ in range(10)),
                strict=True,
            )
        )
        places = places or {}
        rep = {
            "id": ids,
            "source": fields.get("source", []),
            "source_ref": [v or None for v in fields.get("source_ref", [])],
            "category": fields.get("category", []),
            "title": fields.get("title", []),
            "description": fields.get("description", []),
            "lat": fields.get("lat", []),
            "lon": fields.get("lon", []),
            "kode_kec": [places[k][0] for k in kept],
            "kode_kel": [places[k][1] for k in kept],
            "address": [v or None for v in fields.get("address", [])],
            "reported_at": fields.get("reported_at", []),
            "received_at": [now] * count,
            **self._sealed(
                fields.get("reporter_name") or [None] * count, fields.get("reporter_phone") or [None] * count
            ),
            "media": media,
            "status": statuses,
            "opd": opds,
            "first_response_at": first_responses,
            "resolved_at": resolutions,
            "updated_at": [now] * count,
            "due_at": [
                sla.next_due(status, at, self.routing.categories[category])
                for status, at, category in zip(
                    statuses, fields.get("reported_at", []), fields.get("category", []), strict=True
                )
            ],
        }
        return FastRows(ReportColumns(rep, ev), lines, list(zip(rep["source"], rep["source_ref"], strict=True)))


assert CLOCK_SKEW == FUTURE_SKEW  # one limit for "in the future" read above for reports and their changes
