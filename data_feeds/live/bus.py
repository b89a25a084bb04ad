"""The live bus: Redis keys, the connection, and the outbox relay into the event stream.

Writes are durable in the store before anything reaches Redis. The relay (one per
deployment, in the worker process) copies outbox rows to the stream in sequence order,
using the outbox sequence as the stream entry ID, so a row published twice (crash between
XADD and marking it) is refused by Redis as a duplicate instead of appearing twice.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import redis

from data_feeds.store import Store

log = logging.getLogger(__name__)
# Only the aggregator reads the stream (as its wake-up, from where it left off); the store keeps the log. Trimmed
# (approximately, in whole nodes) to this many entries: hours at a city's pace, ~9 MB of Redis at the soak's
# measured ~0.43 MB per 1,000; the newest entry always stays, so a row published twice is still refused.
STREAM_MAXLEN = 20_000
RELAY_LINGER_S = 0.02  # after a drain that found rows: 20 ms for more to gather (each drain takes the write lock)


@dataclass(frozen=True)
class Keys:
    prefix: str

    @property
    def events(self) -> str:
        return f"{self.prefix}:events"

    @property
    def wake(self) -> str:
        return f"{self.prefix}:outbox:wake"

    @property
    def revoked(self) -> str:
        """Sorted set: holders (sessions, screens) whose live views must end, scored by when that stops mattering."""
        return f"{self.prefix}:live:revoked"

    @property
    def version(self) -> str:
        return f"{self.prefix}:live:version"

    @property
    def changed(self) -> str:
        """Pub/sub: a new version was written (its token); the live channels wake on it."""
        return f"{self.prefix}:live:changed"

    @property
    def summary(self) -> str:
        return f"{self.prefix}:live:summary"

    @property
    def indicators(self) -> str:
        return f"{self.prefix}:live:indicators"

    @property
    def scopes(self) -> str:
        return f"{self.prefix}:live:scopes"

    @property
    def markers(self) -> str:
        return f"{self.prefix}:live:markers"

    @property
    def deltas(self) -> str:
        return f"{self.prefix}:live:deltas"

    @property
    def lease(self) -> str:
        """Which live worker is the active one (live.lease)."""
        return f"{self.prefix}:worker:lease"

    @property
    def backup(self) -> str:
        """The newest backup the live worker wrote: {"at", "file", "bytes", "reports"} (for /healthz on every node)."""
        return f"{self.prefix}:backup:last"

    @property
    def heartbeat(self) -> str:
        return f"{self.prefix}:worker:heartbeat"


def connect(url: str) -> redis.Redis:
    """Short timeouts: a dead Redis must make callers degrade quickly, not hang."""
    return redis.Redis.from_url(
        url,
        socket_timeout=2.0,
        socket_connect_timeout=1.0,
        health_check_interval=10,
        retry_on_timeout=False,
        decode_responses=False,
    )


class Poker:
    """Tells the relay there is something to publish, off the request path.

    Best effort: a request never waits on Redis (a hung Redis would otherwise stall every
    POST for the socket timeout); the relay also polls the outbox, so a lost poke only
    costs latency.
    """

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client, self.keys = client, keys
        self._pending = threading.Event()
        threading.Thread(target=self._run, name="outbox-poker", daemon=True).start()

    def poke(self) -> None:
        self._pending.set()

    def _run(self) -> None:
        while True:
            self._pending.wait()
            self._pending.clear()  # pokes that arrive while we publish coalesce into the next one
            try:
                self.client.publish(self.keys.wake, b"1")
            except (redis.RedisError, OSError):
                time.sleep(0.2)


class OutboxRelay:
    def __init__(self, store: Store, client: redis.Redis, keys: Keys, batch: int = 500):
        self.store, self.client, self.keys, self.batch = store, client, keys, batch

    def drain_once(self) -> int:
        """Publish pending outbox rows in order. -> rows handled. Raises redis errors (caller retries)."""
        rows = self.store.pending_outbox(self.batch)
        if not rows:
            return 0
        pipe = self.client.pipeline(transaction=False)
        for row in rows:
            pipe.xadd(
                self.keys.events, {"e": row["payload"]}, id=f"{row['seq']}-0", maxlen=STREAM_MAXLEN, approximate=True
            )
        results = pipe.execute(raise_on_error=False)
        done: list[int] = []
        for row, result in zip(rows, results, strict=True):
            # "equal or smaller": already in the stream (published before a crash); done all the same.
            if isinstance(result, Exception) and "equal or smaller" not in str(result):
                break  # keep order: nothing after a failed entry is marked
            done.append(row["seq"])
        self.store.mark_published(done, datetime.now(timezone.utc))
        if len(done) < len(rows):
            raise redis.ConnectionError(f"stream publish failed at outbox seq {rows[len(done)]['seq']}")
        return len(done)

    def run(self, stop: threading.Event, url: str) -> None:
        pubsub = None
        while not stop.is_set():
            try:
                if pubsub is None:
                    pubsub = connect(url).pubsub(ignore_subscribe_messages=True)
                    pubsub.subscribe(self.keys.wake)
                handled = self.drain_once()
                while handled == self.batch and not stop.is_set():
                    handled = self.drain_once()
                if handled:  # a busy intake: let the next rows gather (one read, one write, one pipeline for many)
                    stop.wait(RELAY_LINGER_S)
                pubsub.get_message(timeout=0.2)  # wake early when a writer pokes us
                while pubsub.get_message(timeout=0):  # coalesce a burst of pokes into one drain
                    pass
            except (redis.RedisError, OSError) as exc:
                log.warning("relay: redis unavailable (%s); outbox keeps the events", exc)
                pubsub = None
                stop.wait(0.5)
            except Exception:  # the store may be briefly locked; never let the relay die
                log.exception("relay: unexpected error")
                stop.wait(0.5)
