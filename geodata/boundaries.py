"""Boundary layers: the schematic default built from the gazetteer, or imported official ones.

The default geometry is derived only from the facts tables (representative points and
areas): a Voronoi diagram of the 104 kelurahan points, clipped to a city outline made of
area-sized discs whose size is calibrated so the outline's area equals the sum of the
kelurahan areas. It is honest about being schematic; a city loads its own Satu Peta
boundaries through the importer and they replace it.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from pathlib import Path

import geobuf
import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPoint

from . import gazetteer

WGS84 = "EPSG:4326"
METRIC = "EPSG:32748"  # UTM 48S: metres, the city's own zone
DEFAULT_PATH = gazetteer.DATA_DIR / "default_kelurahan.geojson"
CLOSING_M = 400.0  # fills the slivers between discs so the outline is one piece
EMPTY_LAYER = {"type": "FeatureCollection", "features": []}  # (geobuf cannot carry an empty collection to dash-leaflet)


def _kelurahan_points() -> gpd.GeoDataFrame:
    gz = gazetteer.load()
    rows = [
        {
            "kode_kel": p.code,
            "kelurahan": p.name,
            "kode_kec": p.kecamatan_code,
            "kecamatan": gz.kecamatan[p.kecamatan_code].name,
            "area_km2": p.area_km2,
        }
        for p in gz.kelurahan.values()
    ]
    pts = shapely.points([p.lon for p in gz.kelurahan.values()], [p.lat for p in gz.kelurahan.values()])
    return gpd.GeoDataFrame(rows, geometry=pts, crs=WGS84).to_crs(METRIC)


def _outline(points: gpd.GeoDataFrame, scale: float) -> shapely.Geometry:
    radii = np.sqrt(points["area_km2"].to_numpy() * 1e6 / math.pi) * scale
    discs = shapely.buffer(points.geometry.values, radii, quad_segs=16)
    merged = shapely.union_all(discs).buffer(CLOSING_M).buffer(-CLOSING_M)
    if merged.geom_type == "MultiPolygon":  # keep the city body, drop stray islands
        merged = max(merged.geoms, key=lambda g: g.area)
    return shapely.Polygon(merged.exterior)


def build_default() -> gpd.GeoDataFrame:
    """Schematic kelurahan polygons (EPSG:4326), reproducible from the facts tables alone."""
    points = _kelurahan_points()
    target = points["area_km2"].sum() * 1e6
    lo, hi = 0.5, 2.0
    for _ in range(30):  # bisection: outline area grows monotonically with disc scale
        mid = (lo + hi) / 2
        if _outline(points, mid).area < target:
            lo = mid
        else:
            hi = mid
    outline = _outline(points, (lo + hi) / 2)
    cells = shapely.voronoi_polygons(MultiPoint(list(points.geometry)), extend_to=outline.envelope.buffer(5000))
    cells = gpd.GeoDataFrame(geometry=list(cells.geoms), crs=METRIC)
    owned = gpd.sjoin(cells, points, predicate="contains", how="inner")
    owned["geometry"] = owned.geometry.intersection(outline)
    out = owned.drop(columns=["index_right"]).sort_values("kode_kel").reset_index(drop=True)
    out["area_km2"] = out.geometry.area / 1e6
    out["schematic"] = True
    out = out.to_crs(WGS84)
    out["geometry"] = shapely.set_precision(out.geometry.values, 1e-6)
    return out[["kode_kel", "kelurahan", "kode_kec", "kecamatan", "area_km2", "schematic", "geometry"]]


def write_default(path: Path = DEFAULT_PATH) -> Path:
    gdf = build_default()
    path.write_text(gdf.to_json(drop_id=True, to_wgs84=True, show_bbox=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class BoundarySet:
    """The boundaries in use: kelurahan polygons, their kecamatan dissolve, and where they came from."""

    kelurahan: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    kind: str  # "schematic" | "official"
    source: str
    key: str = ""  # changes whenever the boundaries do: caches of prepared layers are keyed on it

    @property
    def outline(self) -> shapely.Geometry:
        return shapely.union_all(self.kecamatan.geometry.values)

    def layer_geojson(self, level: str, kode_kec: str | None = None, simplify_m: float = 0.0) -> dict:
        """Compact GeoJSON for the map: label and styling properties only, 5-decimal coordinates (~1 m),
        optionally one kecamatan's part, optionally simplified as a coverage (neighbours keep sharing edges)."""
        gdf = self.kecamatan if level == "kecamatan" else self.kelurahan
        cols = ["kode_kec", "kecamatan"] if level == "kecamatan" else ["kode_kel", "kelurahan", "kode_kec", "kecamatan"]
        out = gdf[cols + ["geometry"]].copy()
        if simplify_m:
            metric = out.geometry.to_crs(METRIC)
            out["geometry"] = (
                gpd.GeoSeries(shapely.coverage_simplify(metric.values, simplify_m), crs=METRIC).to_crs(WGS84).values
            )
        if kode_kec:
            out = out[out["kode_kec"] == kode_kec]
        out["geometry"] = shapely.set_precision(out.geometry.values, 1e-5)
        data = json.loads(out.to_json(drop_id=True))
        for f in data["features"]:
            f["id"] = f["properties"]["kode_kec" if level == "kecamatan" else "kode_kel"]
        return data

    def layer_geobuf(self, level: str, kode_kec: str | None = None, simplify_m: float = 0.0) -> str:
        """The same layer as base64 geobuf, dash-leaflet's compact format (about 7x smaller than GeoJSON)."""
        return base64.b64encode(geobuf.encode(self.layer_geojson(level, kode_kec, simplify_m), 5)).decode()


def dissolve_kecamatan(kelurahan: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    kec = kelurahan.to_crs(METRIC).dissolve(by=["kode_kec", "kecamatan"], as_index=False)[
        ["kode_kec", "kecamatan", "geometry"]
    ]
    kec["geometry"] = kec.geometry.buffer(0)
    return kec.to_crs(WGS84).sort_values("kode_kec").reset_index(drop=True)


def load_boundaries(official_path: Path | None = None) -> BoundarySet:
    """Official boundaries when a city has imported them, otherwise the schematic default."""
    if official_path is not None and official_path.exists():
        kel = gpd.read_file(official_path)
        kind, source, stamp = "official", str(official_path), official_path.stat().st_mtime_ns
    else:
        kel = gpd.read_file(DEFAULT_PATH)
        kind, source, stamp = "schematic", "skema dari titik representatif gazetteer (bukan batas resmi)", 0
    kel = kel.set_crs(WGS84, allow_override=True) if kel.crs is None else kel.to_crs(WGS84)
    return BoundarySet(
        kelurahan=kel, kecamatan=dissolve_kecamatan(kel), kind=kind, source=source, key=f"{kind}:{stamp}"
    )


def boundaries_stamp(official_path: Path | None) -> int:
    """Cheap change check (one stat): the key part load_boundaries would produce."""
    try:
        return official_path.stat().st_mtime_ns if official_path is not None else 0
    except FileNotFoundError:
        return 0
