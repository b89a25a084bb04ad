"""Past one machine: two nodes (each `python app.py`: web server, live channel and a live worker, on their own ports)
against one PostgreSQL and one Redis. One worker is active (the lease); when it is SIGKILLed another takes over, no
event is lost or published twice, and the dashboards on both nodes stay live."""

from __future__ import annotations

import json
import os
import signal

import pytest
import redis
import requests

from data_feeds.live.bus import Keys
from data_feeds.runtime.embedded_redis import EmbeddedRedis
from tests.helpers import at_kelurahan, report_payload, wait_until
from tests.stack import ChannelFollower, LiveStack

pytestmark = [pytest.mark.stack, pytest.mark.postgres]
PLACES = ["36.71.01.1001", "36.71.03.1005", "36.71.06.1001", "36.71.08.1004", "36.71.11.1004", "36.71.13.1004"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres):
    shared = tmp_path_factory.mktemp("shared")
    server = EmbeddedRedis(shared / "redis")
    env = {"DATABASE_URL": postgres.new_database(), "REDIS_URL": server.start(), "SECRET_KEY": "scale-out-test-" * 4}
    nodes = []
    try:
        for name in ("node-a", "node-b"):  # one after the other: the first makes the schema
            nodes.append(
                LiveStack(tmp_path_factory.mktemp(name), demo=False, env={**env, "NODE_NAME": name}).wait_ready()
            )
        yield nodes, server
    finally:
        for node in nodes:
            node.stop()
        server.stop()


def post(node: LiveStack, n: int) -> str:
    resp = requests.post(
        f"{node.url}/api/v1/reports",
        headers=node.headers,
        timeout=10,
        json=report_payload(
            title=f"Laporan lintas simpul {n}", category="sampah", **at_kelurahan(PLACES[n % len(PLACES)])
        ),
    )
    assert resp.status_code == 201
    return resp.json()["id"]


def test_a_killed_worker_is_replaced_and_every_dashboard_on_every_node_stays_live(cluster):
    (a, b), server = cluster
    r = redis.Redis.from_url(server.url)
    keys = Keys("liveroom")
    holder = wait_until(lambda: r.get(keys.lease), what="a worker taking the lease").decode()
    assert holder.split(":")[0] in ("node-a", "node-b")
    dashboards = [ChannelFollower(a), ChannelFollower(b)]
    posted = [post(a, 0), post(b, 1)]
    for d in dashboards:
        wait_until(lambda d=d: set(posted) <= d.seen, what=f"reports on the dashboard of {d.node.url}")
    epoch = r.get(keys.version).decode().split(":")[0]

    os.kill(int(holder.split(":")[1]), signal.SIGKILL)  # the active worker, as if its machine died
    posted += [post(a, 2), post(b, 3), post(a, 4)]  # accepted while no worker is active: durable in PostgreSQL
    new_holder = wait_until(lambda: (v := r.get(keys.lease)) and v.decode() != holder and v.decode(), what="a takeover")
    assert new_holder != holder
    for d in dashboards:
        wait_until(lambda d=d: set(posted) <= d.seen, what=f"every report on the dashboard of {d.node.url}")
    assert r.get(keys.version).decode().split(":")[0] == epoch  # carried on: no dashboard was reset

    events = [json.loads(fields[b"e"]) for _id, fields in r.xrange(keys.events)]
    created = [e["report_id"] for e in events if e["kind"] == "created"]
    assert sorted(created) == sorted(posted)  # none lost, none twice
    health = [requests.get(node.url + "/healthz", timeout=5).json() for node in (a, b)]
    assert all(h["live"]["version"] for h in health)
    for d in dashboards:
        d.stop.set()
