"""The map: gazetteer, schematic default boundaries, point location, and the official-boundary importer."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import geopandas as gpd
import pytest
import shapely

from data_feeds.settings import PROJECT_DIR
from geodata import boundaries, gazetteer
from geodata.importer import examine, import_boundaries
from geodata.locate import Locator
from tests.helpers import at_kelurahan, sign_in


@pytest.fixture(scope="module")
def official(shared_dir):
    return shared_dir / "geodata" / "official" / "kelurahan.geojson"


def test_gazetteer_has_the_city_in_kemendagri_codes():
    gz = gazetteer.load()
    assert len(gz.kecamatan) == 13 and len(gz.kelurahan) == 104
    assert all(len(gz.kelurahan_of(code)) > 0 for code in gz.kecamatan)
    assert sum(len(gz.kelurahan_of(code)) for code in gz.kecamatan) == 104
    assert gz.find_kecamatan("Batu Ceper").code == gz.find_kecamatan("batuceper").code == "36.71.03"
    assert gz.find_kecamatan("Pinang (Penang)").code == "36.71.11"
    assert [p.code for p in gz.find_kelurahan("Neroktog")] == ["36.71.11.1003"]
    assert [p.code for p in gz.find_kelurahan("Kelurahan Sumur Pacing")] == ["36.71.07.1008"]
    assert gz.kecamatan["36.71.05"].population == 248210  # SP2020, from population.csv
    assert gz.kecamatan["36.71.13"].population is None  # not found yet: stays missing, never invented


def test_default_boundaries_are_schematic_and_consistent():
    bs = boundaries.load_boundaries(None)
    assert bs.kind == "schematic"
    assert sorted(bs.kelurahan["kode_kel"]) == sorted(gazetteer.load().kelurahan)
    assert len(bs.kecamatan) == 13
    metric = bs.kelurahan.to_crs(boundaries.METRIC)
    facts_total = sum(p.area_km2 for p in gazetteer.load().kelurahan.values())
    assert metric.area.sum() / 1e6 == pytest.approx(facts_total, rel=0.02)  # outline calibrated to the facts' areas
    assert shapely.coverage_is_valid(metric.geometry.values)  # no overlaps between kelurahan


def test_default_boundaries_rebuild_reproducibly():
    committed = gpd.read_file(boundaries.DEFAULT_PATH).sort_values("kode_kel").reset_index(drop=True)
    rebuilt = boundaries.build_default().sort_values("kode_kel").reset_index(drop=True)
    assert list(committed["kode_kel"]) == list(rebuilt["kode_kel"])
    sym = shapely.area(shapely.symmetric_difference(committed.geometry.values, rebuilt.geometry.values))
    assert sym.max() < 1e-9  # degrees^2: identical up to the stored precision


def _points_land_home(bs: boundaries.BoundarySet) -> list[str]:
    gz = gazetteer.load()
    loc = Locator(bs, tolerance_m=0)
    places = list(gz.kelurahan.values())
    idx = loc.assign([p.lon for p in places], [p.lat for p in places])
    return [p.code for p, i in zip(places, idx, strict=True) if i < 0 or loc._codes[i] != p.code]


def test_every_representative_point_lands_in_its_own_kelurahan_in_the_default_geometry():
    assert _points_land_home(boundaries.load_boundaries(None)) == []


def test_every_representative_point_lands_in_its_own_kelurahan_in_the_imported_geometry(official, tmp_path):
    target = tmp_path / "official_kelurahan.geojson"
    assert import_boundaries(official, target).accepted
    bs = boundaries.load_boundaries(target)
    assert bs.kind == "official" and len(bs.kecamatan) == 13
    assert _points_land_home(bs) == []


def test_official_fixture_imports_all_104_by_code(official, tmp_path):
    report = import_boundaries(official, tmp_path / "b.geojson")
    assert report.accepted, report.text()
    assert report.matched_by == {"code": 104, "name": 0, "fuzzy": 0}
    assert report.missing == [] and report.gaps == 0 and report.overlaps == 0
    written = gpd.read_file(tmp_path / "b.geojson")
    assert sorted(written["kode_kel"]) == sorted(gazetteer.load().kelurahan)
    assert written["kode_kec"].nunique() == 13


def test_names_in_kemendagri_spelling_match_without_codes(official, tmp_path):
    gdf = gpd.read_file(official)[["kelurahan_src", "kecamatan", "geometry"]].rename(
        columns={"kelurahan_src": "nama_kel"}
    )
    path = tmp_path / "names_only.geojson"
    gdf.to_file(path, driver="GeoJSON")
    report, layer = examine(path)
    assert report.accepted, report.text()
    assert report.matched_by["code"] == 0 and report.matched_by["name"] + report.matched_by["fuzzy"] == 104
    assert layer.set_index("kode_kel").loc["36.71.11.1003", "kelurahan"] == "Nerogtog"  # Neroktog


def test_other_crs_is_found_and_converted(official, tmp_path):
    path = tmp_path / "utm.gpkg"
    gpd.read_file(official).to_crs(boundaries.METRIC).to_file(path, driver="GPKG")
    report, layer = examine(path)
    assert report.accepted and report.crs_converted and "32748" in report.crs_found
    assert layer.crs.to_epsg() == 4326


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")  # shapefile name truncation
@pytest.mark.parametrize("fmt", ["shp", "gpkg", "zip"])
def test_shapefile_geopackage_and_zip_import_the_same_as_geojson(official, tmp_path, fmt):
    src = gpd.read_file(official)
    if fmt == "shp":
        path = tmp_path / "kel.shp"
        src.to_file(path)  # shapefile field names are cut to 10 characters: kode_kel survives
    elif fmt == "gpkg":
        path = tmp_path / "kel.gpkg"
        src.to_file(path, driver="GPKG")
    else:
        src.to_file(tmp_path / "kel.shp")
        path = tmp_path / "kel.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for part in tmp_path.glob("kel.*"):
                if part.suffix != ".zip":
                    zf.write(part, part.name)
    expected, base = examine(official)
    report, layer = examine(path)
    assert report.accepted, report.text()
    assert report.matched_by == expected.matched_by
    assert list(layer["kode_kel"]) == list(base["kode_kel"])
    assert report.area_km2 == pytest.approx(expected.area_km2, rel=1e-6)


def test_renamed_missing_and_broken_features_are_refused_and_named(official, tmp_path):
    gdf = gpd.read_file(official)
    gdf.loc[gdf["kode_kel"] == "36.71.01.1003", ["kelurahan", "kelurahan_src"]] = "Kampung Fiktif"  # renamed
    gdf.loc[gdf["kode_kel"] == "36.71.05.1001", "geometry"] = shapely.LineString(
        [(106.67, -6.19), (106.68, -6.20)]
    )  # broken
    gdf = gdf[gdf["kode_kel"] != "36.71.13.1001"]  # missing
    bad = tmp_path / "bad.geojson"
    gdf.to_file(bad, driver="GeoJSON")
    target = tmp_path / "official_kelurahan.geojson"
    assert import_boundaries(official, target).accepted
    before = target.read_bytes()

    report = import_boundaries(bad, target)
    assert not report.accepted
    text = report.text()
    assert "Kampung Fiktif" in text and "36.71.01.1003" in text and "Tanah Tinggi" in text  # the rename, named
    assert any("36.71.05.1001" in b and "LineString" in b for b in report.broken)  # the broken one
    assert any("36.71.13.1001" in m for m in report.missing)  # the missing one
    assert "REFUSED" in text
    assert target.read_bytes() == before  # the boundaries in use are unchanged


def test_invalid_geometry_is_repaired_and_reported(official, tmp_path):
    gdf = gpd.read_file(official)
    i = gdf.index[gdf["kode_kel"] == "36.71.02.1001"][0]
    ring = list(gdf.geometry[i].exterior.coords)
    gdf.loc[i, "geometry"] = shapely.Polygon(ring[:-1] + [ring[len(ring) // 2], ring[0]])  # a self-touching ring
    path = tmp_path / "invalid.geojson"
    gdf.to_file(path, driver="GeoJSON")
    report, layer = examine(path)
    if not report.repaired:
        pytest.skip("this edit happened to stay valid")
    assert report.accepted and "36.71.02.1001" in report.repaired[0]


def test_cli_exit_status_says_imported_or_refused(official, tmp_path):
    env = {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(
        [sys.executable, "-m", "data_feeds", "import", "boundaries", str(official)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ACCEPTED" in ok.stdout and (tmp_path / "boundaries" / "official_kelurahan.geojson").exists()
    missing = tmp_path / "nothing.geojson"
    refused = subprocess.run(
        [sys.executable, "-m", "data_feeds", "import", "boundaries", str(missing)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "REFUSED" in refused.stdout


@pytest.mark.parametrize("tolerance", [0, 750])
def test_points_outside_are_refused_or_snapped_within_tolerance(tolerance):
    loc = Locator(boundaries.load_boundaries(None), tolerance_m=tolerance)
    outline = shapely.union_all(boundaries.load_boundaries(None).kecamatan.to_crs(boundaries.METRIC).geometry.values)
    # a point 300 m south of the outline's southernmost vertex
    x, y = min(outline.exterior.coords, key=lambda c: c[1])
    lon, lat = boundaries_to_wgs84(x, y - 300)
    near = loc.locate(lon, lat)
    assert near.inside is (tolerance > 0) and near.distance_outside_m == pytest.approx(300, abs=5)
    assert bool(loc.assign([lon], [lat])[0] >= 0) is (tolerance > 0)
    far = loc.locate(106.63, -6.40)
    assert not far.inside and far.kecamatan and far.distance_outside_m > 10_000


def boundaries_to_wgs84(x, y):
    from pyproj import Transformer

    return Transformer.from_crs(boundaries.METRIC, boundaries.WGS84, always_xy=True).transform(x, y)


def test_a_running_app_uses_newly_imported_boundaries_without_restart(official, services, client):
    assert services.boundaries.kind == "schematic"
    sign_in(client, services, "pimpinan")
    assert "skematis" in client.get("/_dash-layout").get_data(as_text=True)
    schematic_locator = services.locator
    assert import_boundaries(official, services.settings.official_boundaries_path).accepted
    assert services.boundaries.kind == "official"
    assert services.locator is not schematic_locator and services.locator.tolerance_m == 30.0
    assert "Batas wilayah resmi" in client.get("/_dash-layout").get_data(as_text=True)
    point = at_kelurahan("36.71.07.1014")  # Suka Jadi's representative point: inside it on either geometry
    created = client.post(
        "/api/v1/reports",
        json={"source": "laksa", "category": "sampah", "title": "Sampah menumpuk", **point},
        headers={"X-API-Key": services.test_keys["laksa"]},
    )
    assert created.status_code == 201 and created.get_json()["kelurahan"]["code"] == "36.71.07.1014"
