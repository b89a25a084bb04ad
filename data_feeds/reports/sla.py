"""SLA clocks: when a report is due, and whether it is late or about to be.

Two clocks per report, both from the moment it was reported and both set by its category
in categories.toml: first response (baru -> diproses) and resolution (-> selesai). A report
in `baru` runs both; in `diproses` only the resolution clock still runs. "Soon" means less
than WARN_FRACTION of the clock's whole span is left, so a 2-hour flood SLA warns 30
minutes ahead and a 2-week school SLA warns 3.5 days ahead.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from .categories import Category

WARN_FRACTION = 0.25


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (median: q=0.5; p90: 0.9) of times taken; None without data. The wall's OPD table
    and the documents both use it, so they agree to the second."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def due_times(reported_at: datetime, category: Category) -> tuple[datetime, datetime]:
    """-> (first response due, resolution due)."""
    return (
        reported_at + timedelta(hours=category.sla_response_hours),
        reported_at + timedelta(hours=category.sla_resolution_hours),
    )


def next_due(status: str, reported_at: datetime, category: Category) -> datetime | None:
    """When the nearest clock still running in `status` runs out (None once closed): what the queue orders by."""
    response_due, resolution_due = due_times(reported_at, category)
    if status == "baru":
        return min(response_due, resolution_due)
    return resolution_due if status == "diproses" else None


def clock_state(status: str, reported_at: datetime, category: Category, now: datetime) -> tuple[str, datetime | None]:
    """-> (ok | soon | breached | closed, the due time of the nearest running clock)."""
    response_due, resolution_due = due_times(reported_at, category)
    if status == "baru":
        running = [(response_due, category.sla_response_hours), (resolution_due, category.sla_resolution_hours)]
    elif status == "diproses":
        running = [(resolution_due, category.sla_resolution_hours)]
    else:
        return "closed", None
    due, hours = min(running)
    if now > due:
        return "breached", due
    if (due - now) <= timedelta(hours=hours * WARN_FRACTION):
        return "soon", due
    return "ok", due


def report_sla(row: dict, category: Category, now: datetime) -> dict:
    """The SLA block of one report, as the API shows it."""
    response_due, resolution_due = due_times(row["reported_at"], category)
    state, due = clock_state(row["status"], row["reported_at"], category, now)
    first = row.get("first_response_at")
    resolved = row.get("resolved_at")
    return {
        "response_hours": category.sla_response_hours,
        "resolution_hours": category.sla_resolution_hours,
        "basis": category.sla_basis,  # where the targets come from (categories.toml)
        "response_due": response_due,
        "resolution_due": resolution_due,
        "state": state,
        "next_due": due,
        "response_met": None if first is None else first <= response_due,
        "resolution_met": None if resolved is None else resolved <= resolution_due,
    }
