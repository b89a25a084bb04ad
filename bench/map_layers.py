"""The map's figures: point assignment speed, bytes per boundary layer, first map paint, and how
close the schematic default boundaries come to the official ones.

    .venv/bin/python -m bench.map_layers

The official boundaries are the test fixture in ../shared/geodata/official (read, never copied);
without it the agreement figures are skipped.
"""

from __future__ import annotations

import json
import time

import numpy as np
import shapely
from playwright.sync_api import sync_playwright

from bench.common import save, summary_ms, tmpdir
from callbacks.pages import OVERVIEW_SIMPLIFY_M
from callbacks.selection import DRILL_SIMPLIFY_M
from data_feeds.settings import PROJECT_DIR
from geodata import boundaries
from geodata.locate import Locator
from tests.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.stack import LiveStack

OFFICIAL = PROJECT_DIR.parent / "shared" / "geodata" / "official" / "kelurahan.geojson"

FIRST_PAINT = """
window.__firstPolygon = null;
new MutationObserver((_, obs) => {
  if (document.querySelector('.leaflet-overlay-pane path')) {
    requestAnimationFrame(() => { window.__firstPolygon = performance.now(); });
    obs.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def assign_speed(bs: boundaries.BoundarySet, n: int = 100_000, runs: int = 5) -> dict:
    rng = np.random.default_rng(1)
    minx, miny, maxx, maxy = bs.kelurahan.total_bounds
    lon, lat = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    loc = Locator(bs, tolerance_m=0)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        idx = loc.assign(lon, lat)
        times.append(time.perf_counter() - t0)
    return {"points": n, "inside_share": round(float((idx >= 0).mean()), 3), "seconds": summary_ms(times)}


def layer_bytes(bs: boundaries.BoundarySet) -> dict:
    """What the browser receives: the kecamatan overview as geobuf (simplified 10 m) in the page, and one
    kecamatan's kelurahan as GeoJSON (simplified 2 m) on drill-down; plain GeoJSON sizes beside them."""
    per_kec = {
        code: len(json.dumps(bs.layer_geojson("kelurahan", code, DRILL_SIMPLIFY_M)))
        for code in sorted(bs.kecamatan["kode_kec"])
    }
    return {
        "kecamatan_overview_sent_bytes": len(bs.layer_geobuf("kecamatan", simplify_m=OVERVIEW_SIMPLIFY_M)),
        "kecamatan_plain_geojson_bytes": len(json.dumps(bs.layer_geojson("kecamatan"))),
        "kelurahan_of_one_kecamatan_sent_bytes": {"min": min(per_kec.values()), "max": max(per_kec.values())},
        "all_kelurahan_plain_geojson_bytes": len(json.dumps(bs.layer_geojson("kelurahan"))),
    }


def first_paint(runs: int = 5) -> dict:
    stack = LiveStack(tmpdir("paint"), demo=False).wait_ready()
    out = {"to_first_polygon_ms": [], "to_dom_content_loaded_ms": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1920, "height": 1080})
                page = context.new_page()
                page.add_init_script(FIRST_PAINT)
                page.goto(stack.enter("pimpinan"))
                page.wait_for_function("() => window.__firstPolygon !== null", timeout=60_000)
                out["to_first_polygon_ms"].append(page.evaluate("window.__firstPolygon") / 1000)
                out["to_dom_content_loaded_ms"].append(
                    page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd") / 1000
                )
                context.close()
            browser.close()
    finally:
        stack.stop()
    return {k: summary_ms(v) for k, v in out.items()}


def agreement(default: boundaries.BoundarySet, official: boundaries.BoundarySet) -> dict:
    result = {}
    for level, key in (("kecamatan", "kode_kec"), ("kelurahan", "kode_kel")):
        a = getattr(default, level).to_crs(boundaries.METRIC).set_index(key).geometry
        b = getattr(official, level).to_crs(boundaries.METRIC).set_index(key).geometry.reindex(a.index)
        inter = shapely.area(shapely.intersection(a.values, b.values))
        union = shapely.area(shapely.union(a.values, b.values))
        iou = inter / union
        worst = int(np.argmin(iou))
        result[level] = {
            "mean_iou": round(float(iou.mean()), 3),
            "median_iou": round(float(np.median(iou)), 3),
            "worst_iou": round(float(iou[worst]), 3),
            "worst": str(a.index[worst]),
        }
    return result


def main() -> None:
    default = boundaries.load_boundaries(None)
    result = {
        "command": "python -m bench.map_layers",
        "assign_100k_points_default": assign_speed(default),
        "layers_default": layer_bytes(default),
    }
    if OFFICIAL.exists():
        official = boundaries.load_boundaries(OFFICIAL)
        result["assign_100k_points_official"] = assign_speed(official)
        result["layers_official"] = layer_bytes(official)
        result["schematic_vs_official"] = agreement(default, official)
    else:
        result["schematic_vs_official"] = f"skipped: {OFFICIAL} not found"
    result["first_map_paint"] = first_paint()
    save("map_layers", result)


if __name__ == "__main__":
    main()
