"""How old the newest backup is, for /healthz on every node and the admin page: as the live worker told Redis when
it wrote it (runtime/daily_backup.py), else as found in this node's backup folder."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import redis

from data_feeds.live.bus import Keys
from data_feeds.store import backup

STALE_AFTER = timedelta(hours=26)  # a daily backup older than this is overdue


def newest(client: redis.Redis, keys: Keys, folder: Path) -> dict | None:
    """{"at", "file", "reports"[, "bytes"]} of the newest backup; None when there is none."""
    try:
        raw = client.get(keys.backup)
        if raw:
            return json.loads(raw)
    except (redis.RedisError, OSError, ValueError):
        pass
    found = backup.newest(folder)
    if found is None:
        return None
    path, manifest = found
    return {"at": manifest.created_at, "file": path.name, "reports": manifest.counts.get("reports", 0)}


def state(client: redis.Redis, keys: Keys, folder: Path, daily_at: str, now: datetime) -> dict:
    """The newest backup, its age in hours, and whether it is overdue (none, or older than STALE_AFTER)."""
    if not daily_at:
        return {"daily": False}
    last = newest(client, keys, folder)
    if last is None:
        return {"daily": True, "last": None, "overdue": True}
    at = datetime.fromisoformat(last["at"].replace("Z", "+00:00"))
    return {
        "daily": True,
        "last": last,
        "age_hours": round((now - at).total_seconds() / 3600, 1),
        "overdue": now - at > STALE_AFTER,
    }
