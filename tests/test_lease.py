"""One live worker active at a time: the lease in Redis, and a worker handing over to another without a reset."""

from __future__ import annotations

import json
import threading

from data_feeds.live import lease as lease_module
from data_feeds.live.lease import Lease
from data_feeds.runtime.worker import serve
from tests.helpers import report_payload, wait_until


def marker_ids(services) -> set[str]:
    return {f["id"] for f in json.loads(services.live.markers_geojson()[1])["features"]}


def test_only_one_holds_the_lease_and_only_its_holder_renews_or_releases_it(services):
    key = services.keys.lease
    a, b = Lease(services.redis, key, "node-a:1"), Lease(services.redis, key, "node-b:2")
    assert a.take() and not b.take()
    assert a.renew() and not b.renew() and a.safe and not b.safe
    b.release()  # not b's: nothing happens
    assert a.current_holder() == "node-a:1"
    a.release()
    assert b.take() and b.current_holder() == "node-b:2" and not a.renew()


def test_a_lease_not_renewed_expires_and_another_takes_it(services, monkeypatch):
    monkeypatch.setattr(lease_module, "LEASE_S", 0.3)
    a, b = Lease(services.redis, services.keys.lease, "a:1"), Lease(services.redis, services.keys.lease, "b:2")
    assert a.take()
    wait_until(b.take)  # a stopped renewing (a dead machine): the key dies by itself
    assert not a.renew() and b.current_holder() == "b:2"


def test_a_second_worker_waits_and_takes_over_without_resetting_the_dashboards(services):
    stops = {"a": threading.Event(), "b": threading.Event()}
    threads = {
        name: threading.Thread(target=serve, args=(services.settings, stop, f"{name}:1"), daemon=True)
        for name, stop in stops.items()
    }
    threads["a"].start()
    holder = Lease(services.redis, services.keys.lease, "probe")
    wait_until(lambda: holder.current_holder() == "a:1")
    threads["b"].start()
    first = services.reports.submit(report_payload(title="Sebelum serah terima"))[0]
    wait_until(lambda: services.redis.xlen(services.keys.events) >= 1)
    before = wait_until(lambda: services.live.version())
    assert holder.current_holder() == "a:1"  # b only waits
    stops["a"].set()
    threads["a"].join(timeout=15)
    wait_until(lambda: holder.current_holder() == "b:1")
    second = services.reports.submit(report_payload(title="Sesudah serah terima", category="sampah"))[0]
    services.poker.poke()
    wait_until(lambda: {first["id"], second["id"]} <= marker_ids(services))
    after = services.live.version()
    assert after.epoch == before.epoch and after.version > before.version  # carried on: dashboards get a delta
    events = [json.loads(fields[b"e"]) for _id, fields in services.redis.xrange(services.keys.events)]
    created = [e["report_id"] for e in events if e["kind"] == "created"]
    assert sorted(created) == sorted([first["id"], second["id"]])  # each event once
    assert [e["kind"] for e in events].count("indicator") == 1  # the seed, by the first worker only
    stops["b"].set()
    threads["b"].join(timeout=15)
