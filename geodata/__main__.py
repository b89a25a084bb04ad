"""`python -m geodata build-default`: rebuild the schematic default boundaries from the facts tables."""
from __future__ import annotations

import argparse
import sys

from . import boundaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build-default", help="rebuild geodata/data/default_kelurahan.geojson from the gazetteer")
    args = parser.parse_args(argv)
    if args.command == "build-default":
        path = boundaries.write_default()
        gdf = boundaries.build_default()
        print(f"wrote {path} ({len(gdf)} kelurahan, {gdf['kode_kec'].nunique()} kecamatan, schematic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
