"""Importing a city's official boundaries: read, convert, repair, measure, match, then accept or refuse.

`python -m data_feeds import boundaries PATH` takes kelurahan polygons as GeoJSON, Shapefile, GeoPackage, or a
zip of one. Every feature must match exactly one gazetteer kelurahan, by Kemendagri code or by
name (case, spacing, brackets and known variants forgiven; near misses matched fuzzily within
their kecamatan), and every gazetteer kelurahan must be present. A file that does not fit is
refused with a report that names each problem, and the boundaries in use stay as they were.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from tqdm import tqdm

from . import gazetteer
from .boundaries import METRIC, WGS84

CODE_RE = re.compile(r"^\s*36\.?71\.?(\d{2})\.?(\d{4})\s*$")
NAME_COLUMNS = ("kelurahan", "nama_kel", "nm_kel", "wadmkd", "namobj", "desa", "nama_desa", "kel_desa", "name", "nama")
KEC_COLUMNS = ("kecamatan", "nama_kec", "nm_kec", "wadmkc", "kec")
FUZZY_CUTOFF = 0.85
MAX_GAP_SHARE = 0.005  # gaps or overlaps above 0.5 % of the city's area mean the layer does not fit together
SLIVER_M2 = 1.0


@dataclass
class ImportReport:
    path: str
    features: int = 0
    crs_found: str | None = None
    crs_converted: bool = False
    code_column: str | None = None
    name_column: str | None = None
    matched_by: dict = field(default_factory=lambda: {"code": 0, "name": 0, "fuzzy": 0})
    repaired: list = field(default_factory=list)
    broken: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    area_km2: float = 0.0
    gap_km2: float = 0.0
    gaps: int = 0
    overlap_km2: float = 0.0
    overlaps: int = 0
    problems: list = field(default_factory=list)
    accepted: bool = False
    written_to: str | None = None

    def text(self) -> str:
        lines = [
            f"Boundary import: {self.path}",
            f"  features read: {self.features}",
            f"  CRS found: {self.crs_found or 'none'}" + (" -> converted to EPSG:4326" if self.crs_converted else ""),
            f"  matched to the gazetteer: {sum(self.matched_by.values())} of 104 kelurahan "
            f"(by code {self.matched_by['code']}, by name {self.matched_by['name']}, fuzzy {self.matched_by['fuzzy']})"
            + (f"; code column '{self.code_column}'" if self.code_column else "")
            + (f"; name column '{self.name_column}'" if self.name_column else ""),
            f"  area {self.area_km2:.2f} km2; gaps {self.gaps} ({self.gap_km2:.4f} km2); overlaps {self.overlaps} "
            f"({self.overlap_km2:.4f} km2)",
        ]
        for title, items in (
            ("repaired geometries", self.repaired),
            ("broken geometries", self.broken),
            ("unmatched features", self.unmatched),
            ("code/name conflicts", self.conflicts),
            ("duplicates", self.duplicates),
            ("missing kelurahan", self.missing),
        ):
            if items:
                lines.append(f"  {title} ({len(items)}):")
                lines += [f"    - {item}" for item in items]
        if self.accepted:
            lines.append(
                f"ACCEPTED: written to {self.written_to}" if self.written_to else "ACCEPTED (dry run: nothing written)"
            )
        else:
            lines.append("REFUSED: the boundaries in use are unchanged. Problems:")
            lines += [f"  * {p}" for p in self.problems]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)


def read_any(path: Path) -> gpd.GeoDataFrame:
    """GeoJSON, Shapefile, GeoPackage, or a zip holding one (GDAL reads inside the zip)."""
    if path.suffix.lower() == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as zf:
            inner = [n for n in zf.namelist() if n.lower().endswith((".shp", ".gpkg", ".geojson", ".json"))]
        if not inner:
            raise ValueError(f"{path.name} holds no .shp, .gpkg or .geojson file")
        return gpd.read_file(f"/vsizip/{path.resolve()}/{inner[0]}")
    return gpd.read_file(path)


def _label(row, idx: int, name_col: str | None, code_col: str | None) -> str:
    parts = [f"feature #{idx + 1}"]
    if code_col and row.get(code_col) not in (None, ""):
        parts.append(f"code {row[code_col]!s}")
    if name_col and row.get(name_col) not in (None, ""):
        parts.append(f"'{row[name_col]!s}'")
    return " ".join(parts)


def _code(value) -> str | None:
    m = CODE_RE.match(str(value)) if value is not None else None
    return f"{gazetteer.CITY_CODE}.{m.group(1)}.{m.group(2)}" if m else None


def _pick_columns(gdf: gpd.GeoDataFrame, gz: gazetteer.Gazetteer) -> tuple[str | None, str | None, str | None]:
    cols = [c for c in gdf.columns if c != "geometry"]
    best_code, best_share = None, 0.0
    for c in cols:
        share = np.mean([_code(v) in gz.kelurahan for v in gdf[c]]) if len(gdf) else 0
        if share > best_share:
            best_code, best_share = c, share
    code_col = best_code if best_share >= 0.5 else None
    lower = {c.lower(): c for c in cols}
    name_col = next((lower[n] for n in NAME_COLUMNS if n in lower), None)
    kec_col = next((lower[n] for n in KEC_COLUMNS if n in lower), None)
    return code_col, name_col, kec_col


def _name_fits(name: str, place: gazetteer.Place) -> bool:
    keys = {k for n in (place.name, *place.aliases) for k in gazetteer.names_for(n)}
    wanted = gazetteer.normalise_name(name)
    return wanted in keys or bool(difflib.get_close_matches(wanted, list(keys), n=1, cutoff=FUZZY_CUTOFF))


def _match_by_name(name: str, kec_name: str | None, gz: gazetteer.Gazetteer) -> tuple[str | None, str]:
    kec = gz.find_kecamatan(kec_name) if kec_name else None
    places = gz.find_kelurahan(name, kec.code if kec else None)
    if len(places) == 1:
        return places[0].code, "name"
    if len(places) > 1:
        return None, "ambiguous"
    pool = gz.kelurahan_of(kec.code) if kec else list(gz.kelurahan.values())
    keys = {k: p.code for p in pool for n in (p.name, *p.aliases) for k in gazetteer.names_for(n)}
    close = difflib.get_close_matches(gazetteer.normalise_name(name), list(keys), n=2, cutoff=FUZZY_CUTOFF)
    codes = {keys[c] for c in close}
    return (codes.pop(), "fuzzy") if len(codes) == 1 else (None, "none")


def examine(path: Path) -> tuple[ImportReport, gpd.GeoDataFrame | None]:
    """Read and check a boundary file: read -> in WGS84 -> each feature's geometry and identity -> the layer ->
    the verdict. -> (report, normalised kelurahan layer or None when refused)."""
    report = ImportReport(path=str(path))
    gz = gazetteer.load()
    try:
        gdf = read_any(path)
    except Exception as exc:  # noqa: BLE001 - any reader error is a refusal with its reason
        report.problems.append(f"cannot read the file: {exc}")
        return report, None
    report.features = len(gdf)
    gdf = _in_wgs84(gdf, report)
    if gdf is None:
        return report, None
    code_col, name_col, kec_col = _pick_columns(gdf, gz)
    report.code_column, report.name_column = code_col, name_col
    rows = gdf.drop(columns="geometry").to_dict("records")
    geoms = list(gdf.geometry.values)
    assigned: dict[str, int] = {}
    keep_geoms, keep_codes = [], []
    for i in tqdm(range(len(gdf)), desc="checking features", unit="feature", disable=len(gdf) < 2000, leave=False):
        label = _label(rows[i], i, name_col, code_col)
        geom = _polygon(geoms[i], label, report)
        code, how = (None, "") if geom is None else _identity(rows[i], label, (code_col, name_col, kec_col), gz, report)
        if code is None:
            continue
        if code in assigned:
            report.duplicates.append(
                f"{label}: {gz.kelurahan[code].name} ({code}) already given by feature #{assigned[code] + 1}"
            )
            continue
        assigned[code] = i
        report.matched_by[how] += 1
        keep_geoms.append(geom)
        keep_codes.append(code)
    report.missing = [
        f"{p.name} ({p.code}, Kec. {gz.kecamatan[p.kecamatan_code].name})"
        for code, p in sorted(gz.kelurahan.items())
        if code not in assigned
    ]
    layer = _layer(keep_codes, keep_geoms, gz) if keep_geoms else None
    if layer is not None:
        _measure_fit(layer, report)
    _judge(report)
    return report, layer if report.accepted else None


def _in_wgs84(gdf: gpd.GeoDataFrame, report: ImportReport) -> gpd.GeoDataFrame | None:
    """The layer in longitude/latitude: converted from its CRS, or read as such when it has none and fits."""
    report.crs_found = gdf.crs.to_string() if gdf.crs is not None else None
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds if len(gdf) else (0, 0, 0, 0)
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            report.crs_found = "none (coordinates read as WGS84 longitude/latitude)"
            return gdf.set_crs(WGS84)
        report.problems.append("the file has no CRS and its coordinates are not longitude/latitude")
        return None
    if not gdf.crs.equals(WGS84):
        report.crs_converted = True
        return gdf.to_crs(WGS84)
    return gdf


def _polygon(geom, label: str, report: ImportReport):
    """The feature's geometry when present and polygonal, repaired when invalid; None (noted) otherwise."""
    if geom is None or geom.is_empty:
        report.broken.append(f"{label}: no geometry")
        return None
    if not shapely.is_valid(geom):
        fixed = shapely.make_valid(geom)
        polys = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(polys) if polys else None
        if fixed is None or fixed.is_empty:
            report.broken.append(f"{label}: invalid geometry that cannot be repaired ({shapely.is_valid_reason(geom)})")
            return None
        report.repaired.append(f"{label}: {shapely.is_valid_reason(geom)}")
        geom = fixed
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        report.broken.append(f"{label}: {geom.geom_type}, not a polygon")
        return None
    return geom


def _identity(row: dict, label: str, columns: tuple, gz, report: ImportReport) -> tuple[str | None, str]:
    """(the feature's kelurahan code, how it was matched): by code, checked against the name; else by name. The code
    is None (noted in the report) when neither identifies one kelurahan."""
    code_col, name_col, kec_col = columns
    code = _code(row.get(code_col)) if code_col else None
    name = str(row.get(name_col) or "").strip() if name_col else ""
    if code in gz.kelurahan:
        if name and not _name_fits(name, gz.kelurahan[code]):
            report.conflicts.append(f"{label}: code {code} is {gz.kelurahan[code].name} in the gazetteer, not '{name}'")
            return None, "code"
        return code, "code"
    if not name:
        report.unmatched.append(f"{label}: no Kemendagri code or name to match")
        return None, ""
    code, how = _match_by_name(name, row.get(kec_col) if kec_col else None, gz)
    if code is None:
        report.unmatched.append(
            f"{label}: "
            + (
                "name fits several kelurahan; give a code or kecamatan"
                if how == "ambiguous"
                else "no kelurahan of that code or name in Kota Tangerang"
            )
        )
        return None, how
    return code, how


def _layer(codes: list[str], geoms: list, gz) -> gpd.GeoDataFrame:
    return (
        gpd.GeoDataFrame(
            {
                "kode_kel": codes,
                "kelurahan": [gz.kelurahan[c].name for c in codes],
                "kode_kec": [gz.kelurahan[c].kecamatan_code for c in codes],
                "kecamatan": [gz.kecamatan[gz.kelurahan[c].kecamatan_code].name for c in codes],
            },
            geometry=geoms,
            crs=WGS84,
        )
        .sort_values("kode_kel")
        .reset_index(drop=True)
    )


def _judge(report: ImportReport) -> None:
    """Each kind of problem in one line (the first ten named), gaps and overlaps past their share; accepted if none."""
    for title, items in (
        ("broken geometries", report.broken),
        ("unmatched features", report.unmatched),
        ("code/name conflicts", report.conflicts),
        ("duplicate kelurahan", report.duplicates),
        ("missing kelurahan", report.missing),
    ):
        if items:
            report.problems.append(
                f"{len(items)} {title}: " + "; ".join(items[:10]) + (" ..." if len(items) > 10 else "")
            )
    if report.area_km2 and report.gap_km2 > MAX_GAP_SHARE * report.area_km2:
        report.problems.append(
            f"gaps between kelurahan cover {report.gap_km2:.3f} km2, over {MAX_GAP_SHARE:.1%} of the city"
        )
    if report.area_km2 and report.overlap_km2 > MAX_GAP_SHARE * report.area_km2:
        report.problems.append(
            f"kelurahan overlap by {report.overlap_km2:.3f} km2, over {MAX_GAP_SHARE:.1%} of the city"
        )
    report.accepted = not report.problems


def _measure_fit(layer: gpd.GeoDataFrame, report: ImportReport) -> None:
    """Gaps (holes inside the union) and overlaps (pairwise intersections), in metres, vectorised."""
    polys = layer.to_crs(METRIC).geometry.values
    report.area_km2 = float(shapely.area(shapely.union_all(polys))) / 1e6
    tree = shapely.STRtree(polys)
    a, b = tree.query(polys, predicate="intersects")
    pairs = a < b
    inter = shapely.area(shapely.intersection(polys[a[pairs]], polys[b[pairs]]))
    report.overlap_km2 = float(inter.sum()) / 1e6
    report.overlaps = int((inter > SLIVER_M2).sum())
    union = shapely.union_all(polys)
    holes = [shapely.Polygon(r) for part in getattr(union, "geoms", [union]) for r in part.interiors]
    hole_areas = shapely.area(holes) if holes else np.array([])
    report.gap_km2 = float(np.sum(hole_areas)) / 1e6
    report.gaps = int((hole_areas > SLIVER_M2).sum())


def import_boundaries(path: Path, target: Path, dry_run: bool = False) -> ImportReport:
    """Examine `path`; when it fits, replace `target` atomically (the old file stays until then)."""
    report, layer = examine(path)
    if report.accepted and not dry_run:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(layer.to_json(drop_id=True), encoding="utf-8")
        os.replace(tmp, target)
        meta = {
            "source_file": str(path),
            "imported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "report": report.to_dict(),
        }
        target.with_suffix(".meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        report.written_to = str(target)
    return report
