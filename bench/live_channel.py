"""A thousand connected dashboards on this machine: the live channel's idle cost and POST 201 -> pixel.

    .venv/bin/python -m bench.live_channel [--dashboards 1000] [--reports 30] [--idle-seconds 30]

Starts `python app.py --no-demo` in a scratch folder. One dashboard is a real headless Chromium wall (the
observer): a MutationObserver records when each new report's marker is on its screen. The other N-1 are
protocol-level clients (aiohttp, in two processes) that follow the live channel exactly as live_link.js
does (the page's ticket, /live/events, Last-Event-ID), because in the room each wall renders on its own
machine: a thousand Chromiums on two cores would measure this box's rendering, not the product.

All in one run, each figure beside its limit:
  1. idle   all N connected, nothing changing: CPU of every server process (app.py and all under it: web
            server, live channel, worker, Redis), from /proc, as a share of one core (limit 0.25);
  2. change a report posted every 1.5 s: POST 201 -> marker on the observer's screen (limit p95 1 s), and
            -> the message at each protocol client;
  3. poll   the same N dashboards on the fallback instead (each asks /live/poll every 1.5 s), idle: what a
            poll would cost, beside the push.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from multiprocessing import Pool
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from bench.common import save, summary_ms, tmpdir
from geodata import gazetteer
from tests.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.stack import LiveStack

POLL_S = 1.5
TICK = os.sysconf("SC_CLK_TCK")

OBSERVER = """
() => {
  window.__seen = {};
  const mark = (id, how) => { if (!(id in window.__seen)) window.__seen[id] = [Date.now(), how]; };
  const pane = document.querySelector('.leaflet-marker-pane');
  new MutationObserver(muts => {
    for (const m of muts) for (const n of m.addedNodes) {
      if (!n.querySelector) continue;
      const el = n.querySelector('[data-report-id]');
      if (el) mark(el.dataset.reportId, 'marker');
    }
  }).observe(pane, {childList: true, subtree: true});
  // A marker that lands in a cluster has no element of its own: counted when the map data holding it
  // has been applied and painted.
  const merge = window.dash_clientside.liveroom.merge;
  window.dash_clientside.liveroom.merge = function (delta, current) {
    const out = merge(delta, current);
    if (delta && delta.upserts) {
      const ids = delta.upserts.map(f => f.id);
      requestAnimationFrame(() => setTimeout(() => ids.forEach(id => {
        if (!document.querySelector('.leaflet-marker-pane [data-report-id="' + id + '"]')) mark(id, 'cluster');
      }), 0));
    }
    return out;
  };
}
"""


# -- protocol-level dashboards ------------------------------------------------------------------------


def stopped(stop_at: tuple[float, str]) -> bool:
    """(deadline, stop file): the run's main process ends a phase early by making the file."""
    return time.time() > stop_at[0] or os.path.exists(stop_at[1])


async def _stream(session, base: str, ticket: str, seen: dict, stop_at: float) -> None:
    """One dashboard on the stream: reads events, notes when each report first arrives, reconnects with
    the version it had (as EventSource does with Last-Event-ID)."""
    import aiohttp

    last = None
    while not stopped(stop_at):
        headers = {"Last-Event-ID": last} if last else {}
        try:
            async with session.get(
                f"{base}/live/events",
                params={"t": ticket},
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=None, sock_read=None),
            ) as resp:
                buf = b""
                while not stopped(stop_at):
                    try:
                        chunk = await asyncio.wait_for(resp.content.readany(), timeout=1.0)
                    except TimeoutError:
                        continue
                    if not chunk:
                        break
                    buf += chunk
                    while b"\n\n" in buf:
                        event, buf = buf.split(b"\n\n", 1)
                        if b"event: msg" not in event:
                            continue
                        now = time.time()
                        data = json.loads(event.split(b"data: ", 1)[1])
                        last = data["v"]
                        for f in data.get("up", []):
                            seen.setdefault(f["id"], now)
        except (aiohttp.ClientError, OSError):
            await asyncio.sleep(1)


async def _poll(session, base: str, ticket: str, seen: dict, stop_at: float) -> None:
    have = None
    await asyncio.sleep(random.uniform(0, POLL_S))
    while not stopped(stop_at):
        try:
            async with session.get(
                f"{base}/live/poll", params={"t": ticket, **({"have": have} if have else {})}
            ) as resp:
                body = await resp.json()
            for m in body["msgs"]:
                have = m["v"]
                for f in m.get("up", []):
                    seen.setdefault(f["id"], time.time())
        except Exception:  # noqa: BLE001 - count on: a bench client never stops the run
            pass
        await asyncio.sleep(POLL_S)


def clients_process(args: tuple) -> dict:
    """Run `n` dashboards in this process until `stop_at`. -> {report id: [arrival time per client]}."""
    base, ticket, n, stop_at, mode = args

    async def main():
        import aiohttp

        connector = aiohttp.TCPConnector(limit=0, force_close=False)
        seen_by = [{} for _ in range(n)]
        async with aiohttp.ClientSession(connector=connector) as session:
            run = _stream if mode == "stream" else _poll
            await asyncio.gather(*[run(session, base, ticket, seen_by[i], stop_at) for i in range(n)])
        merged: dict[str, list[float]] = {}
        for seen in seen_by:
            for rid, at in seen.items():
                merged.setdefault(rid, []).append(at)
        return merged

    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return asyncio.run(main())


# -- the server's CPU ----------------------------------------------------------------------------------


def stack_cpu_seconds(root: int) -> dict[int, float]:
    """CPU seconds (user + system) of `root` and every process under it (app.py, and the web server, channel,
    worker and Redis it started; the web server runs in a session of its own, so this follows parents)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)  # ppid, utime + stime
    tree, grew = {root}, True
    while grew:
        below = {pid for pid, (ppid, _) in stats.items() if ppid in tree} - tree
        tree |= below
        grew = bool(below)
    return {pid: stats[pid][1] for pid in tree if pid in stats}


def core_share(root: int, seconds: float) -> float:
    before, started = stack_cpu_seconds(root), time.monotonic()
    time.sleep(seconds)
    after, elapsed = stack_cpu_seconds(root), time.monotonic() - started
    used = sum(after[p] - before.get(p, 0.0) for p in after)
    return round(used / elapsed, 4)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def channel_pid(root: int) -> int | None:
    for pid in stack_cpu_seconds(root):
        try:
            if b"data_feeds.runtime.channel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            pass
    return None


def wait_clients(stack: LiveStack, n: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    got = 0
    while time.monotonic() < deadline:
        got = requests.get(stack.channel_url + "/live/healthz", timeout=5).json()["clients"]
        if got >= n:
            break
        time.sleep(0.5)
    return got


def ticket_for(stack: LiveStack) -> str:
    http = requests.Session()
    http.get(stack.enter("pimpinan"), timeout=10)
    return http.get(stack.url + "/_liveroom/ticket", timeout=10).json()["t"]


def run(dashboards: int, n_reports: int, idle_s: float, seed: int = 7) -> dict:
    stack = LiveStack(tmpdir("channel"), demo=False).wait_ready()
    root = stack.proc.pid
    procs = 2
    others = dashboards - 1
    per = [others // procs + (1 if i < others % procs else 0) for i in range(procs)]
    places = list(gazetteer.load().kelurahan.values())
    rng = random.Random(seed)
    result: dict = {"dashboards": dashboards}
    try:
        ticket = ticket_for(stack)
        args = CHROMIUM_ARGS + [
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
        ]
        with sync_playwright() as pw, Pool(procs) as pool:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
            observer = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            observer.goto(stack.enter("pimpinan"))
            observer.wait_for_selector(".leaflet-marker-pane", state="attached")
            observer.wait_for_function("() => window.liveroomLink && window.liveroomLink.info().token", timeout=30000)
            observer.evaluate(OBSERVER)

            # 1 and 2: all on the stream
            change_s = n_reports * 1.5 + 10
            stop = Path(f"/tmp/liveroom-bench-channel-{os.getpid()}-stream")
            stop_at = (time.time() + 120 + idle_s + change_s, str(stop))
            pending = pool.map_async(clients_process, [(stack.channel_url, ticket, k, stop_at, "stream") for k in per])
            result["connected"] = wait_clients(stack, dashboards)
            time.sleep(3)
            result["idle_stream_core_share"] = core_share(root, idle_s)
            pid = channel_pid(root)
            result["channel_rss_mb"] = rss_mb(pid) if pid else None
            posted: dict[str, float] = {}
            for i in range(n_reports):
                p = rng.choice(places)
                body = {
                    "source": "laksa",
                    "category": "sampah",
                    "title": f"Bench channel {i}",
                    "lat": p.lat,
                    "lon": p.lon,
                }
                resp = requests.post(f"{stack.url}/api/v1/reports", headers=stack.headers, json=body, timeout=10)
                posted[resp.json()["id"]] = time.time()
                time.sleep(1.5)
            time.sleep(5)
            seen = observer.evaluate("window.__seen")
            stop.touch()
            parts = pending.get(timeout=60)
            stop.unlink()
            pixel = [(seen[rid][0] / 1000 - t) for rid, t in posted.items() if rid in seen]
            delivered = [at - posted[rid] for part in parts for rid, ats in part.items() if rid in posted for at in ats]
            result["pixel"] = {"seen": len(pixel), "of": n_reports, **summary_ms(pixel)}
            result["message_at_clients"] = {
                "deliveries": len(delivered),
                "expected": n_reports * others,
                **summary_ms(delivered),
            }

            # 3: the same dashboards polling the fallback
            stop_at = (time.time() + idle_s + 60, str(stop) + "-poll")
            pending = pool.map_async(clients_process, [(stack.channel_url, ticket, k, stop_at, "poll") for k in per])
            time.sleep(8)
            result["idle_poll_core_share"] = core_share(root, idle_s)
            Path(stop_at[1]).touch()
            pending.get(timeout=60)
            Path(stop_at[1]).unlink()
            browser.close()
    finally:
        stack.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dashboards", type=int, default=1000)
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--idle-seconds", type=float, default=30)
    args = parser.parse_args()
    result = run(args.dashboards, args.reports, args.idle_seconds)
    save(
        "live_channel",
        {
            "command": "python -m bench.live_channel",
            "what": "N dashboards on the live channel (1 real Chromium + N-1 protocol clients); server CPU from "
            "/proc over its "
            "whole process tree; POST 201 -> marker on the Chromium's screen",
            "limits": {"idle_core_share": 0.25, "pixel_p95_ms": 1000},
            **result,
        },
    )


if __name__ == "__main__":
    main()
