"""Past one machine: how fast a killed live worker is replaced, with two nodes on one PostgreSQL and one Redis.

    .venv/bin/python -m bench.scale_out [--kills 5]

Starts a throwaway PostgreSQL cluster (Debian's binaries), one Redis (the embedded Valkey) and two nodes,
each `python app.py` on its own ports (web server, live channel, a live worker; NODE_NAME node-a / node-b),
with a dashboard following each node's channel. Then, --kills times: SIGKILL the active worker (the
lease holder) and post a report through node A at once; measure SIGKILL -> another worker holds the lease,
and SIGKILL -> that report on the dashboards of both nodes. Limit: taken over within 10 s. Each round also
checks that the stream holds every report's creation exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time

import redis
import requests

from bench.common import save, summary_ms, tmpdir
from data_feeds.live.bus import Keys
from data_feeds.live.lease import LEASE_S
from data_feeds.runtime.embedded_redis import EmbeddedRedis
from tests.helpers import at_kelurahan, report_payload, wait_until
from tests.pg import ThrowawayPostgres
from tests.stack import ChannelFollower, LiveStack

PLACES = ["36.71.01.1001", "36.71.03.1005", "36.71.06.1001", "36.71.08.1004", "36.71.11.1004", "36.71.13.1004"]


def post(node: LiveStack, n: int) -> str:
    resp = requests.post(
        f"{node.url}/api/v1/reports",
        headers=node.headers,
        timeout=10,
        json=report_payload(title=f"Bench failover {n}", category="sampah", **at_kelurahan(PLACES[n % len(PLACES)])),
    )
    resp.raise_for_status()
    return resp.json()["id"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    folder = tmpdir("scale")
    pg = ThrowawayPostgres().start()
    server = EmbeddedRedis(folder / "redis")
    nodes = []
    try:
        env = {"DATABASE_URL": pg.new_database(), "REDIS_URL": server.start(), "SECRET_KEY": "bench-scale-out-" * 4}
        for name in ("node-a", "node-b"):
            (folder / name).mkdir()
            nodes.append(LiveStack(folder / name, demo=False, env={**env, "NODE_NAME": name}).wait_ready())
        r = redis.Redis.from_url(server.url)
        keys = Keys("liveroom")
        dashboards = [ChannelFollower(node) for node in nodes]
        posted = [post(nodes[0], 0)]
        wait_until(lambda: all(posted[0] in d.seen for d in dashboards))
        takeover, on_screens, holders = [], [], []
        for n in range(1, args.kills + 1):
            holder = wait_until(lambda: r.get(keys.lease)).decode()
            holders.append(holder)
            killed_at = time.time()
            os.kill(int(holder.split(":")[1]), signal.SIGKILL)
            rid = post(nodes[0], n)
            posted.append(rid)
            wait_until(lambda h=holder: (v := r.get(keys.lease)) and v.decode() != h, step=0.01, what="a takeover")
            takeover.append(time.time() - killed_at)
            wait_until(lambda rid=rid: all(rid in d.seen for d in dashboards))
            on_screens.append(max(d.seen_at[rid] for d in dashboards) - killed_at)
            time.sleep(2)  # the killed node's supervisor restarts its worker, which waits
        events = [json.loads(f[b"e"]) for _id, f in r.xrange(keys.events)]
        created = [e["report_id"] for e in events if e["kind"] == "created"]
        for d in dashboards:
            d.stop.set()
        save(
            "scale_out",
            {
                "command": "python -m bench.scale_out",
                "nodes": 2,
                "store": "PostgreSQL (throwaway cluster)",
                "redis": "embedded Valkey",
                "lease_s": LEASE_S,
                "limit_takeover_s": 10,
                "kills": args.kills,
                "holders_killed": holders,
                "kill_to_new_holder": summary_ms(takeover),
                "kill_to_report_on_both_nodes": summary_ms(on_screens),
                "reports_posted": len(posted),
                "created_events_in_stream": len(created),
                "each_exactly_once": sorted(created) == sorted(posted),
            },
        )
    finally:
        for node in nodes:
            node.stop()
        server.stop()
        pg.stop()


if __name__ == "__main__":
    main()
