"""Demo per-kecamatan indicator figures, so the kecamatan panels and the map's vaccination and
programme measures have something to show on a fresh install.

The city totals are real (the article figures); no feed gives kecamatan breakdowns yet, so the demo
splits the city totals across the 13 kecamatan by population (area times the city's density where
a kecamatan's population is not known), with noise, and adds a few earlier monthly figures for a
trend. Every figure it writes is stored with demo = 1 and a "simulasi" source, and the screen
labels it as demo wherever it appears.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from data_feeds.store import indicator_values
from geodata.gazetteer import CITY_CODE

from .series import IndicatorService

SOURCE = "Simulasi demo LIVE Room (bukan data resmi)"
VACC_GROWTH = {  # share of the final figure reached 3, 2 and 1 months before
    "vaccination_dose_1": (0.90, 0.95, 0.98),
    "vaccination_dose_2": (0.78, 0.87, 0.94),
    "vaccination_dose_3": (0.20, 0.45, 0.72),
}
RENOVATION = "house_renovation"


def _split(total: float, weights: dict[str, float], rng: random.Random) -> dict[str, int]:
    """Integers per key that add up to total exactly, roughly in proportion to weights."""
    noisy = {k: w * rng.lognormvariate(0, 0.08) for k, w in weights.items()}
    scale = total / sum(noisy.values())
    out = {k: int(w * scale) for k, w in noisy.items()}
    for k in sorted(noisy, key=lambda k: noisy[k] * scale - out[k], reverse=True)[: round(total - sum(out.values()))]:
        out[k] += 1
    return out


def synthesise(service: IndicatorService, seed: int = 7) -> int:
    """Write the demo figures once (skipped if any demo figure is stored). -> figures written."""
    with service.store.read() as conn:
        if conn.execute(select(indicator_values.c.id).where(indicator_values.c.demo == 1).limit(1)).first():
            return 0
    rng = random.Random(seed)
    gz = service.gz
    city_area = sum(p.area_km2 for p in gz.kecamatan.values())
    density = gz.city_population[0] / city_area if gz.city_population else 10_000
    weights = {code: p.population or p.area_km2 * density for code, p in gz.kecamatan.items()}
    items = []
    for code, growth in VACC_GROWTH.items():
        city = service.series(code, CITY_CODE, subject="")
        if not city:
            continue
        last = city[-1]
        as_of = date.fromisoformat(last["as_of"])
        for place, value in _split(last["value"], weights, rng).items():
            for months_before, share in zip((3, 2, 1, 0), (*growth, 1.0), strict=True):
                items.append(
                    {
                        "indicator": code,
                        "place": place,
                        "as_of": (as_of - timedelta(days=30 * months_before)).isoformat(),
                        "value": round(value * share),
                        "source": SOURCE,
                    }
                )
    targets = {r["place"]: r for r in service.across_places(RENOVATION, "target")}
    city_target = targets.get(CITY_CODE)
    if city_target:
        period = city_target["period"]
        given = {p: r["value"] for p, r in targets.items() if p in gz.kecamatan}  # real targets stay as they are
        rest = _split(
            city_target["value"] - sum(given.values()), {k: w for k, w in weights.items() if k not in given}, rng
        )
        done_on = f"{period}-12-31"
        total_done = 0
        for place in gz.kecamatan:
            target = given.get(place, rest.get(place, 0))
            if place not in given:
                items.append(
                    {
                        "indicator": RENOVATION,
                        "place": place,
                        "period": period,
                        "measure": "target",
                        "as_of": city_target["as_of"],
                        "value": target,
                        "source": SOURCE,
                    }
                )
            done = round(target * rng.uniform(0.45, 1.05))
            total_done += done
            items.append(
                {
                    "indicator": RENOVATION,
                    "place": place,
                    "period": period,
                    "as_of": done_on,
                    "value": done,
                    "source": SOURCE,
                }
            )
        items.append(
            {
                "indicator": RENOVATION,
                "place": CITY_CODE,
                "period": period,
                "as_of": done_on,
                "value": total_done,
                "source": SOURCE,
            }
        )
        for place, r in targets.items():  # kelurahan with a real target: a realisation near it
            if place.count(".") == 3:
                items.append(
                    {
                        "indicator": RENOVATION,
                        "place": place,
                        "period": period,
                        "as_of": done_on,
                        "value": round(r["value"] * rng.uniform(0.6, 1.0)),
                        "source": SOURCE,
                    }
                )
    if items:
        service.record(items, actor="demo", demo=True)
    return len(items)
