"""Indicators beside complaints (vaccination, social programmes, the city's apps): one time-series model.

Every figure is (indicator, place, period, measure, as-of date, value, source). Which indicators
exist, their names, units, owner OPD, pillar, cadence, targets and thresholds is the one file
indicators.toml. A cumulative series may only grow: a lower value after an earlier, higher one
(or a higher one before a later, lower one) is refused unless the update says it is a correction.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo
from pathlib import Path
from typing import Literal

from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import and_, select

from geodata.gazetteer import Gazetteer

from .schemas import ApiError, Text, parse
from .seed import figures
from .store import Store, indicator_values, outbox

CONFIG_PATH = Path(__file__).with_name("indicators.toml")
CITY = "36.71"
WIB = ZoneInfo("Asia/Jakarta")
PILLARS = ("governance", "branding", "economy", "living", "society", "environment")


@dataclass(frozen=True)
class Indicator:
    code: str
    name_id: str
    name_en: str
    unit_id: str
    unit_en: str
    kind: Literal["cumulative", "per_period"]
    owner: str
    pillar: str
    cadence_days: int
    target: float | None = None
    coverage_of: str | None = None
    thresholds: dict = field(default_factory=dict)
    seed: str | None = None
    seed_targets: tuple = ()

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_id

    def unit(self, lang: str) -> str:
        return self.unit_en if lang == "en" else self.unit_id


@lru_cache(maxsize=4)
def load(path: Path = CONFIG_PATH) -> dict[str, Indicator]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for code, v in raw.items():
        ind = Indicator(code=code, **{**v, "seed_targets": tuple(tuple(t) for t in v.get("seed_targets", ()))})
        if ind.pillar not in PILLARS:
            raise ValueError(f"{path}: {code}: pillar {ind.pillar!r} is not one of {', '.join(PILLARS)}")
        if ind.kind not in ("cumulative", "per_period"):
            raise ValueError(f"{path}: {code}: kind must be cumulative or per_period")
        out[code] = ind
    return out


class ObservationIn(BaseModel):
    """One figure, as the API and the importer take it."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    indicator: Text = Field(min_length=1, max_length=60)
    place: Text = Field(CITY, min_length=1, max_length=80)  # a Kemendagri code or a kecamatan/kelurahan name
    period: Text = Field("", max_length=10)
    measure: Literal["value", "target"] = "value"
    as_of: date
    value: float = Field(ge=0)
    source: Text = Field(min_length=3, max_length=300)
    correction: bool = False

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError("must be a number")
        return v


class _DryRun(Exception):
    pass


class IndicatorService:
    def __init__(self, store: Store, gazetteer: Gazetteer, config: dict[str, Indicator] | None = None):
        self.store, self.gz = store, gazetteer
        self.config = config if config is not None else load()

    def place_code(self, text: str) -> str | None:
        if text in (CITY, "3671", "kota", "city"):
            return CITY
        kec = self.gz.find_kecamatan(text)
        if kec:
            return kec.code
        kel = self.gz.find_kelurahan(text)
        return kel[0].code if len(kel) == 1 else None

    def check(self, payload, today: date) -> dict:
        """A valid figure as a row to store (not yet checked against the stored series), or ApiError."""
        obs: ObservationIn = parse(ObservationIn, payload)
        ind = self.config.get(obs.indicator)
        if ind is None:
            raise ApiError.one(422, "indicator", f"unknown indicator {obs.indicator!r}; one of: {', '.join(self.config)}")
        place = self.place_code(obs.place)
        if place is None:
            raise ApiError.one(422, "place", f"unknown place {obs.place!r}: give a Kemendagri code or a kecamatan/kelurahan name")
        if obs.as_of > today:
            raise ApiError.one(422, "as_of", "is in the future")
        if ind.kind == "per_period" and not obs.period:
            raise ApiError.one(422, "period", f"{ind.code} is counted per period: give the year, e.g. 2023")
        if ind.kind == "cumulative" and obs.period:
            raise ApiError.one(422, "period", f"{ind.code} is a running total: leave period empty")
        if obs.period and not (obs.period.isdigit() and len(obs.period) == 4):
            raise ApiError.one(422, "period", "must be a year, e.g. 2023")
        return dict(indicator=ind.code, place=place, period=obs.period, measure=obs.measure, as_of=obs.as_of.isoformat(),
                    value=float(obs.value), source=obs.source, correction=int(obs.correction))

    def record(self, payloads: list, actor: str | None = None, demo: bool = False, dry_run: bool = False) -> list[dict]:
        """Check every figure, then store them all in one transaction, or none (ApiError naming the item)."""
        if not isinstance(payloads, list) or not payloads:
            raise ApiError.one(400, "body", "must be a JSON object or a non-empty list of them")
        today = datetime.now(WIB).date()
        rows = []
        for i, payload in enumerate(payloads):
            try:
                rows.append(self.check(payload, today))
            except ApiError as exc:
                raise ApiError(exc.status, [{**e, "field": f"[{i}].{e['field']}" if len(payloads) > 1 else e["field"]}
                                            for e in exc.errors]) from None
        now = datetime.now(timezone.utc)
        try:
            with self.store.write() as conn:
                for i, row in enumerate(rows):
                    self._check_series(conn, row, i if len(rows) > 1 else None)
                    conn.execute(indicator_values.insert(), {**row, "demo": int(demo), "recorded_at": now, "recorded_by": actor})
                if dry_run:
                    raise _DryRun()
                # tell the live worker, through the same outbox as reports, that the panels need a rebuild
                conn.execute(outbox.insert(), {"event_id": 0, "report_id": "", "created_at": now, "payload": json.dumps(
                    {"kind": "indicator", "indicators": sorted({r["indicator"] for r in rows}), "at": now.isoformat()})})
        except _DryRun:
            pass  # checked against the stored series (later rows against earlier ones too), then rolled back
        return rows

    def _check_series(self, conn, row: dict, index: int | None) -> None:
        """A cumulative series never goes down unless the figure says it is a correction; a figure
        for the same place, period and date as a stored one is a correction too."""
        v = indicator_values.c
        same = and_(v.indicator == row["indicator"], v.place == row["place"], v.period == row["period"],
                    v.measure == row["measure"])
        prefix = f"[{index}]." if index is not None else ""
        if row["correction"]:
            return
        existing = conn.execute(select(v.value).where(same, v.as_of == row["as_of"])).first()
        if existing is not None and existing.value != row["value"]:
            raise ApiError.one(409, f"{prefix}as_of", f"{row['indicator']} for {row['place']} already has a figure for "
                                                      f"{row['as_of']} ({_n(existing.value)}); send correction: true to replace it")
        if self.config[row["indicator"]].kind != "cumulative" or row["measure"] != "value":
            return
        before = conn.execute(select(v.value, v.as_of).where(same, v.as_of < row["as_of"]).order_by(v.as_of.desc(), v.id.desc())
                              .limit(1)).first()
        after = conn.execute(select(v.value, v.as_of).where(same, v.as_of > row["as_of"]).order_by(v.as_of, v.id).limit(1)).first()
        if before is not None and row["value"] < before.value:
            raise ApiError.one(409, f"{prefix}value", f"{row['indicator']} is cumulative: {_n(row['value'])} on {row['as_of']} is "
                                                      f"below {_n(before.value)} on {before.as_of}; send correction: true if the earlier figure was wrong")
        if after is not None and row["value"] > after.value:
            raise ApiError.one(409, f"{prefix}value", f"{row['indicator']} is cumulative: {_n(row['value'])} on {row['as_of']} is "
                                                      f"above {_n(after.value)} on the later {after.as_of}; send correction: true if that one was wrong")

    def series(self, indicator: str, place: str = CITY, measure: str = "value") -> list[dict]:
        """The figures of one series, oldest first; where a date has several (corrections), the last recorded wins."""
        v = indicator_values.c
        with self.store.read() as conn:
            rows = conn.execute(select(indicator_values).where(v.indicator == indicator, v.place == place, v.measure == measure)
                                .order_by(v.period, v.as_of, v.id)).mappings().all()
        latest: dict[tuple, dict] = {}
        for r in rows:
            latest[(r["period"], r["as_of"])] = dict(r)
        return list(latest.values())

    def seed(self) -> int:
        """The article figures as each series' first value, once (an empty table only)."""
        with self.store.read() as conn:
            if conn.execute(select(indicator_values.c.id).limit(1)).first():
                return 0
        seeds = figures()
        items = []
        for ind in self.config.values():
            pairs = ([(ind.seed, CITY, "", "value")] if ind.seed else []) + [(m, p, per, "target") for m, p, per in ind.seed_targets]
            for metric, place, period, measure in pairs:
                f = seeds[metric]
                items.append({"indicator": ind.code, "place": place, "period": period, "measure": measure, "as_of": f["as_of"],
                              "value": f["value"], "source": f["source"]})
        self.record(items, actor="seed")
        return len(items)


def _n(value: float) -> str:
    """A figure in an (English) API message: 2,130,166."""
    return format_decimal(value, locale="en_US", decimal_quantization=False)


SPARK_POINTS = 12


def population_of(gz: Gazetteer, place: str) -> tuple[int, str] | None:
    """The official population a coverage is computed against, with its reference period."""
    if place == CITY:
        return gz.city_population
    p = gz.kecamatan.get(place) or gz.kelurahan.get(place)
    return (p.population, p.population_period) if p and p.population else None


def summarise(store: Store, config: dict[str, Indicator], gz: Gazetteer, today: date) -> dict:
    """Every indicator's panel figures per place, once per data change: latest value, the change since
    the one before, progress against the target or population, threshold state, freshness, and a
    short trend. -> {indicator: {place: entry}}."""
    v = indicator_values.c
    with store.read() as conn:
        rows = conn.execute(select(indicator_values).order_by(v.indicator, v.place, v.period, v.as_of, v.id)).mappings().all()
    series: dict[tuple, dict] = {}
    for r in rows:  # the last recorded figure of each date wins (corrections)
        series.setdefault((r["indicator"], r["place"], r["measure"], r["period"]), {})[r["as_of"]] = r
    out: dict[str, dict] = {}
    for (code, place, measure, period), by_date in series.items():
        ind = config.get(code)
        if ind is None or measure != "value":
            continue
        points = [by_date[d] for d in sorted(by_date)]
        last = points[-1]
        current = out.setdefault(code, {}).get(place)
        if current is not None and current["period"] > period:
            continue  # per-period series: the panel shows the newest period
        prev = points[-2] if len(points) > 1 else None
        target_points = series.get((code, place, "target", period))  # the newest stated target of that period
        target = target_points[max(target_points)]["value"] if target_points else ind.target
        denominator = None
        if ind.coverage_of == "population":
            pop = population_of(gz, place)
            if pop:
                denominator = {"value": pop[0], "label": pop[1]}
                target = None
        base = denominator["value"] if denominator else target
        progress = last["value"] / base if base else None
        state = None
        if progress is not None and ind.thresholds:
            state = "good" if progress >= ind.thresholds["good"] else "warn" if progress >= ind.thresholds["warn"] else "bad"
        age_days = (today - date.fromisoformat(last["as_of"])).days
        out[code][place] = {
            "value": last["value"], "as_of": last["as_of"], "source": last["source"], "period": period,
            "demo": bool(last["demo"]), "correction": bool(last["correction"]),
            "prev": prev["value"] if prev else None, "prev_as_of": prev["as_of"] if prev else None,
            "change": last["value"] - prev["value"] if prev else None,
            "target": target, "denominator": denominator, "progress": progress, "state": state,
            "age_days": age_days, "stale": age_days > ind.cadence_days,
            "spark": [p["value"] for p in points[-SPARK_POINTS:]],
        }
    return out
