"""SLA clocks: due times per category, breached and due-soon states, percentiles."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from data_feeds.reports import categories, sla

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
ROUTING = categories.load()
BANJIR = ROUTING.categories["banjir"]  # 2 h to first response, 48 h to resolution


@pytest.mark.parametrize(
    "status,elapsed,state",
    [
        ("baru", timedelta(minutes=60), "ok"),  # 60 of 120 minutes left
        ("baru", timedelta(minutes=95), "soon"),  # 25 minutes left: under a quarter of the span
        ("baru", timedelta(minutes=121), "breached"),  # first response is late
        ("diproses", timedelta(minutes=121), "ok"),  # answered: only the 48 h resolution clock runs
        ("diproses", timedelta(hours=37), "soon"),  # 11 h of 48 left
        ("diproses", timedelta(hours=49), "breached"),
        ("selesai", timedelta(hours=49), "closed"),
        ("ditolak", timedelta(hours=49), "closed"),
    ],
)
def test_clock_states(status, elapsed, state):
    got, due = sla.clock_state(status, T0, BANJIR, T0 + elapsed)
    assert got == state
    if state != "closed":
        assert due == T0 + (timedelta(hours=2) if status == "baru" else timedelta(hours=48))


@pytest.mark.store
@pytest.mark.parametrize("code", sorted(ROUTING.categories))
def test_every_category_answers_before_it_must_resolve(code):
    first, resolve = sla.due_times(T0, ROUTING.categories[code])
    assert T0 < first <= resolve


@pytest.mark.parametrize(
    "values,q,expected",
    [([], 0.5, None), ([7.0], 0.9, 7.0), ([1.0, 2.0, 3.0, 4.0], 0.5, 2.0), ([5.0, 1.0, 3.0], 1.0, 5.0)],
)
def test_percentiles_by_nearest_rank(values, q, expected):
    assert sla.percentile(values, q) == expected
