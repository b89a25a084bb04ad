"""Helpers shared by the benchmarks: machine description, percentiles, result files."""

from __future__ import annotations

import atexit
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_gb, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(values_s: list[float]) -> dict:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": round(pct(ms, 50), 1),
        "p95_ms": round(pct(ms, 95), 1),
        "p99_ms": round(pct(ms, 99), 1),
        "median_ms": round(statistics.median(ms), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
    }


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    result = {"machine": machine(), **result}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return path


def tmpdir(prefix: str) -> Path:
    """A scratch folder, removed when the benchmark exits (a 1M-report store is over 1 GB)."""
    path = Path(tempfile.mkdtemp(prefix=f"liveroom-bench-{prefix}-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def need(tool: str) -> str:
    path = subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip()
    if not path:
        raise SystemExit(
            f"{tool} is needed for this benchmark (Debian: apt-get install {tool}); `make bench` installs it"
        )
    return path


# wrk posting one JSON body with a key, as fast as its connections allow; prints one "JSON {...}" line of totals
# (non2xx: answers other than 2xx/3xx, e.g. a rate limit's 429) and latency percentiles in microseconds.
WRK_POST_LUA = """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "%s"
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %%d, \\"non2xx\\": %%d, \\"errors\\": %%d, \\"p50_us\\": %%d, "
    .. "\\"p95_us\\": %%d, \\"p99_us\\": %%d, \\"duration_us\\": %%d}\\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.duration))
end
"""
