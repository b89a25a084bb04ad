"""What the screen must admit about its own data: a screen rule, decided from what a poll saw."""
from __future__ import annotations


def freshness(summary: dict | None, redis_up: bool, worker_up: bool, held_since: str | None) -> dict:
    """What the screen must admit about its own data: -> {"level": ok|warn|down, "problems": [...]}."""
    problems = []
    if not redis_up:
        problems.append({"kind": "redis_down", "since": held_since})
    elif not worker_up:
        problems.append({"kind": "worker_down", "since": held_since})
    stale = [f["name"] for f in (summary or {}).get("feeds", {}).values() if f.get("stale")]
    if stale:
        problems.append({"kind": "feed_stale", "feeds": stale})
    level = "down" if any(p["kind"] in {"redis_down", "worker_down"} for p in problems) else ("warn" if problems else "ok")
    return {"level": level, "problems": problems}
