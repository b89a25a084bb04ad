"""The live channel under a slow-socket attack, beside its baseline (the socket guard off) in the same run.

    .venv/bin/python -m bench.channel_sockets [--attack 8000] [--walls 20] [--seconds 12]

For each configuration, the product as `python app.py` runs it (tests/stack.py), with `--walls` dashboards following
the channel from 127.0.0.1 first; then `--attack` connections from another address (127.0.0.2) each send most of a
request head and nothing more (issue 27 finding 3: 21,000 of them filled the channel's descriptors):
  * guarded: as shipped (LIVE_HEAD_S, LIVE_PER_ADDRESS, and a total below the descriptor limit);
  * unguarded: LIVE_HEAD_S=0 LIVE_PER_ADDRESS=0 (uvicorn as it was: only the total cap).
Measured while the attack lasts: a new dashboard's /live/poll every 250 ms (latency; a failure counts as 3 s), the
gaps between beats on the dashboards already following, and the attack's sockets the channel still holds at the
end (it answered or closed the rest). Results: bench/results/channel_sockets.json.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time

import requests

from bench.common import save, summary_ms, tmpdir
from tests.stack import LiveStack

TIMEOUT_S = 3.0
CONFIGS = {"guarded": {}, "unguarded": {"LIVE_HEAD_S": "0", "LIVE_PER_ADDRESS": "0"}}


def follow(url: str, ticket: str, stop: threading.Event, gaps: list[float]) -> None:
    """One dashboard's stream: the seconds between the beats it hears."""
    with requests.get(f"{url}/live/events", params={"t": ticket}, stream=True, timeout=30) as resp:
        last = time.monotonic()
        for line in resp.iter_lines(decode_unicode=True):
            if line == "event: beat":
                now = time.monotonic()
                gaps.append(now - last)
                last = now
            if stop.is_set():
                return


def half_sent(port: int, n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        try:
            s = socket.socket()
            s.bind(("127.0.0.2", 0))  # another address than the dashboards'
            s.settimeout(5)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /live/events?t=x HTTP/1.1\r\nHost: live\r\nX-Slow: ")
            socks.append(s)
        except OSError:
            s.close()
            break  # out of descriptors or refused at the door
    return socks


def still_held(socks: list[socket.socket]) -> int:
    held = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                continue  # closed by the channel
        except BlockingIOError:
            held += 1  # open, nothing said
        except OSError:
            continue  # reset by the channel
    return held


def run(name: str, args) -> dict:
    stack = LiveStack(tmpdir(f"channel-{name}"), demo=False, env=CONFIGS[name]).wait_ready()
    try:
        session = stack.session("pimpinan")
        ticket = lambda: session.get(f"{stack.url}/_liveroom/ticket", timeout=10).json()["t"]  # noqa: E731
        stop, gaps = threading.Event(), []
        walls = [
            threading.Thread(target=follow, args=(stack.channel_url, ticket(), stop, gaps), daemon=True)
            for _ in range(args.walls)
        ]
        for t in walls:
            t.start()
        time.sleep(6)
        gaps.clear()
        probe_ticket, polls = ticket(), []
        started = time.monotonic()
        socks = half_sent(stack.live_port, args.attack)
        opened_s = time.monotonic() - started
        while time.monotonic() - started < args.seconds:
            t0 = time.perf_counter()
            try:
                requests.get(f"{stack.channel_url}/live/poll", params={"t": probe_ticket}, timeout=TIMEOUT_S)
                polls.append(time.perf_counter() - t0)
            except requests.RequestException:
                polls.append(TIMEOUT_S)
            time.sleep(0.25)
        held = still_held(socks)
        health = requests.get(f"{stack.channel_url}/live/healthz", timeout=10).json()
        stop.set()
        for s in socks:
            s.close()
        return {
            "attack_opened": len(socks),
            "attack_open_s": round(opened_s, 2),
            "attack_still_held_at_end": held,
            "new_dashboard_poll": summary_ms(polls) | {"failures": sum(1 for p in polls if p >= TIMEOUT_S)},
            "beat_gap_max_s": round(max(gaps), 2) if gaps else None,
            "beats_heard": len(gaps),
            "channel_sockets": health.get("sockets", {}),
        }
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attack", type=int, default=8000)
    parser.add_argument("--walls", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=12)
    args = parser.parse_args()
    from data_feeds.settings import Settings

    shipped = Settings.from_env()
    save(
        "channel_sockets",
        {
            "command": "python -m bench.channel_sockets",
            "attack_sockets": args.attack,
            "walls": args.walls,
            "seconds": args.seconds,
            "shipped": {"head_s": shipped.live_head_s, "per_address": shipped.live_per_address},
            "configs": {name: run(name, args) for name in CONFIGS},
        },
    )


if __name__ == "__main__":
    main()
