"""What the screen must admit about its own data: a screen rule, decided from what a poll or page saw."""

from __future__ import annotations


def stale_feeds(summary: dict | None) -> list[str]:
    """The names of the feeds the snapshot found silent for longer than they should be."""
    return [f["name"] for f in (summary or {}).get("feeds", {}).values() if f.get("stale")]


def freshness(stale: list[str], redis_up: bool, worker_up: bool, held_since: str | None) -> dict:
    """-> {"level": ok|warn|down, "problems": [...]}: down when the live path is broken (the screen is
    held), warn when a feed has gone quiet."""
    problems = []
    if not redis_up:
        problems.append({"kind": "redis_down", "since": held_since})
    elif not worker_up:
        problems.append({"kind": "worker_down", "since": held_since})
    if stale:
        problems.append({"kind": "feed_stale", "feeds": stale})
    level = (
        "down" if any(p["kind"] in {"redis_down", "worker_down"} for p in problems) else ("warn" if problems else "ok")
    )
    return {"level": level, "problems": problems}
