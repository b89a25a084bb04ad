"""Which indicators exist: indicators.toml, read once, checked, as `Indicator` records.

Names in Indonesian and English, unit, kind (`cumulative` running totals or `per_period` yearly
figures), owner OPD, smart-city pillar, cadence, target or coverage denominator, thresholds, and
subjects where one indicator is counted per kind of thing or per named item.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from geodata.gazetteer import CITY_CODE

CONFIG_PATH = Path(__file__).with_name("indicators.toml")
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
    coverage_of: str | dict | None = None  # "population", or a fixed city denominator {value, label}
    thresholds: dict = field(default_factory=dict)
    subjects: dict = field(default_factory=dict)  # code -> (Indonesian, English); empty: free text or none
    subject_label_id: str = ""
    subject_label_en: str = ""
    compact: bool = False
    seed: str | None = None
    seeds: tuple = ()  # ({metric, place, period, measure, subject}, ...)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_id

    def unit(self, lang: str) -> str:
        return self.unit_en if lang == "en" else self.unit_id

    def subject_name(self, subject: str, lang: str) -> str:
        names = self.subjects.get(subject)
        return (names[1] if lang == "en" else names[0]) if names else subject

    def seed_figures(self) -> list[dict]:
        """Where this indicator's first figures come from in seed_figures.csv."""
        first = [{"metric": self.seed}] if self.seed else []
        return [
            {"place": CITY_CODE, "period": "", "measure": "value", "subject": "", **s} for s in (*first, *self.seeds)
        ]


@lru_cache(maxsize=4)
def load(path: Path = CONFIG_PATH) -> dict[str, Indicator]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for code, v in raw.items():
        ind = Indicator(
            code=code,
            **{
                **v,
                "seeds": tuple(v.get("seeds", ())),
                "subjects": {k: tuple(n) for k, n in v.get("subjects", {}).items()},
            },
        )
        if ind.pillar not in PILLARS:
            raise ValueError(f"{path}: {code}: pillar {ind.pillar!r} is not one of {', '.join(PILLARS)}")
        cov = ind.coverage_of
        if cov is not None and cov != "population" and not (isinstance(cov, dict) and {"value", "label"} <= set(cov)):
            raise ValueError(f'{path}: {code}: coverage_of is "population" or {{ value = N, label = "..." }}')
        if ind.kind not in ("cumulative", "per_period"):
            raise ValueError(f"{path}: {code}: kind must be cumulative or per_period")
        out[code] = ind
    return out
