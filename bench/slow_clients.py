"""Slow clients and floods against the product as `python app.py` runs it.

    .venv/bin/python -m bench.slow_clients [--slow 200] [--flood 200] [--seconds 15]

For each configuration (web server, rate limits as shipped or off), in one run, so the figures sit
beside their baseline:
  * quiet: /healthz every 100 ms and the wall's panels callback (a click on a kecamatan) every 250 ms, nothing else;
  * slow: the same while --slow sockets each send a POST's headers and then its body at 1 byte/s
    (no key needed: a slow body stalls a server before it reads any key);
  * flood: the wall's page (GET /) every 250 ms while wrk holds --flood connections from this one
    address posting reports as fast as it can; how many were answered other than 2xx (the limit's 429s).
A probe that gets no answer within 3 s counts as 3 s. Results: bench/results/slow_clients.json.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import threading
import time

import requests

from bench.common import WRK_POST_LUA, need, save, summary_ms, tmpdir
from tests.stack import LiveStack

TIMEOUT_S = 3.0
BODY = {"source": "laksa", "category": "sampah", "title": "Tumpukan sampah banjir", "lat": -6.1805, "lon": 106.6297}


def panels_request(url: str, http: requests.Session) -> dict:
    """The wall's indicator-panels callback (what a click on a kecamatan runs) as the browser sends it."""
    deps = http.get(f"{url}/_dash-dependencies", timeout=30).json()
    panels = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == "live-mark")
    outputs = [
        {"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in panels["output"].strip(".").split("...")
    ]
    values = {"live-mark": {"mark": "", "demo": {}}, "selection": "36.71.07", "measure": "open", "url": "/"}
    return {
        "output": panels["output"],
        "outputs": outputs,
        "changedPropIds": ["selection.data"],
        "inputs": [{"id": i["id"], "property": i["property"], "value": values[i["id"]]} for i in panels["inputs"]],
        "state": [{"id": "lang", "property": "data", "value": "id"}],
    }


def probe(stop: threading.Event, every_s: float, call) -> list[float]:
    times = []
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            call()
            times.append(time.perf_counter() - t0)
        except requests.RequestException:
            times.append(TIMEOUT_S)
        stop.wait(max(0.0, every_s - (time.perf_counter() - t0)))
    return times


def measure(url: str, seconds: float, calls: dict) -> dict:
    """Run every probe for `seconds`. -> {name: latency summary}."""
    stop, out, threads = threading.Event(), {}, []
    for name, (every, call) in calls.items():
        t = threading.Thread(target=lambda n=name, e=every, c=call: out.__setitem__(n, probe(stop, e, c)))
        t.start()
        threads.append(t)
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return {
        name: summary_ms(times) | {"timeouts": sum(1 for t in times if t >= TIMEOUT_S)} for name, times in out.items()
    }


def slow_sockets(port: int, n: int, stop: threading.Event) -> threading.Thread:
    """n connections that send a POST's headers, then its body at 1 byte a second, until stopped."""
    head = (
        f"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: 100000\r\n\r\n"
    ).encode()
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(head)
        socks.append(s)

    def trickle():
        while not stop.wait(1.0):
            for s in list(socks):
                try:
                    s.send(b" ")
                except OSError:
                    socks.remove(s)  # the server gave up on it: fine
        for s in socks:
            s.close()

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    return t


def flood(url: str, key: str, connections: int, seconds: float, wrk: str, folder) -> subprocess.Popen:
    script = folder / "flood.lua"
    script.write_text(WRK_POST_LUA % (json.dumps(BODY), key))
    return subprocess.Popen(
        [
            wrk,
            "-t2",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"{url}/api/v1/reports",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


CONFIGS = {  # name: (web server, limits)
    "granian": ("granian", True),
    "granian_limits_off": ("granian", False),
    "gunicorn": ("gunicorn", True),
}


def run_server(name: str, args, wrk: str) -> dict:
    from data_feeds.settings import Settings

    server, limited = CONFIGS[name]
    shipped = Settings.from_env()
    limits = (
        {"RATE_LIMIT_PER_KEY": shipped.rate_limit_per_key, "RATE_LIMIT_PER_ADDRESS": shipped.rate_limit_per_address}
        if limited
        else {}
    )  # (LiveStack's own default: limits out of the way)
    folder = tmpdir(f"slow-{name}")
    stack = LiveStack(folder, demo=False, env={"WEB_SERVER": server, **limits}).wait_ready()
    try:
        session = stack.session("pimpinan")  # a signed-in dashboard's cookies and CSRF header
        body = panels_request(stack.url, session)
        calls = {
            "healthz": (0.1, lambda: session.get(f"{stack.url}/healthz", timeout=TIMEOUT_S).raise_for_status()),
            "wall_panels": (
                0.25,
                lambda: session.post(
                    f"{stack.url}/_dash-update-component", json=body, timeout=TIMEOUT_S
                ).raise_for_status(),
            ),
        }
        out = {"quiet": measure(stack.url, args.seconds, calls)}
        stop = threading.Event()
        trickler = slow_sockets(stack.port, args.slow, stop)
        time.sleep(1.0)
        out[f"slow_{args.slow}"] = measure(stack.url, args.seconds, calls)
        stop.set()
        trickler.join()
        page = {"wall_page": (0.25, lambda: session.get(f"{stack.url}/", timeout=TIMEOUT_S).raise_for_status())}
        out["page_quiet"] = measure(stack.url, args.seconds / 2, page)
        proc = flood(stack.url, stack.key, args.flood, args.seconds, wrk, folder)
        time.sleep(1.0)
        out[f"page_under_flood_{args.flood}"] = measure(stack.url, args.seconds - 2, page)
        line = next((ln for ln in proc.communicate()[0].splitlines() if ln.startswith("JSON ")), "JSON {}")
        out["flood"] = json.loads(line[5:])
        return out
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    args = parser.parse_args()
    wrk = need("wrk")
    from data_feeds.settings import Settings

    shipped = Settings.from_env()
    results = {name: run_server(name, args, wrk) for name in args.configs.split(",")}
    save(
        "slow_clients",
        {
            "command": "python -m bench.slow_clients",
            "slow_sockets": args.slow,
            "flood_connections": args.flood,
            "seconds_per_phase": args.seconds,
            "probe_timeout_s": TIMEOUT_S,
            "limits_shipped": {"per_key": shipped.rate_limit_per_key, "per_address": shipped.rate_limit_per_address},
            "configs": results,
        },
    )


if __name__ == "__main__":
    main()
