"""Rate limits on the doors that write or present a key (per API key and per address) and on the sign-in form
(per address), counted in Redis so every web worker and node shares them.

A request is counted when it writes (any POST to the API or Open311) or presents a key (a key guessed on a read
is a key guessed); the wall's pages and callbacks are never limited. Past a limit: 429 with Retry-After (the
seconds until the window passed ends), in the door's own error shape (api/web.py).

Fixed windows, parsed by `limits` from the settings' strings ("30/second;1200/minute"). A count goes to Redis by
ONE Lua call for all of a request's windows (INCRBY, and EXPIRE on the first count); flask-limiter, used before,
made a round trip per window plus its own per-request resolution, a fifth of a POST's server time.

Far below its limits a request need not wait for Redis at all: it is only refused near the limit, so a worker counts
it in memory and a background flusher adds the worker's counts to Redis every FLUSH_S (one call for every window it
touched), learning the shared totals back. A request goes to Redis itself, counted exactly as before, whenever any of
its windows is past half its limit as far as this worker knows, that knowledge is older than FRESH_S, the worker
already holds LOCAL_SHARE of the limit uncounted, or the limit is too small to share (under 16). So refusals are
decided on exact shared counts; what can slip past is bounded by what other workers counted but have not yet sent
(at most two shares of the limit each) and by their counts within one FRESH_S. The ingest path stops paying a Redis
round trip per report (about 15 % of POST throughput, README "Ingest"). With Redis unreachable each worker counts
in its own memory (limits' MemoryStorage) rather than refuse a citizen's report, and tries Redis again after a few
seconds.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import Flask, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from .keys import HEADER

LIMITED_PREFIXES = ("/api/", "/open311/")
PUBLIC_READS = "/open311/"  # a read there may come from anyone (OPEN311_PUBLIC_SOURCE): counted by its address
REDIS_RETRY_S = 5.0  # after a failed count, this long on the workers' own counts before Redis is tried again
FLUSH_S = 0.02  # how often a worker sends the counts it made in memory (and learns the shared totals back)
FRESH_S = 0.25  # a shared total older than this is not trusted for a decision: the request asks Redis itself
LOCAL_SHARE = 16  # a worker holds at most 1/16 of a limit uncounted in Redis (limits under 16: never any)
FLUSHER_IDLE_S = 30.0  # a flusher with nothing to send for this long ends
MAX_TRACKED = 50_000  # windows a worker keeps in memory; past it, new ones are always counted in Redis

# KEYS: one counter per window; ARGV: per window, its length in seconds and how many requests to add. A window
# opens with its first request and lasts its length (as limits' fixed windows do). -> per counter, its value
# after this call and its ms left.
_COUNT_ALL = """
local out = {}
for i, key in ipairs(KEYS) do
  local add = tonumber(ARGV[2 * i])
  local n = redis.call('INCRBY', key, add)
  if n == add then redis.call('EXPIRE', key, tonumber(ARGV[2 * i - 1])) end
  out[2 * i - 1] = n
  out[2 * i] = redis.call('PTTL', key)
end
return out
"""


@dataclass(frozen=True)
class Window:
    scope: str  # "key", "address", "signin": what the count is of (the 429 says which)
    who: str  # the key's public id or the address
    limit: RateLimitItem

    @property
    def redis_key(self) -> str:
        return f"{self.scope}:{self.who}:{self.limit.amount}/{self.limit.get_expiry()}"


class LimitReached(TooManyRequests):
    """A request past one of its windows: api/web.py answers it in the door's shape, with Retry-After."""

    def __init__(self, window: Window, retry_after: int):
        super().__init__(
            f"{window.limit.amount} per {window.limit.multiples} {window.limit.GRANULARITY.name}"
            + ("" if window.limit.multiples == 1 else "s")
        )
        self.window, self.retry_after = window, retry_after


@dataclass
class _Seen:
    """What one worker knows of one window: the shared total when last told, and its own counts not yet in it."""

    window: Window
    total: int = 0  # the shared count as Redis last answered
    until: float = 0.0  # (monotonic) when that window ends
    told_at: float = -1e9  # (monotonic) when Redis last answered
    unsent: int = 0  # counted here, waiting for the flusher
    sending: int = 0  # handed to the flusher, not yet answered

    def may_count_here(self, now: float) -> bool:
        share = self.window.limit.amount // LOCAL_SHARE
        own = self.unsent + self.sending + 1
        return (
            share > 0
            and now < self.until
            and now - self.told_at <= FRESH_S
            and own <= share
            and 2 * (self.total + own) <= self.window.limit.amount
        )

    def learn(self, total: int, ms_left: int, now: float) -> None:
        if now >= self.until:  # a new window opened: its total replaces the old one's
            self.total = total
        else:
            self.total = max(self.total, total)  # answers may arrive out of order; a window's count only grows
        self.until, self.told_at = now + max(ms_left, 0) / 1000, now


class Counter:
    """Counts requests in fixed windows shared through Redis (one round trip for all of a request's windows, or
    none far below the limits: see the module's text) or, while Redis cannot be reached, in this worker's memory."""

    def __init__(self, redis_url: str | None, key_prefix: str):
        self.prefix = f"{key_prefix}:rl"
        self.redis = (
            redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)  # a hung Redis
            if redis_url
            else None
        )  # must not hold a report for long
        self.script = self.redis.register_script(_COUNT_ALL) if self.redis else None
        self.memory = FixedWindowRateLimiter(MemoryStorage())
        self.redis_back_at = 0.0
        self.seen: dict[str, _Seen] = {}
        self.dirty: set[str] = set()  # windows with counts for the flusher
        self.pruned_at = -1e9
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.flusher_pid = 0  # the process whose flusher thread runs (a forked worker starts its own)

    def charge(self, windows: list[Window]) -> None:
        """Count one request in each window; raises LimitReached for the first window it goes past."""
        if not windows:
            return
        wall, now = time.time(), time.monotonic()
        if not self.script or wall < self.redis_back_at:
            return self._in_memory(windows, wall)
        with self.lock:
            seen = [self.seen.get(w.redis_key) for w in windows]
            if all(s is not None and s.may_count_here(now) for s in seen):
                for w, s in zip(windows, seen, strict=True):
                    s.unsent += 1
                    self.dirty.add(w.redis_key)
                self._start_flusher()
                self.wake.set()
                return
            # counted in Redis now, with whatever this worker holds of these windows
            adds = [1 + (s.unsent if s else 0) for s in seen]
            for s in seen:
                if s:
                    s.unsent = 0
        counted = self._send([w.redis_key for w in windows], [w.limit.get_expiry() for w in windows], adds)
        if counted is None:
            return self._in_memory(windows, wall)
        now = time.monotonic()
        with self.lock:
            for i, window in enumerate(windows):
                self._learn(window, counted[2 * i], counted[2 * i + 1], now)
        for i, window in enumerate(windows):
            if counted[2 * i] > window.limit.amount:
                raise LimitReached(window, max(1, math.ceil(counted[2 * i + 1] / 1000)))

    def _learn(self, window: Window, total: int, ms_left: int, now: float) -> None:
        s = self.seen.get(window.redis_key)
        if s is None:
            # ended windows go every 10 s, or each second while full: a scan of them all, however many arrive
            if now - self.pruned_at >= (1.0 if len(self.seen) >= MAX_TRACKED else 10.0):
                self.pruned_at = now
                self._forget_ended(now)
            if len(self.seen) >= MAX_TRACKED:
                return  # too many windows at once (addresses or guessed keys): this one stays counted in Redis
            s = self.seen[window.redis_key] = _Seen(window)
        s.learn(total, ms_left, now)

    def _forget_ended(self, now: float) -> None:
        for key in [k for k, s in self.seen.items() if now >= s.until and not s.unsent and not s.sending]:
            del self.seen[key]
            self.dirty.discard(key)

    def _in_memory(self, windows: list[Window], wall: float) -> None:
        for window in windows:
            if not self.memory.hit(window.limit, window.scope, window.who):
                reset = self.memory.get_window_stats(window.limit, window.scope, window.who).reset_time
                raise LimitReached(window, max(1, math.ceil(reset - wall)))

    def _send(self, keys: list[str], lengths: list[int], adds: list[int]) -> list[int] | None:
        args = [v for pair in zip(lengths, adds, strict=True) for v in pair]
        try:
            return self.script(keys=[f"{self.prefix}:{k}" for k in keys], args=args)
        except redis.RedisError:
            self.redis_back_at = time.time() + REDIS_RETRY_S
            return None

    def _start_flusher(self) -> None:
        if self.flusher_pid != os.getpid():
            self.flusher_pid = os.getpid()
            threading.Thread(target=self._flush_forever, name="rate-limit-flush", daemon=True).start()

    def _flush_forever(self) -> None:
        while True:
            if not self.wake.wait(FLUSHER_IDLE_S):
                with self.lock:  # quiet for a while: the thread ends (the next count made here starts another)
                    if not self.wake.is_set():
                        self.flusher_pid = 0
                        return
                continue
            time.sleep(FLUSH_S)  # the counts of the next few requests go in the same call
            self.wake.clear()
            self.flush()

    def flush(self) -> None:
        """Send the counts made in memory (one call for all windows) and learn the shared totals back."""
        with self.lock:
            batch = [s for s in map(self.seen.get, self.dirty) if s is not None and s.unsent]
            self.dirty.clear()
            adds = [s.unsent for s in batch]
            for s in batch:
                s.sending, s.unsent = s.sending + s.unsent, 0
        if not batch:
            return
        counted = self._send([s.window.redis_key for s in batch], [s.window.limit.get_expiry() for s in batch], adds)
        now = time.monotonic()
        with self.lock:
            for i, (s, add) in enumerate(zip(batch, adds, strict=True)):
                s.sending -= add
                if counted is not None:
                    s.learn(counted[2 * i], counted[2 * i + 1], now)
                else:
                    s.told_at = -1e9  # Redis is away: nothing more is counted here until it answers again


def presented_key() -> str:
    """The key a request presents (header or Open311's api_key field), or ""."""
    if not request.path.startswith(LIMITED_PREFIXES):
        return ""
    return request.headers.get(HEADER) or request.values.get("api_key") or ""


def key_id(key: str) -> str:
    """Counted per key by its public id (lr_<id>_...), or the whole text of a malformed one: no store lookup."""
    parts = key.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "lr" else key[:64]


def address() -> str:
    return (request.remote_addr or "")[:64]


def install(
    server: Flask,
    redis_url: str | None,
    key_prefix: str,
    per_key: str,
    per_address: str,
    genuine: Callable[[str], bool],
) -> Counter:
    """Limit the API's and Open311's guarded requests: `per_address` for each address, `per_key` for each key whose
    secret matches (`genuine`): a request naming a key with a wrong secret counts against its address only, so
    nobody can use up a feed's allowance by knowing its key's public id. -> the counter (the sign-in form counts its
    attempts with it too)."""
    counter = server.extensions["rate_limits"] = Counter(redis_url, key_prefix)
    by_address, by_key = parse_many(per_address), parse_many(per_key)

    @server.before_request
    def count_door_request() -> None:
        if not request.path.startswith(LIMITED_PREFIXES):
            return
        key = presented_key()
        if request.method != "POST" and not key and not request.path.startswith(PUBLIC_READS):
            return
        windows = [Window("address", address(), limit) for limit in by_address]
        if key and genuine(key):
            windows += [Window("key", key_id(key), limit) for limit in by_key]
        counter.charge(windows)

    return counter
