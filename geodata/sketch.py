"""A report's place as a small drawing: its kecamatan, the kelurahan in it, and the point, as SVG paths.

The report page shows it instead of a tiled map: it needs no script and no tile server, prints on paper,
and opens at once on a phone. Drawn from the boundaries in use (schematic by default), so it says where,
not exactly where the line runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely

from .boundaries import BoundarySet

SIZE = 320.0  # the drawing's longer side, in SVG units
PAD = 8.0


@dataclass(frozen=True)
class Sketch:
    view_box: str
    kecamatan: str  # path data: the kecamatan's outline
    kelurahan: tuple[tuple[str, str, bool], ...]  # (code, path data, is the report's kelurahan)
    point: tuple[float, float] | None  # the report, in drawing units; None when it lies outside the drawing
    kecamatan_name: str


def _path(geom: shapely.Geometry, to_xy) -> str:
    parts = []
    polygons = getattr(geom, "geoms", [geom])
    for poly in polygons:
        for ring in [poly.exterior, *poly.interiors]:
            xy = [to_xy(x, y) for x, y in ring.coords]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
    return "".join(parts)


_FRAMES: dict[tuple[str, str], tuple | None] = {}  # (boundary set key, kecamatan): 13 per boundary set


def _frame(boundaries: BoundarySet, kode_kec: str):
    key = (boundaries.key, kode_kec)
    if key not in _FRAMES:
        if len(_FRAMES) > 64:
            _FRAMES.clear()
        _FRAMES[key] = _draw(boundaries, kode_kec)
    return _FRAMES[key]


def _draw(boundaries: BoundarySet, kode_kec: str):
    kec = boundaries.kecamatan[boundaries.kecamatan["kode_kec"] == kode_kec]
    if kec.empty:
        return None
    geom = kec.geometry.iloc[0]
    minx, miny, maxx, maxy = geom.bounds
    squeeze = math.cos(math.radians((miny + maxy) / 2))  # a degree of longitude is shorter than one of latitude
    width, height = (maxx - minx) * squeeze, maxy - miny
    scale = (SIZE - 2 * PAD) / max(width, height, 1e-9)

    def to_xy(lon: float, lat: float) -> tuple[float, float]:
        return PAD + (lon - minx) * squeeze * scale, PAD + (maxy - lat) * scale

    tolerance = max(width, height) / 400  # under a unit of the drawing
    kel = boundaries.kelurahan[boundaries.kelurahan["kode_kec"] == kode_kec]
    parts = tuple((row.kode_kel, _path(row.geometry.simplify(tolerance), to_xy)) for row in kel.itertuples())
    box = f"0 0 {width * scale + 2 * PAD:.0f} {height * scale + 2 * PAD:.0f}"
    return box, _path(geom.simplify(tolerance), to_xy), parts, to_xy, str(kec["kecamatan"].iloc[0])


def sketch(
    boundaries: BoundarySet, kode_kec: str | None, kode_kel: str | None, lon: float, lat: float
) -> Sketch | None:
    """The drawing of a report's kecamatan with its point; None when the report has no kecamatan."""
    frame = _frame(boundaries, kode_kec) if kode_kec else None
    if frame is None:
        return None
    box, outline, parts, to_xy, name = frame
    x, y = to_xy(lon, lat)
    _, _, w, h = (float(v) for v in box.split())
    return Sketch(
        view_box=box,
        kecamatan=outline,
        kelurahan=tuple((code, d, code == kode_kel) for code, d in parts),
        point=(x, y) if 0 <= x <= w and 0 <= y <= h else None,
        kecamatan_name=name,
    )
