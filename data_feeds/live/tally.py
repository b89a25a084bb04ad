"""The snapshot's pure tally: open, today's and resolved-today counts and first-response times per (OPD, area),
grouped once, so the city and every agency view sum a few of them. No store, no clock: rows in, figures out."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from .shapes import Kpi

COUNT_KEYS = ("today", "baru", "diproses", "selesai_today")
KECAMATAN_COUNT_KEYS = ("baru", "diproses", "selesai_today")  # what the map's count points show


def zero_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


@dataclass
class Tally:
    areas: list[str]  # "city" and every kecamatan code
    ttfr_window: timedelta
    by_opd: dict[str | None, dict[str, dict[str, int]]] = field(default_factory=dict)
    waits_by_opd: dict[str | None, dict[str, list[float]]] = field(default_factory=dict)

    def _areas_of(self, code: str | None) -> Iterable[str]:
        """A report counts for the city and for its kecamatan (when it has a known one)."""
        yield "city"
        if code in self.areas and code != "city":
            yield code

    def count(self, code: str | None, opd: str | None, key: str, n: int) -> None:
        for area in self._areas_of(code):
            self.by_opd.setdefault(opd, {}).setdefault(area, zero_counts())[key] += n

    def wait(self, code: str | None, opd: str | None, seconds: float) -> None:
        for area in self._areas_of(code):
            self.waits_by_opd.setdefault(opd, {}).setdefault(area, []).append(round(float(seconds), 3))

    def kpis(self, opds: frozenset[str] | None) -> dict[str, Kpi]:
        """KPIs per area of the reports routed to `opds` (None: all of them)."""
        chosen = [o for o in set(self.by_opd) | set(self.waits_by_opd) if opds is None or o in opds]
        out = {}
        for area in self.areas:
            counts, waits = zero_counts(), []
            for o in chosen:
                for key, n in self.by_opd.get(o, {}).get(area, {}).items():
                    counts[key] += n
                waits.extend(self.waits_by_opd.get(o, {}).get(area, ()))
            out[area] = {
                **counts,
                "ttfr_median_s": statistics.median(waits) if waits else None,
                "ttfr_n": len(waits),
                "ttfr_window_days": self.ttfr_window.days,
            }
        return out


def tally(
    kecamatan: Iterable[str],
    per_kec: Iterable[tuple],
    today_kec: Iterable[tuple],
    done_kec: Iterable[tuple],
    responded: Iterable[tuple],
    ttfr_window: timedelta,
) -> Tally:
    """per_kec: (kecamatan, OPD, status, open count); today_kec and done_kec: ((kecamatan, OPD), count);
    responded: (kecamatan, OPD, seconds to first response, within the tile's window)."""
    t = Tally(areas=["city", *kecamatan], ttfr_window=ttfr_window)
    for code, opd, status, n in per_kec:
        t.count(code, opd, status, n)
    for rows, key in ((today_kec, "today"), (done_kec, "selesai_today")):
        for (code, opd), n in rows:
            t.count(code, opd, key, n)
    for code, opd, seconds, recent in responded:
        if recent and seconds is not None and seconds >= 0:
            t.wait(code, opd, seconds)
    return t


def kecamatan_counts(kpi: dict[str, Kpi], kecamatan: Iterable[str]) -> dict[str, dict[str, int]]:
    return {code: {k: kpi[code][k] for k in KECAMATAN_COUNT_KEYS} for code in kecamatan}
