"""Run every benchmark in turn (what `make bench` does); each writes bench/results/<name>.json."""

from __future__ import annotations

import subprocess
import sys

BENCHES = [
    "bench.ingest",
    "bench.snapshot_scale",
    "bench.live_channel",
    "bench.map_layers",
    "bench.indicators",
    "bench.slow_clients",
    "bench.search",
    "bench.report_browser",
    "bench.cold_page",
    "bench.evidence_pack",
]

if __name__ == "__main__":
    for name in BENCHES:
        print(f"== {name}", flush=True)
        code = subprocess.call([sys.executable, "-m", name])
        if code:
            sys.exit(code)
