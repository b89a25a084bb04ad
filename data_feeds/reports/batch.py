"""A batch of reports with their histories as columns (bulk import's unit), and as the driver takes it."""

from __future__ import annotations

from dataclasses import dataclass

from data_feeds.store.inserts import columns_of


@dataclass
class ReportColumns:
    """Reports and their events as columns, column name -> one value per row, in the store's Python types (what
    `Store.insert_batch` writes: no dict per row built and taken apart again). Each event's `report_id` names
    its report; both sides have the same columns for every row."""

    reports: dict[str, list]
    events: dict[str, list]

    def __len__(self) -> int:
        return len(self.reports.get("id", ()))

    @classmethod
    def from_items(cls, items: list[tuple[dict, list[dict]]]) -> ReportColumns:
        """From (report row, its events) pairs, as `ReportService.replay` makes them."""
        rows = [row for row, _ in items]
        events = [{"report_id": row["id"], **e} for row, evs in items for e in evs]
        return cls(columns_of(rows), columns_of(events))

    def plus(self, other: ReportColumns) -> ReportColumns:
        if not len(other):
            return self
        if not len(self):
            return other
        if self.reports.keys() != other.reports.keys() or self.events.keys() != other.events.keys():
            raise ValueError("report batches with different columns")
        return ReportColumns(
            {k: v + other.reports[k] for k, v in self.reports.items()},
            {k: v + other.events[k] for k, v in self.events.items()},
        )

    def rows(self) -> list[tuple[dict, list[dict]]]:
        """Back to (report row, events) pairs (for tests and tools: the store writes columns)."""
        by_report: dict[str, list[dict]] = {}
        names = [k for k in self.events if k != "report_id"]
        for i, rid in enumerate(self.events.get("report_id", [])):
            by_report.setdefault(rid, []).append({k: self.events[k][i] for k in names})
        return [
            ({k: v[i] for k, v in self.reports.items()}, by_report.get(rid, []))
            for i, rid in enumerate(self.reports["id"])
        ]


@dataclass
class DriverRows:
    """A batch as the database driver takes it (`Store.driver_rows`: values converted, rows as tuples), made
    where the batch was checked (bulk import's checking process), written by `Store.insert_batch`."""

    postgres: bool
    reports: tuple[tuple[str, ...], list[tuple]]  # (column names, rows)
    events: tuple[tuple[str, ...], list[tuple]]
    keys: list[tuple[str, str, str | None]]  # per report: (id, source, sender's id)

    def __len__(self) -> int:
        return len(self.keys)

    def plus(self, other: DriverRows) -> DriverRows:
        """Two batches written as one (the same columns, made for the same store)."""
        if (self.postgres, self.reports[0], self.events[0]) != (other.postgres, other.reports[0], other.events[0]):
            if not len(other):
                return self
            if not len(self):
                return other
            raise ValueError("batches with different columns")
        return DriverRows(
            self.postgres,
            (self.reports[0], self.reports[1] + other.reports[1]),
            (self.events[0], self.events[1] + other.events[1]),
            self.keys + other.keys,
        )

    def without(self, report_ids: set[str]) -> DriverRows:
        """The batch less the reports named (and their events)."""
        (names, rows), (event_names, events) = self.reports, self.events
        at, event_at = names.index("id"), event_names.index("report_id")
        return DriverRows(
            self.postgres,
            (names, [r for r in rows if r[at] not in report_ids]),
            (event_names, [e for e in events if e[event_at] not in report_ids]),
            [k for k in self.keys if k[0] not in report_ids],
        )
