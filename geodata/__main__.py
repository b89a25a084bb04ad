"""The map's commands.

python -m geodata build-default     rebuild the schematic default boundaries from the facts tables
python -m geodata import PATH       import official kelurahan boundaries (exit 0 imported, 2 refused)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geodata import boundaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build-default", help="rebuild geodata/data/default_kelurahan.geojson from the gazetteer")
    imp = sub.add_parser("import", help="import official kelurahan boundaries (GeoJSON, Shapefile, GeoPackage, zip)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check and report only")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.command == "import":
        from data_feeds.runtime.settings import Settings

        from geodata.importer import import_boundaries

        report = import_boundaries(args.path, Settings.from_env().official_boundaries_path, dry_run=args.dry_run)
        print(json.dumps(report.to_dict(), indent=2) if args.json else report.text())
        if report.accepted and not args.dry_run:
            print("A running dashboard draws and locates with them from its next page load.")
        return 0 if report.accepted else 2
    if args.command == "build-default":
        path = boundaries.write_default()
        gdf = boundaries.build_default()
        print(f"wrote {path} ({len(gdf)} kelurahan, {gdf['kode_kec'].nunique()} kecamatan, schematic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
