"""Point location: which kelurahan and kecamatan a coordinate falls in, or how far outside it is.

Polygons are projected to metres once and indexed in an STRtree; a lookup is one tree
query, so assigning many points is vectorised (see `assign`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from .boundaries import METRIC, WGS84, BoundarySet

_to_metric = Transformer.from_crs(WGS84, METRIC, always_xy=True)


@dataclass(frozen=True)
class Location:
    inside: bool
    kode_kel: str | None
    kelurahan: str | None
    kode_kec: str | None
    kecamatan: str | None
    distance_outside_m: float  # 0 when inside


class Locator:
    def __init__(self, boundaries: BoundarySet, tolerance_m: float):
        """tolerance_m: points this close outside the outline still count (GPS error, schematic edges)."""
        kel = boundaries.kelurahan.to_crs(METRIC)
        self.tolerance_m = tolerance_m
        self._codes = kel["kode_kel"].to_numpy()
        self._names = kel["kelurahan"].to_numpy()
        self._kec_codes = kel["kode_kec"].to_numpy()
        self._kec_names = kel["kecamatan"].to_numpy()
        self._polys = kel.geometry.values
        self._tree = shapely.STRtree(self._polys)
        self._outline = shapely.union_all(self._polys)
        shapely.prepare(self._outline)

    def _project(self, lon, lat) -> np.ndarray:
        x, y = _to_metric.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return shapely.points(x, y)

    def codes(self, idx: int) -> tuple[str, str]:
        """(kecamatan code, kelurahan code) of a kelurahan found by `assign`."""
        return str(self._kec_codes[idx]), str(self._codes[idx])

    def assign(self, lon, lat) -> np.ndarray:
        """Vectorised: index of the containing kelurahan for each point, nearest within tolerance, else -1."""
        pts = np.atleast_1d(self._project(lon, lat))
        result = np.full(len(pts), -1, dtype=np.int64)
        pidx, kidx = self._tree.query(pts, predicate="intersects")
        result[pidx] = kidx  # a point on a shared edge takes the last match; either is right
        missing = np.flatnonzero(result < 0)
        if len(missing) and self.tolerance_m > 0:
            near_p, near_k = self._tree.query_nearest(pts[missing], max_distance=self.tolerance_m, all_matches=False)
            result[missing[near_p]] = near_k
        return result

    def locate(self, lon: float, lat: float) -> Location:
        """One point (the intake path): scalar projection and one tree query, no array set-up."""
        point = shapely.Point(*_to_metric.transform(float(lon), float(lat)))
        hits = self._tree.query(point, predicate="intersects")
        if len(hits):
            idx, distance = int(hits[-1]), 0.0
        else:
            distance = float(shapely.distance(point, self._outline))
            near = (
                self._tree.query_nearest(point, max_distance=self.tolerance_m, all_matches=False)
                if self.tolerance_m > 0
                else []
            )
            idx = int(near[0]) if len(near) else -1
        if idx < 0:
            nearest = int(self._tree.nearest(point))
            return Location(False, None, None, self._kec_codes[nearest], self._kec_names[nearest], distance)
        return Location(True, self._codes[idx], self._names[idx], self._kec_codes[idx], self._kec_names[idx], distance)
