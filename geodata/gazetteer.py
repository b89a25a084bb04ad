"""The official list of the city's 13 kecamatan and 104 kelurahan (Kemendagri codes).

Figures come from the project's copy of the facts tables (names, codes, representative
points, GIS areas) and the population table; nothing here is invented. Where a figure is
missing it stays None so the screen can say so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / "data"
CITY_CODE = "36.71"

# Kemendagri spellings that differ from the gazetteer (areaid) spelling, plus common
# variants seen in feeds. Normalisation (case, spaces, brackets) handles the rest.
EXTRA_ALIASES = {
    "36.71.01.1002": ["Sukaasih"],
    "36.71.03.1001": ["Batuceper"],
    "36.71.07.1008": ["Sumur Pacing"],
    "36.71.07.1014": ["Sukajadi"],
    "36.71.11.1003": ["Neroktog"],
    "36.71.12.1006": ["Pedurenan"],
    "36.71.03": ["Batu Ceper"],
    "36.71.11": ["Penang", "Pinang (Penang)"],
}


def normalise_name(name: str) -> str:
    """Fold a place name for matching: case, accents, spaces, punctuation, 'Kelurahan' prefixes."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = text.lower()
    text = re.sub(r"^(kel(urahan)?|kec(amatan)?|desa)\.?\s+", "", text.strip())
    return re.sub(r"[^a-z0-9]", "", text)


def names_for(name: str) -> set[str]:
    """A name and its bracket-free forms: 'Sumur Pancing (Pacing)' -> sumurpancing, pacing, ..."""
    keys = {normalise_name(name)}
    inner = re.findall(r"\(([^)]*)\)", name)
    outer = re.sub(r"\([^)]*\)", "", name)
    keys.add(normalise_name(outer))
    keys.update(normalise_name(i) for i in inner)
    return {k for k in keys if k}


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str  # "kecamatan" | "kelurahan"
    lat: float
    lon: float
    area_km2: float
    kecamatan_code: str
    aliases: tuple[str, ...] = field(default=())
    population: int | None = None
    population_period: str | None = None
    area_official_km2: float | None = None


class Gazetteer:
    """Lookup of kecamatan and kelurahan by code or (tolerantly) by name."""

    def __init__(self, kecamatan: list[Place], kelurahan: list[Place], city_population: tuple[int, str] | None = None):
        self.city_population = city_population  # (persons, reference period): the newest official figure
        self.kecamatan = {p.code: p for p in kecamatan}
        self.kelurahan = {p.code: p for p in kelurahan}
        self._kec_by_name: dict[str, str] = {}
        self._kel_by_name: dict[str, list[str]] = {}
        for p in kecamatan:
            for key in {*names_for(p.name), *(k for a in p.aliases for k in names_for(a))}:
                self._kec_by_name[key] = p.code
        for p in kelurahan:
            for key in {*names_for(p.name), *(k for a in p.aliases for k in names_for(a))}:
                self._kel_by_name.setdefault(key, []).append(p.code)

    def find_kecamatan(self, text: str) -> Place | None:
        text = str(text).strip()
        if text in self.kecamatan:
            return self.kecamatan[text]
        code = self._kec_by_name.get(normalise_name(text))
        return self.kecamatan[code] if code else None

    def find_kelurahan(self, text: str, kecamatan_code: str | None = None) -> list[Place]:
        """All kelurahan matching a code or name, narrowed to one kecamatan when given."""
        text = str(text).strip()
        if text in self.kelurahan:
            codes = [text]
        else:
            codes = self._kel_by_name.get(normalise_name(text), [])
        places = [self.kelurahan[c] for c in codes]
        if kecamatan_code:
            places = [p for p in places if p.kecamatan_code == kecamatan_code]
        return places

    def kelurahan_of(self, kecamatan_code: str) -> list[Place]:
        return [p for p in self.kelurahan.values() if p.kecamatan_code == kecamatan_code]


def _population_table() -> pd.DataFrame:
    pop = pd.read_csv(DATA_DIR / "population.csv", dtype=str)
    pop["value"] = pd.to_numeric(pop["value"])
    return pop


def _latest_population(pop: pd.DataFrame, level: str, code_col: str) -> dict[str, tuple[int, str]]:
    """Newest population figure per place; SP2020/projections sort after SP2010 by period text."""
    rows = pop[(pop["level"] == level) & (pop["indicator"] == "population")]
    order = {"SP2010": 0, "SP2020": 1, "mid-2022": 2, "mid-2023": 3, "mid-2024": 4}
    best: dict[str, tuple[int, str, int]] = {}
    for _, r in rows.iterrows():
        rank = next((v for k, v in order.items() if str(r["ref_period"]).startswith(k)), -1)
        code = r[code_col]
        if code not in best or rank > best[code][2]:
            best[code] = (int(r["value"]), r["ref_period"], rank)
    return {c: (v, p) for c, (v, p, _) in best.items()}


def _places(frame: pd.DataFrame, level: str, code_col: str, population: dict, areas: dict) -> list[Place]:
    """Places of one level from a facts table, with population and official area where known."""
    out = []
    for r in frame.to_dict("records"):
        code = r[code_col]
        pop, period = population.get(code, (None, None))
        out.append(
            Place(
                code=code,
                name=r[level],
                level=level,
                lat=r["centroid_lat"],
                lon=r["centroid_lon"],
                area_km2=r["area_km2"],
                kecamatan_code=r["kode_kec"],
                aliases=tuple(EXTRA_ALIASES.get(code, ())),
                population=pop,
                population_period=period,
                area_official_km2=areas.get(code),
            )
        )
    return out


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    kec = pd.read_csv(DATA_DIR / "facts_kecamatan.csv", dtype={"kode_kec": str})
    kel = pd.read_csv(DATA_DIR / "facts_kelurahan.csv", dtype={"kode_kel": str, "kode_kec": str})
    pop = _population_table()
    kec_pop = _latest_population(pop, "kecamatan", "kode_kec")
    kel_pop = _latest_population(pop, "kelurahan", "kode_kel")
    areas = pop[pop["indicator"] == "area_official"]
    kec_area = dict(
        zip(areas[areas.level == "kecamatan"].kode_kec, areas[areas.level == "kecamatan"].value, strict=True)
    )
    kel_area = dict(
        zip(areas[areas.level == "kelurahan"].kode_kel, areas[areas.level == "kelurahan"].value, strict=True)
    )
    kecamatan = _places(kec, "kecamatan", "kode_kec", kec_pop, kec_area)
    kelurahan = _places(kel, "kelurahan", "kode_kel", kel_pop, kel_area)
    return Gazetteer(kecamatan, kelurahan, _latest_population(pop, "kota", "kode_kec").get(CITY_CODE))
