"""Colouring the map by a measure, with classes and colours that never move between refreshes.

Fixed breaks (not quantiles of today's data) so a colour means the same thing tomorrow, and a
viridis palette, which stays ordered for viewers with any common colour-vision deficiency and
in greyscale. Areas without a figure are drawn as "no data", never as zero.

The report breaks double from class to class, sized for a city of 1.9 million where a kecamatan holds tens of open
reports on an ordinary day (the first breaks, 2-5-10-20, put every kecamatan in the top class on such a day and
the map said nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import Gazetteer

PALETTE = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]  # viridis, 5 classes


@dataclass(frozen=True)
class Measure:
    key: str
    label_id: str
    label_en: str
    breaks: tuple[float, ...]  # upper bounds of the first len(PALETTE)-1 classes
    unit_id: str = ""
    unit_en: str = ""
    indicator: str = ""  # the indicator whose per-kecamatan progress (as %) colours the map

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


MEASURES = {
    m.key: m
    for m in (
        Measure("open", "Laporan terbuka", "Open reports", (10, 25, 50, 100)),
        Measure(
            "open_per_10k", "Laporan terbuka per 10.000 penduduk", "Open reports per 10,000 residents", (1, 2, 4, 8)
        ),
        Measure(
            "vaccination",
            "Cakupan vaksinasi dosis 2",
            "Dose 2 vaccination coverage",
            (50, 70, 85, 100),
            "%",
            "%",
            indicator="vaccination_dose_2",
        ),
        Measure(
            "programs",
            "Bedah rumah (% target)",
            "House renovation (% of target)",
            (25, 50, 75, 100),
            "%",
            "%",
            indicator="house_renovation",
        ),
    )
}


def values(
    measure: str, kecamatan_counts: dict, gz: Gazetteer, indicators: dict | None = None
) -> dict[str, float | None]:
    """Value per kecamatan code; None where the figure does not exist (yet): an indicator's figures exist
    per kecamatan only where a feed gives them."""
    out: dict[str, float | None] = {}
    per_place = (indicators or {}).get(MEASURES[measure].indicator, {})
    for code, place in gz.kecamatan.items():
        c = kecamatan_counts.get(code, {})
        open_ = c.get("baru", 0) + c.get("diproses", 0)
        if measure == "open":
            out[code] = open_
        elif measure == "open_per_10k":
            out[code] = round(open_ / place.population * 10_000, 2) if place.population else None
        else:
            progress = (per_place.get(code) or {}).get("progress")
            out[code] = round(100 * progress, 1) if progress is not None else None
    return out


def from_demo(measure: str, indicators: dict) -> bool:
    """Whether any kecamatan figure of the measure was synthesised by the demo feed (the legend says so)."""
    code = MEASURES[measure].indicator
    return bool(code) and any(e.get("demo") for place, e in indicators.get(code, {}).items() if place.count(".") == 2)


def classes(measure: str) -> list[tuple[float | None, float | None, str]]:
    """(from, to, colour) for the legend; from is None for the first class, to None for the last."""
    b = MEASURES[measure].breaks
    lows = (None, *b)
    highs = (*b, None)
    return list(zip(lows, highs, PALETTE, strict=True))
