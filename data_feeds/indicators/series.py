"""Indicators beside complaints (vaccination, social programmes, the city's apps): one time-series model.

Every figure is (indicator, place, period, measure, as-of date, value, source). Which indicators
exist, their names, units, owner OPD, pillar, cadence, targets and thresholds is the one file
indicators.toml. A cumulative series may only grow: a lower value after an earlier, higher one
(or a higher one before a later, lower one) is refused unless the update says it is a correction.
"""

from __future__ import annotations

import bisect
import json
from datetime import date
from typing import Literal

from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from data_feeds.clock import utcnow, wib_today
from data_feeds.refusal import Kind, Refusal
from data_feeds.store import FINITE_FIGURE, Store, indicator_values, outbox
from data_feeds.validation import Day, Text, finite, parse
from geodata.gazetteer import CITY_CODE, Gazetteer

from .config import Indicator, load
from .seed import figures

LARGEST_FIGURE = 1e15  # a thousand trillion: above every figure a city counts (KUR is Rp1 triliun = 1e12)


class ObservationIn(BaseModel):
    """One figure, as the API and the importer take it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    indicator: Text = Field(min_length=1, max_length=60)
    place: Text = Field(CITY_CODE, min_length=1, max_length=80)  # a Kemendagri code or a kecamatan/kelurahan name
    period: Text = Field("", max_length=10)
    measure: Literal["value", "target"] = "value"
    subject: Text = Field("", max_length=60)  # within the place: a market tested, a kind of device
    as_of: Day
    value: float = Field(ge=0, le=LARGEST_FIGURE)
    source: Text = Field(min_length=3, max_length=300)
    correction: bool = False

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError("must be a plain number, e.g. 2130166 or 92.6 (no thousands separators)")
        if not finite(v):
            raise ValueError("must be a finite number (not Infinity or NaN)")
        return v


class _DryRun(Exception):
    pass


class SeriesView:
    """One stored series in memory while a batch is checked: the newest figure of each date, dates in order."""

    def __init__(self, stored):
        self.by_date: dict[str, tuple[float, str]] = {}
        for as_of, value, source in stored:  # oldest first: the last recorded of a date wins
            self.by_date[as_of] = (value, source)
        self.dates = sorted(self.by_date)

    def add(self, row: dict) -> None:
        if row["as_of"] not in self.by_date:
            bisect.insort(self.dates, row["as_of"])
        self.by_date[row["as_of"]] = (row["value"], row["source"])

    def check(self, row: dict, cumulative: bool) -> bool:
        """-> False when the very same figure is there already; Refusal when the figure may not go in."""
        existing = self.by_date.get(row["as_of"])
        if existing == (row["value"], row["source"]):
            return False
        if row["correction"]:
            return True
        if existing is not None and existing[0] != row["value"]:
            raise Refusal.one(
                Kind.CONFLICT,
                "as_of",
                f"{row['indicator']} for {row['place']} already has a figure for "
                f"{row['as_of']} ({_n(existing[0])}); send correction: true to replace it",
            )
        if not cumulative:
            return True
        at = bisect.bisect_left(self.dates, row["as_of"])
        before = self.dates[at - 1] if at > 0 else None
        after_at = at + 1 if at < len(self.dates) and self.dates[at] == row["as_of"] else at
        after = self.dates[after_at] if after_at < len(self.dates) else None
        if before is not None and row["value"] < self.by_date[before][0]:
            raise Refusal.one(
                Kind.CONFLICT,
                "value",
                f"{row['indicator']} is cumulative: {_n(row['value'])} on {row['as_of']} is "
                f"below {_n(self.by_date[before][0])} on {before}; "
                "send correction: true if the earlier figure was wrong",
            )
        if after is not None and row["value"] > self.by_date[after][0]:
            raise Refusal.one(
                Kind.CONFLICT,
                "value",
                f"{row['indicator']} is cumulative: {_n(row['value'])} on {row['as_of']} is "
                f"above {_n(self.by_date[after][0])} on the later {after}; send correction: true if that one was wrong",
            )
        return True


class IndicatorService:
    def __init__(self, store: Store, gazetteer: Gazetteer, config: dict[str, Indicator] | None = None):
        self.store, self.gz = store, gazetteer
        self.config = config if config is not None else load()

    def place_code(self, text: str) -> str | None:
        if text in (CITY_CODE, "3671", "kota", "city"):
            return CITY_CODE
        kec = self.gz.find_kecamatan(text)
        if kec:
            return kec.code
        kel = self.gz.find_kelurahan(text)
        return kel[0].code if len(kel) == 1 else None

    def check(self, payload, today: date) -> dict:
        """A valid figure as a row to store (not yet checked against the stored series), or Refusal."""
        obs: ObservationIn = parse(ObservationIn, payload)
        ind = self.config.get(obs.indicator)
        if ind is None:
            raise Refusal.one(
                Kind.INVALID, "indicator", f"unknown indicator {obs.indicator!r}; one of: {', '.join(self.config)}"
            )
        place = self.place_code(obs.place)
        if place is None:
            raise Refusal.one(
                Kind.INVALID,
                "place",
                f"unknown place {obs.place!r}: give a Kemendagri code or a kecamatan/kelurahan name",
            )
        if obs.as_of > today:
            raise Refusal.one(Kind.INVALID, "as_of", "is in the future")
        if ind.kind == "per_period" and not obs.period:
            raise Refusal.one(Kind.INVALID, "period", f"{ind.code} is counted per period: give the year, e.g. 2023")
        if ind.kind == "cumulative" and obs.period:
            raise Refusal.one(Kind.INVALID, "period", f"{ind.code} is a running total: leave period empty")
        if obs.period and not (obs.period.isdigit() and len(obs.period) == 4):
            raise Refusal.one(Kind.INVALID, "period", "must be a year, e.g. 2023")
        if ind.subjects and obs.subject not in ind.subjects:
            raise Refusal.one(
                Kind.INVALID, "subject", f"{ind.code} is counted per {', '.join(ind.subjects)}: give one of them"
            )
        if obs.subject and not (ind.subjects or ind.subject_label_en):
            raise Refusal.one(Kind.INVALID, "subject", f"{ind.code} has no subjects: leave it empty")
        if obs.measure == "target" and ind.coverage_of:
            raise Refusal.one(
                Kind.INVALID,
                "measure",
                f"{ind.code} is measured against its coverage denominator (indicators.toml), not a stated target",
            )
        return dict(
            indicator=ind.code,
            place=place,
            period=obs.period,
            measure=obs.measure,
            subject=obs.subject,
            as_of=obs.as_of.isoformat(),
            value=float(obs.value),
            source=obs.source,
            correction=int(obs.correction),
        )

    def record(self, payloads: list, actor: str | None = None, demo: bool = False, dry_run: bool = False) -> list[dict]:
        """Check every figure, then store them all in one transaction, or none (Refusal naming the item)."""
        if not isinstance(payloads, list) or not payloads:
            raise Refusal.one(Kind.MALFORMED, "body", "must be a JSON object or a non-empty list of them")
        today = wib_today()
        many = len(payloads) > 1
        rows, errors = [], []  # every bad item is named, not only the first: an import reports all its bad rows

        def refuse(i: int, exc: Refusal) -> None:
            errors.extend((exc.kind, {**e, "field": f"[{i}].{e['field']}" if many else e["field"]}) for e in exc.errors)

        for i, payload in enumerate(payloads):
            try:
                rows.append((i, self.check(payload, today)))
            except Refusal as exc:
                refuse(i, exc)
        if errors:
            raise Refusal(Refusal.first_kind(kind for kind, _ in errors), [e for _, e in errors])
        now = utcnow()
        try:
            with self.store.write() as conn:
                written, refused = self._check_series(conn, rows)
                for i, exc in refused:
                    refuse(i, exc)
                if written and not errors:
                    conn.execute(
                        indicator_values.insert(),
                        [{**row, "demo": int(demo), "recorded_at": now, "recorded_by": actor} for row in written],
                    )
                if errors:  # later items were checked against the earlier ones; now none of them is kept
                    raise Refusal(Refusal.first_kind(kind for kind, _ in errors), [e for _, e in errors])
                if dry_run:
                    raise _DryRun()
                if written:  # tell the live worker, through the same outbox as reports, that the panels need a rebuild
                    conn.execute(
                        outbox.insert(),
                        {
                            "event_id": 0,
                            "report_id": "",
                            "created_at": now,
                            "payload": json.dumps(
                                {
                                    "kind": "indicator",
                                    "indicators": sorted({r["indicator"] for r in written}),
                                    "at": now.isoformat(),
                                }
                            ),
                        },
                    )
        except _DryRun:
            pass  # checked against the stored series (later rows against earlier ones too), then rolled back
        return written

    def _check_series(self, conn, rows: list[tuple[int, dict]]) -> tuple[list[dict], list[tuple[int, Refusal]]]:
        """Each figure against its stored series and the figures before it in the same batch. A cumulative
        series never goes down unless the figure says it is a correction; a second figure for the same
        place, period and date as a stored one is a correction too; the very same figure again is skipped.
        One read per series, not per figure. -> (figures to write, [(item, Refusal)])."""
        v = indicator_values.c
        series: dict[tuple, SeriesView] = {}
        write, refused = [], []
        for i, row in rows:
            key = (row["indicator"], row["place"], row["subject"], row["measure"], row["period"])
            if key not in series:
                stored = conn.execute(
                    select(v.as_of, v.value, v.source)
                    .where(
                        v.indicator == key[0],
                        v.place == key[1],
                        v.subject == key[2],
                        v.measure == key[3],
                        v.period == key[4],
                        FINITE_FIGURE,
                    )
                    .order_by(v.as_of, v.id)
                ).all()
                series[key] = SeriesView(stored)
            view = series[key]
            try:
                if view.check(
                    row, cumulative=self.config[row["indicator"]].kind == "cumulative" and row["measure"] == "value"
                ):
                    write.append(row)
                    view.add(row)
            except Refusal as exc:
                refused.append((i, exc))
        return write, refused

    def series(
        self, indicator: str, place: str = CITY_CODE, measure: str = "value", subject: str | None = None
    ) -> list[dict]:
        """The figures of one series (all subjects unless one is named), oldest first; where a date has several
        (corrections), the last recorded wins."""
        v = indicator_values.c
        where = [v.indicator == indicator, v.place == place, v.measure == measure, FINITE_FIGURE]
        if subject is not None:
            where.append(v.subject == subject)
        with self.store.read() as conn:
            rows = (
                conn.execute(select(indicator_values).where(*where).order_by(v.subject, v.period, v.as_of, v.id))
                .mappings()
                .all()
            )
        latest: dict[tuple, dict] = {}
        for r in rows:
            latest[(r["subject"], r["period"], r["as_of"])] = dict(r)
        return list(latest.values())

    def across_places(self, indicator: str, measure: str = "value") -> list[dict]:
        """Every place's figures of one indicator (subject-less), oldest period and date first."""
        v = indicator_values.c
        with self.store.read() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(indicator_values)
                    .where(v.indicator == indicator, v.measure == measure, v.subject == "", FINITE_FIGURE)
                    .order_by(v.period, v.as_of, v.id)
                ).mappings()
            ]

    def seed(self) -> int:
        """The article figures as the first figures of each indicator that has none yet (so an indicator
        added to the configuration later is seeded too, and a city's own figures are never touched)."""
        with self.store.read() as conn:
            have = set(conn.execute(select(indicator_values.c.indicator).distinct()).scalars())
        seeds = figures()
        items = []
        for ind in self.config.values():
            if ind.code in have:
                continue
            for s in ind.seed_figures():
                f = seeds[s["metric"]]
                items.append(
                    {
                        "indicator": ind.code,
                        "place": s["place"],
                        "period": s["period"],
                        "measure": s["measure"],
                        "subject": s["subject"],
                        "as_of": f["as_of"],
                        "value": f["value"],
                        "source": f["source"],
                    }
                )
        if items:
            self.record(items, actor="seed")
        return len(items)


def _n(value: float) -> str:
    """A figure in an (English) API message: 2,130,166 (a figure stored before the size limit: 1.2e+30)."""
    return format_decimal(value, locale="en_US", decimal_quantization=False) if abs(value) < 1e21 else f"{value:.3g}"
