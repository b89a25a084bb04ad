"""The live worker: keeps the dashboards current. One is active per deployment (live.lease): every node
may run one, the others wait to take over.

Threads of the active one: the outbox relay (store -> Redis stream), the aggregator (stream -> snapshot,
once per data change, off the request path), the demo feed, outbox pruning, the planner's statistics, and
a heartbeat the dashboards use to tell "nothing happened" from "nothing is watching".
Run by app.py; `python -m data_feeds.runtime.worker` runs it alone.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from datetime import datetime, timedelta, timezone

import redis

from data_feeds.access.devices import Devices
from data_feeds.access.sessions import Sessions
from data_feeds.clock import utcnow
from data_feeds.indicators import demo as demo_indicators
from data_feeds.live import revoked
from data_feeds.live.bus import OutboxRelay, connect
from data_feeds.live.lease import RENEW_S, WAIT_S, Lease, holder_name
from data_feeds.live.snapshot import agency_scopes, compute
from data_feeds.live.ticket import TICKET_S
from data_feeds.live.versions import LivePublisher
from data_feeds.reports import legacy_rows, sla
from data_feeds.reports.demo import DemoFeed
from data_feeds.runtime import daily_backup
from data_feeds.services import Services
from data_feeds.settings import Settings
from data_feeds.store import Store

log = logging.getLogger("liveroom.worker")
REFRESH_EVERY_S = 15.0  # recompute even without events: day rollover, feeds going stale
STATISTICS_EVERY_S = 3600.0  # the planner's row statistics (Store.refresh_statistics)
PRUNE_EVERY_S = 30.0  # published outbox rows deleted
ENDED_EVERY_S = 2.0  # ended sessions and revoked screens told to the live channels
PERSONAL_EVERY_S = 3600.0  # reporters of long-closed reports erased (reports/personal_data.py)
SWEEP_EVERY_S = 600.0  # staged evidence no event adopted removed (reports/evidence_store.py)
MIN_GAP_S = 0.1  # under a burst, recompute at most this often...
GAP_FACTOR = 3.0  # ...and leave at least 3x the last rebuild's time to the web workers


def _last_stream_id(client: redis.Redis, key: str) -> bytes:
    last = client.xrevrange(key, count=1)
    return last[0][0] if last else b"0-0"


class Aggregator:
    def __init__(self, services: Services):
        self.s = services
        self.features: dict = {}  # marker features kept between rebuilds

    def rebuild(self, publisher: LivePublisher) -> bool:
        now = datetime.now(timezone.utc)
        summary, markers = compute(
            self.s.store,
            self.s.routing,
            self.s.gazetteer,
            now,
            self.s.settings.live_marker_limit,
            demo_enabled=self.s.settings.demo,
            feature_cache=self.features,
            scopes=agency_scopes(self.s.store, self.s.routing),
        )
        return publisher.publish(summary, markers, now)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client = connect(self.s.settings.redis_url)
                publisher = LivePublisher(client, self.s.keys)
                publisher.adopt()  # a worker taking over continues the versions: no dashboard reloads
                last_id = _last_stream_id(client, self.s.keys.events)
                self.rebuild(publisher)
                last_build = time.monotonic()
                while not stop.is_set():
                    got = client.xread({self.s.keys.events: last_id}, count=1000, block=1000)
                    if got:
                        last_id = got[0][1][-1][0]
                    if got or time.monotonic() - last_build > REFRESH_EVERY_S:
                        started = time.monotonic()
                        self.rebuild(publisher)
                        last_build = time.monotonic()
                        stop.wait(max(MIN_GAP_S, GAP_FACTOR * (last_build - started)))
            except (redis.RedisError, OSError) as exc:
                log.warning("aggregator: redis unavailable (%s); retrying", exc)
                stop.wait(0.5)
            except Exception:
                log.exception("aggregator: unexpected error")
                stop.wait(1.0)


def heartbeat(services: Services, stop: threading.Event) -> None:
    client = connect(services.settings.redis_url)
    while not stop.is_set():
        try:
            doc = {
                "pid": os.getpid(),
                "worker": holder_name(services.settings.node_name),
                "demo": services.settings.demo,
                "at": datetime.now(timezone.utc).isoformat(),
            }
            client.set(services.keys.heartbeat, json.dumps(doc), ex=10)
        except (redis.RedisError, OSError):
            pass
        stop.wait(2.0)


def keep_statistics(services: Services, stop: threading.Event) -> None:
    """The query planner's statistics, at start and every STATISTICS_EVERY_S (the store grows all day)."""
    while not stop.is_set():
        try:
            services.store.refresh_statistics()
        except Exception:  # noqa: BLE001 - a missed refresh only makes some searches slower
            log.exception("statistics refresh failed")
        stop.wait(STATISTICS_EVERY_S)


def prune_outbox(services: Services, stop: threading.Event) -> None:
    """Published outbox rows go (the stream holds them, the events table is the log): it stays the size
    of the backlog.
    """
    while not stop.is_set():
        try:
            while services.store.prune_outbox() and not stop.is_set():
                pass
        except Exception:  # noqa: BLE001 - the store may be briefly locked; next round
            log.exception("outbox pruning failed")
        stop.wait(PRUNE_EVERY_S)


def tell_ended_access(services: Services, stop: threading.Event) -> None:
    """Every ENDED_EVERY_S, the sessions and screens whose access ended within a ticket's life, from the store to
    the live channels (live.revoked): what the command line ended, or a sign-out whose own telling Redis lost."""
    sessions, screens = Sessions(services.store), Devices(services.store)
    while not stop.is_set():
        try:
            since = utcnow() - timedelta(seconds=TICKET_S)
            revoked.tell(services.redis, services.keys, sessions.ended_since(since) + screens.revoked_since(since))
        except Exception:  # noqa: BLE001 - the store may be briefly locked; next round
            log.exception("telling the live channels of ended access failed")
        stop.wait(ENDED_EVERY_S)


def keep_personal_data(services: Services, stop: threading.Event) -> None:
    """Reporters still in plain text (written by an older version) sealed once; then, every PERSONAL_EVERY_S, the
    reporters of reports closed more than PERSONAL_DATA_DAYS ago erased, each erasure audited."""
    try:
        sealed = services.personal_data.seal_legacy()
        if sealed:
            log.info("sealed the reporters of %d reports", sealed)
    except Exception:  # noqa: BLE001 - tried again at the next start; reads open both forms meanwhile
        log.exception("sealing reporters failed")
    while not stop.is_set():
        try:
            erased = services.personal_data.erase_expired(services.settings.personal_data_days)
            if erased:
                log.info(
                    "erased the reporters of %d reports closed over %d days ago",
                    len(erased),
                    services.settings.personal_data_days,
                )
        except Exception:  # noqa: BLE001 - the store may be briefly locked; next round
            log.exception("erasing expired personal data failed")
        stop.wait(PERSONAL_EVERY_S)


def mend_legacy_reports(services: Services) -> None:
    """Once, at start: what an older version stored without (a human id for reports without a sender's id, the
    queue's due time for open ones). Until it is done those reports show their internal id and sort last."""
    store, routing = services.store, services.routing
    try:
        numbered = legacy_rows.number_unnumbered(store)
        dated = legacy_rows.fill_due(store, lambda status, at, cat: sla.next_due(status, at, routing.categories[cat]))
        if numbered or dated:
            log.info("gave %d reports a human id and %d open ones their due time", numbered, dated)
    except Exception:  # noqa: BLE001 - tried again at the next start
        log.exception("mending older reports failed")


def keep_evidence(services: Services, stop: threading.Event) -> None:
    """Evidence an older version kept on this node's disk, moved into the database once; then, every
    SWEEP_EVERY_S, staged uploads that no event adopted (their action refused or their process gone) removed."""
    try:
        moved = services.evidence.import_folder(services.settings.data_dir)
        if moved:
            log.info("moved %d evidence files from %s/evidence into the database", moved, services.settings.data_dir)
    except Exception:  # noqa: BLE001 - the files stay where they are; tried again at the next start
        log.exception("moving evidence files into the database failed")
    while not stop.is_set():
        try:
            services.evidence.sweep()
        except Exception:  # noqa: BLE001 - the store may be briefly locked; next round
            log.exception("evidence sweep failed")
        stop.wait(SWEEP_EVERY_S)


def start_jobs(services: Services, stop: threading.Event) -> list[threading.Thread]:
    """Everything the active worker does, as threads that end when `stop` is set."""
    settings = services.settings
    try:
        services.indicators.seed()  # the article figures, once, as each indicator's first value
        if settings.demo:
            demo_indicators.synthesise(services.indicators)  # kecamatan breakdowns, labelled demo
    except Exception:  # the live loop must start even if the seed cannot be read
        log.exception("indicator seed failed")
    # its marks may be lost to a power cut (each then published again and refused by the stream as a duplicate):
    # not worth an fsync each while the web workers wait for the same write lock
    relay = OutboxRelay(Store(settings.database_url, durable=False), services.redis, services.keys)
    jobs = {
        "statistics": lambda: keep_statistics(services, stop),
        "relay": lambda: relay.run(stop, settings.redis_url),
        "aggregator": lambda: Aggregator(services).run(stop),
        "heartbeat": lambda: heartbeat(services, stop),
        "outbox": lambda: prune_outbox(services, stop),
        "evidence": lambda: keep_evidence(services, stop),
        "personal_data": lambda: keep_personal_data(services, stop),
        "ended_access": lambda: tell_ended_access(services, stop),
        "legacy_reports": lambda: mend_legacy_reports(services),
    }
    if settings.demo:
        jobs["demo"] = lambda: DemoFeed(services.reports, mean_interval_s=settings.demo_interval_s).run(stop)
    if settings.backup_at:
        jobs["backup"] = lambda: daily_backup.run(services, stop)
    if settings.briefing_at:
        from data_feeds.documents import briefing  # (reportlab and matplotlib: loaded where the briefing is made)

        jobs["briefing"] = lambda: briefing.run(services, stop)
    threads = [threading.Thread(target=fn, name=name, daemon=True) for name, fn in jobs.items()]
    for t in threads:
        t.start()
    return threads


def serve(settings: Settings, stop: threading.Event, holder: str | None = None) -> None:
    """Wait for the lease, work while it is ours, wait again when it is lost; until `stop`."""
    services = Services(settings)
    services.store.create_schema()
    lease = Lease(connect(settings.redis_url), services.keys.lease, holder or holder_name(settings.node_name))
    while not stop.is_set():
        try:
            if not lease.take():
                stop.wait(WAIT_S)
                continue
        except (redis.RedisError, OSError):
            stop.wait(WAIT_S)
            continue
        log.info("live worker %s is active (lease %s)", lease.holder, services.keys.lease)
        term = threading.Event()
        threads = start_jobs(services, term)
        while not stop.is_set():
            stop.wait(RENEW_S)
            try:
                if not lease.renew():
                    log.warning("lease lost to %s; stopping", lease.current_holder())
                    break
            except (redis.RedisError, OSError) as exc:
                if not lease.safe:
                    log.warning("lease cannot be renewed (%s); stopping before it can expire", exc)
                    break
        term.set()
        for t in threads:
            t.join(timeout=5)
        if stop.is_set():
            lease.release()  # a clean stop hands over at once


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s worker %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    serve(settings, stop)


if __name__ == "__main__":
    main()
