"""/healthz for machines: store, Redis, live worker and each feed, up or down and how old; the newest backup's age."""

from __future__ import annotations

import time

import redis
from flask import Response, jsonify

from data_feeds.clock import iso_utc, utcnow
from data_feeds.live import backup_state
from data_feeds.services import Services
from data_feeds.settings import build_id


def health(services: Services) -> dict:
    """Store, Redis, worker and each feed: up/down and the age of its newest item."""
    now = utcnow()
    out: dict = {"time": iso_utc(now), "build": build_id()}  # the release this node runs (kiosk walls compare)
    t0 = time.perf_counter()
    try:
        services.store.ping()
        latest = services.reports.repository.feed_latest(list(services.routing.sources))
        backlog = services.store.outbox_backlog()
        out["store"] = {
            "up": True,
            "latency_ms": round((time.perf_counter() - t0) * 1000, 2),
            "outbox_pending": backlog,
        }
    except Exception as exc:  # noqa: BLE001 - health must report, not raise
        latest = {}
        out["store"] = {"up": False, "error": type(exc).__name__}
    t0 = time.perf_counter()
    try:
        state, beat = services.live.pulse()
        out["redis"] = {"up": True, "latency_ms": round((time.perf_counter() - t0) * 1000, 2)}
        out["live"] = {
            "version": state.token() if state else None,
            "worker_up": beat is not None,
            "demo": bool(beat["demo"]) if beat else None,
        }
    except (redis.RedisError, OSError) as exc:
        out["redis"] = {"up": False, "error": type(exc).__name__}
        out["live"] = {"version": None, "worker_up": None, "demo": None}
    feeds = {}
    for code, src in services.routing.sources.items():
        ts = latest.get(code)
        age = (now - ts).total_seconds() if ts else None
        feeds[code] = {
            "name": src.name,
            "up": age is not None and age <= src.stale_after_s,
            "newest_item_at": iso_utc(ts),
            "age_s": round(age, 1) if age is not None else None,
            "stale_after_s": src.stale_after_s,
        }
    out["feeds"] = feeds
    settings = services.settings
    out["backup"] = backup_state.state(services.redis, services.keys, settings.backups, settings.backup_at, now)
    out["status"] = (
        "ok"
        if out["store"]["up"] and out["redis"]["up"] and out["live"]["worker_up"]
        else ("down" if not out["store"]["up"] else "degraded")
    )
    return out


def health_response(services: Services) -> Response:
    doc = health(services)
    resp = jsonify(doc)
    resp.status_code = 503 if doc["status"] == "down" else 200
    resp.headers["Cache-Control"] = "no-store"
    return resp
