"""Rate limits on the doors that write or present a key (per API key and per address) and on the sign-in form
(per address), counted in Redis so every web worker and node shares them.

A request is counted when it writes (any POST to the API or Open311) or presents a key (a key guessed on a read
is a key guessed); the wall's pages and callbacks are never limited. Past a limit: 429 with Retry-After (the
seconds until the window passed ends), in the door's own error shape (api/web.py).

Fixed windows, parsed by `limits` from the settings' strings ("30/second;1200/minute"). Every window a request
falls in is counted by ONE Lua call (INCR, and EXPIRE on the first count): flask-limiter, used before, made a
round trip per window plus its own per-request resolution, a fifth of a POST's server time (README, "Ingest").
With Redis unreachable each worker counts in its own memory (limits' MemoryStorage) rather than refuse a
citizen's report, and tries Redis again after a few seconds.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import redis
from flask import Flask, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from .keys import HEADER

LIMITED_PREFIXES = ("/api/", "/open311/")
REDIS_RETRY_S = 5.0  # after a failed count, this long on the workers' own counts before Redis is tried again

# KEYS: one counter per window; ARGV: each window's length in seconds. A window opens with its first request and
# lasts its length (as limits' fixed windows do). -> per counter, its value after this request and its ms left.
_COUNT_ALL = """
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, tonumber(ARGV[i])) end
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


class LimitReached(TooManyRequests):
    """A request past one of its windows: api/web.py answers it in the door's shape, with Retry-After."""

    def __init__(self, window: Window, retry_after: int):
        super().__init__(f"{window.limit.amount} per {window.limit.multiples} {window.limit.GRANULARITY.name}"
                         + ("" if window.limit.multiples == 1 else "s"))
        self.window, self.retry_after = window, retry_after


class Counter:
    """Counts requests in fixed windows, in Redis (one round trip for all of a request's windows) or, while Redis
    cannot be reached, in this worker's memory."""

    def __init__(self, redis_url: str | None, key_prefix: str):
        self.prefix = f"{key_prefix}:rl"
        self.redis = (redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)  # a hung Redis
                      if redis_url else None)                                    # must not hold a report for long
        self.script = self.redis.register_script(_COUNT_ALL) if self.redis else None
        self.memory = FixedWindowRateLimiter(MemoryStorage())
        self.redis_back_at = 0.0

    def charge(self, windows: list[Window]) -> None:
        """Count one request in each window; raises LimitReached for the first window it goes past."""
        if not windows:
            return
        now = time.time()
        counted = self._in_redis(windows, now) if self.script and now >= self.redis_back_at else None
        for i, window in enumerate(windows):
            if counted is not None:
                if counted[2 * i] > window.limit.amount:
                    raise LimitReached(window, max(1, math.ceil(counted[2 * i + 1] / 1000)))
            elif not self.memory.hit(window.limit, window.scope, window.who):
                reset = self.memory.get_window_stats(window.limit, window.scope, window.who).reset_time
                raise LimitReached(window, max(1, math.ceil(reset - now)))

    def _in_redis(self, windows: list[Window], now: float) -> list[int] | None:
        keys = [f"{self.prefix}:{w.scope}:{w.who}:{w.limit.amount}/{w.limit.get_expiry()}" for w in windows]
        try:
            return self.script(keys=keys, args=[w.limit.get_expiry() for w in windows])
        except redis.RedisError:
            self.redis_back_at = now + REDIS_RETRY_S
            return None


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


def install(server: Flask, redis_url: str | None, key_prefix: str, per_key: str, per_address: str) -> Counter:
    """Limit the API's and Open311's guarded requests: `per_address` for each address, `per_key` for each key.
    -> the counter (the sign-in form counts its attempts with it too)."""
    counter = Counter(redis_url, key_prefix)
    by_address, by_key = parse_many(per_address), parse_many(per_key)

    @server.before_request
    def count_door_request() -> None:
        if not request.path.startswith(LIMITED_PREFIXES):
            return
        key = presented_key()
        if request.method != "POST" and not key:
            return
        windows = [Window("address", address(), limit) for limit in by_address]
        if key:
            windows += [Window("key", key_id(key), limit) for limit in by_key]
        counter.charge(windows)

    return counter
