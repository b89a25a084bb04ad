"""Rate limits on the doors that write or present a key: per API key and per address, counted in Redis.

Every web worker shares the counts (flask-limiter over the same Redis as the live bus), so a
flood is throttled as one, whichever worker takes it. A request is counted when it writes (any
POST to the API or Open311) or presents a key (a key guessed on a read is a key guessed); the wall's
pages and callbacks are never limited. Past a limit: 429 with Retry-After, in the door's own error
shape. With Redis down the limits fall back to each worker's memory rather than refuse a report.
"""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from .keys import HEADER

LIMITED_PREFIXES = ("/api/", "/open311/")


def presented_key() -> str:
    """The key a request presents (header or Open311's api_key field), or ""."""
    if not request.path.startswith(LIMITED_PREFIXES):
        return ""
    return request.headers.get(HEADER) or request.values.get("api_key") or ""


def key_id() -> str:
    """Counted per key by its public id (lr_<id>_...), or the whole text of a malformed one: no store lookup."""
    key = presented_key()
    parts = key.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "lr" else key[:64]


def guarded() -> bool:
    return request.path.startswith(LIMITED_PREFIXES) and (request.method == "POST" or bool(presented_key()))


def install(server: Flask, blueprints, redis_url: str | None, key_prefix: str, per_key: str, per_address: str) -> Limiter:
    """Limit the given blueprints' guarded requests: `per_address` for each address, `per_key` for each key
    (limit strings as flask-limiter reads them: "30/second;600/minute"). Counts are shared across the
    blueprints and every worker."""
    limiter = Limiter(get_remote_address, app=server, storage_uri=redis_url or "memory://", strategy="fixed-window",
                      key_prefix=f"{key_prefix}:rl", headers_enabled=False, swallow_errors=True, in_memory_fallback_enabled=True,
                      # a hung Redis must not hold a report for long: give up on the count, take the report
                      storage_options={"socket_timeout": 0.5, "socket_connect_timeout": 0.5} if redis_url else {})
    by_address = limiter.shared_limit(per_address, scope="address", exempt_when=lambda: not guarded())
    by_key = limiter.shared_limit(per_key, scope="key", key_func=key_id, exempt_when=lambda: not guarded() or not presented_key())
    for blueprint in blueprints:
        by_address(blueprint)
        by_key(blueprint)
    return limiter
