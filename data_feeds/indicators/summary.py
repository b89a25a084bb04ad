"""The indicator panels: every series' newest figures turned into what a card or the wall shows.

Computed once per figure change (off the request path, in the live worker): latest value,
change since the one before, progress against the target or population, threshold state,
freshness, a short trend, and per-period target against realisation.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from data_feeds.store import FINITE_FIGURE, Store, indicator_values
from geodata.gazetteer import CITY_CODE, Gazetteer

from .config import Indicator

SPARK_POINTS = 12
KEEP_PER_SERIES = 2 * SPARK_POINTS  # rows read per series and period: room for same-date corrections


def population_of(gz: Gazetteer, place: str) -> tuple[int, str] | None:
    """The official population a coverage is computed against, with its reference period."""
    if place == CITY_CODE:
        return gz.city_population
    p = gz.kecamatan.get(place) or gz.kelurahan.get(place)
    return (p.population, p.population_period) if p and p.population else None


def _state(progress: float | None, ind: Indicator) -> str | None:
    if progress is None or not ind.thresholds:
        return None
    return "good" if progress >= ind.thresholds["good"] else "warn" if progress >= ind.thresholds["warn"] else "bad"


@dataclass(frozen=True)
class _Series:
    """One (indicator, place, subject) series: by_key {(measure, period): {as_of: row}}."""

    ind: Indicator
    by_key: dict

    def points(self, measure: str, period: str) -> list[dict]:
        dates = self.by_key.get((measure, period), {})
        return [dates[d] for d in sorted(dates)]

    def target_of(self, period: str):
        stated = self.points("target", period)
        return stated[-1]["value"] if stated else self.ind.target

    def per_period(self, periods: list[str]) -> list[dict]:
        """Target against realisation per period (per-period indicators only)."""
        if self.ind.kind != "per_period":
            return []
        rows = []
        for p in periods:
            values = self.points("value", p)
            value, target = (values[-1]["value"] if values else None), self.target_of(p)
            rows.append(
                {
                    "period": p,
                    "value": value,
                    "target": target,
                    "progress": value / target if value is not None and target else None,
                }
            )
        return rows


def _denominator(ind: Indicator, place: str, gz: Gazetteer) -> dict | None:
    """What coverage is counted against: the place's population, or a population the city set (city-wide)."""
    if ind.coverage_of == "population":
        pop = population_of(gz, place)
        return {"value": pop[0], "label": pop[1]} if pop else None
    if isinstance(ind.coverage_of, dict) and place == CITY_CODE:  # e.g. a vaccination target population
        return {"value": ind.coverage_of["value"], "label": ind.coverage_of["label"]}
    return None


def _panel_entry(ind: Indicator, place: str, by_key: dict, gz: Gazetteer, today: date) -> dict:
    """One series' panel figures. by_key: {(measure, period): {as_of: row}} for one (indicator, place, subject).
    The panel shows the newest period that has a realisation (else the newest with a target: "not reported yet")."""
    series = _Series(ind, by_key)
    periods = sorted({period for _, period in by_key})
    denominator = _denominator(ind, place, gz)
    with_value = [p for p in periods if series.points("value", p)]
    period = with_value[-1] if with_value else periods[-1]
    values = series.points("value", period)
    last = values[-1] if values else series.points("target", period)[-1]
    prev = values[-2] if len(values) > 1 else None
    target = None if denominator else series.target_of(period)
    base = denominator["value"] if denominator else target
    value = last["value"] if values else None
    progress = value / base if value is not None and base else None
    age_days = (today - date.fromisoformat(last["as_of"])).days
    by_period = series.per_period(periods)
    spark = [r["value"] for r in by_period if r["value"] is not None] if by_period else [p["value"] for p in values]
    return {
        "value": value,
        "as_of": last["as_of"],
        "source": last["source"],
        "period": period,
        "demo": bool(last["demo"]),
        "correction": bool(last["correction"]),
        "prev": prev["value"] if prev else None,
        "prev_as_of": prev["as_of"] if prev else None,
        "change": value - prev["value"] if prev else None,
        "target": target,
        "denominator": denominator,
        "progress": progress,
        "state": _state(progress, ind),
        "age_days": age_days,
        "stale": age_days > ind.cadence_days,
        "spark": spark[-SPARK_POINTS:],
        "periods": by_period,
    }


def summarise(store: Store, config: dict[str, Indicator], gz: Gazetteer, today: date) -> tuple[dict, dict]:
    """Every indicator's panel figures per place (and per subject), once per data change: latest value, the
    change since the one before, progress against the target or population, threshold state, freshness, a
    short trend, and for per-period indicators target against realisation per period.
    -> ({indicator: {place: entry}}, {indicator: {place: {subject: entry}}})."""
    v = indicator_values.c
    # only each series' newest figures (a weekly feed keeps years of history; the panels show the last dozen)
    newest_first = (
        func.row_number()
        .over(
            partition_by=(v.indicator, v.place, v.subject, v.measure, v.period), order_by=(v.as_of.desc(), v.id.desc())
        )
        .label("rn")
    )
    wanted = (
        v.id,
        v.indicator,
        v.place,
        v.subject,
        v.measure,
        v.period,
        v.as_of,
        v.value,
        v.source,
        v.demo,
        v.correction,
    )
    ranked = select(*wanted, newest_first).where(FINITE_FIGURE).subquery()
    r = ranked.c
    with store.read() as conn:
        rows = (
            conn.execute(
                select(ranked)
                .where(r.rn <= KEEP_PER_SERIES)
                .order_by(r.indicator, r.place, r.subject, r.period, r.as_of, r.id)
            )
            .mappings()
            .all()
        )
    series: dict[tuple, dict] = {}
    for r in rows:  # the last recorded figure of each date wins (corrections)
        key = (r["indicator"], r["place"], r["subject"] or "")
        series.setdefault(key, {}).setdefault((r["measure"], r["period"]), {})[r["as_of"]] = r
    places: dict[str, dict] = {}
    subjects: dict[str, dict] = {}
    for (code, place, subject), by_key in series.items():
        ind = config.get(code)
        if ind is None:
            continue
        entry = _panel_entry(ind, place, by_key, gz, today)
        if subject:
            subjects.setdefault(code, {}).setdefault(place, {})[subject] = entry
        else:
            places.setdefault(code, {})[place] = entry
    return places, subjects


_last_summary: weakref.WeakKeyDictionary[Store, tuple[tuple, tuple]] = weakref.WeakKeyDictionary()


def summarise_on_change(
    store: Store, config: dict[str, Indicator], gz: Gazetteer, today: date
) -> tuple[dict, dict, str]:
    """summarise(), recomputed only when a figure was written (figures are only ever inserted, so the
    newest id says whether anything changed) or the day turned (ages, staleness): the snapshot is
    rebuilt on every report, the indicator table changes a few times a day.
    -> (places, subjects, mark); the mark changes exactly when the summary may have."""
    with store.read() as conn:
        newest = conn.execute(select(func.max(indicator_values.c.id))).scalar()
    mark = f"{newest or 0}:{today.isoformat()}:{id(config):x}"
    cached = _last_summary.get(store)
    if cached is None or cached[0] != mark:
        cached = _last_summary[store] = (mark, summarise(store, config, gz, today))
    return (*cached[1], mark)
