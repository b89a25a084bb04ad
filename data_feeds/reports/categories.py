"""The routing table: categories, their default OPD and SLAs, the OPDs, and the known feed sources."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE_PATH = Path(__file__).with_name("categories.toml")


@dataclass(frozen=True)
class Opd:
    code: str
    name: str
    short: str
    pillar: str = "governance"


@dataclass(frozen=True)
class Category:
    code: str
    name_id: str
    name_en: str
    opd: str
    sla_response_hours: float
    sla_resolution_hours: float
    sla_basis: str = "stated default (no published target found)"  # where the targets come from

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_id


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    stale_after_s: int


@dataclass(frozen=True)
class RoutingTable:
    categories: dict[str, Category]
    opds: dict[str, Opd]
    sources: dict[str, Source]

    def default_opd(self, category: str) -> Opd:
        return self.opds[self.categories[category].opd]


@lru_cache(maxsize=4)
def load(path: Path = TABLE_PATH) -> RoutingTable:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    opds = {code: Opd(code=code, **v) for code, v in raw["opd"].items()}
    cats = {code: Category(code=code, **v) for code, v in raw["category"].items()}
    for c in cats.values():
        if c.opd not in opds:
            raise ValueError(f"{path}: category {c.code} routes to unknown OPD {c.opd!r}")
    sources = {str(code): Source(code=str(code), **v) for code, v in raw["source"].items()}
    return RoutingTable(categories=cats, opds=opds, sources=sources)
