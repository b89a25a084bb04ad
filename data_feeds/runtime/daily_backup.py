"""The live worker's daily backup (one worker per deployment holds the lease, so one backup a day): at BACKUP_AT
(WIB) a checked backup of the whole store into the backup folder, the oldest beyond BACKUP_KEEP removed, and what
was written told to Redis so /healthz on every node and the admin page can say how old the newest backup is."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime

import redis

from data_feeds.clock import WIB, iso_utc, utcnow
from data_feeds.live import backup_state
from data_feeds.services import Services
from data_feeds.store import backup

log = logging.getLogger("liveroom.backup")
CHECK_EVERY_S = 60.0
FIRST_CHECK_S = 30.0  # after the worker starts (its first snapshot first)


def due(now: datetime, at: str, newest: datetime | None) -> bool:
    """Is a backup due: none was ever taken (a new installation is covered from its first hour), or BACKUP_AT (WIB)
    has passed today and the newest backup is from before it?"""
    m = re.match(r"^(\d{1,2}):(\d{2})$", at or "")
    if not m:
        return False
    if newest is None:
        return True
    local = now.astimezone(WIB)
    moment = local.replace(hour=int(m[1]), minute=int(m[2]), second=0, microsecond=0)
    return local >= moment and newest < moment


def take(services: Services, now: datetime) -> dict:
    """One backup now, into the backup folder; older ones pruned; told to Redis. -> what was written."""
    folder = services.settings.backups
    path = folder / backup.name_for(now.astimezone(WIB))
    manifest = backup.create(services.settings.database_url, path, now)
    backup.prune(folder, services.settings.backup_keep)
    told = {
        "at": iso_utc(now),
        "file": path.name,
        "bytes": path.stat().st_size,
        "reports": manifest.counts.get("reports", 0),
    }
    try:
        services.redis.set(services.keys.backup, json.dumps(told))
    except (redis.RedisError, OSError):
        pass  # /healthz falls back to the folder on this node
    log.info("backup %s: %d reports, %d bytes", path.name, told["reports"], told["bytes"])
    return told


def run(services: Services, stop) -> None:
    """At start and then once a minute: take a backup when one is due. A failure is logged and tried again."""
    first = True
    while not stop.wait(FIRST_CHECK_S if first else CHECK_EVERY_S):
        first = False
        try:
            last = backup_state.newest(services.redis, services.keys, services.settings.backups)
            at = datetime.fromisoformat(last["at"].replace("Z", "+00:00")) if last else None
            now = utcnow()
            if due(now, services.settings.backup_at, at):
                take(services, now)
        except Exception:  # noqa: BLE001 - the worker must go on; the next minute tries again
            log.exception("daily backup failed")
