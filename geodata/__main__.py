"""The map's command: `python -m geodata build-default` rebuilds the schematic default boundaries from the facts
tables. Official boundaries are imported into a running installation with `python -m data_feeds import boundaries`."""

from __future__ import annotations

import argparse
import sys

from geodata import boundaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build-default", help="rebuild geodata/data/default_kelurahan.geojson from the gazetteer")
    parser.parse_args(argv)
    path = boundaries.write_default()
    gdf = boundaries.build_default()
    print(f"wrote {path} ({len(gdf)} kelurahan, {gdf['kode_kec'].nunique()} kecamatan, schematic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
