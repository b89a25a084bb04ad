"""The initial city figures (vaccination, programs, apps) from the source articles, with as-of dates."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

SEED_PATH = Path(__file__).with_name("seed_figures.csv")

# Where each source document was published (from the documents themselves).
SOURCE_LABELS = {
    "000_8f01242637fc287f.txt": "Suararepubliknews, 28 Feb 2022",
    "001_673150ac8423e2ad.txt": "TangerangNews.com, 27 Feb 2019",
    "002_cf8f6392c937ebc7.txt": "BANPOS (tag Pemkot Tangerang), Jul–Agu 2023",
    "003_dbdaf6fd72b6ac4e.txt": "Berita daring: Aplikasi LAKSA",
    "004_87cf74267b028340.txt": "Berita Evaluasi Smart City, 13 Nov 2023",
}


@lru_cache(maxsize=1)
def figures() -> dict[str, dict]:
    with SEED_PATH.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for r in rows:
        value = float(r["value"])
        out[r["metric"]] = {
            "value": int(value) if value.is_integer() else value,
            "unit": r["unit"],
            "as_of": r["as_of"],
            "source": SOURCE_LABELS.get(r["source"], r["source"]),
            "note": r["note"],
        }
    return out
