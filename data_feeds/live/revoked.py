"""Live views that must end before their tickets run out: the holders (a session, a screen) whose access ended.

A ticket is good for TICKET_S and the channel reads no database, so without this a signed-out session, a disabled
account or a revoked screen kept streaming until its ticket ran out. The web app tells Redis the moment it ends a
session or revokes a screen (`tell`); the live worker tells it again every few seconds from the store (what the
command line ended, or what a Redis outage lost); each channel reads the set at every beat (`holders`) and ends
those streams. An entry lasts as long as any ticket of its holder could.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime

import redis

from data_feeds.live.bus import Keys
from data_feeds.live.ticket import TICKET_S

log = logging.getLogger("liveroom.revoked")


def tell(client: redis.Redis, keys: Keys, ended: Iterable[tuple[str, datetime]]) -> None:
    """Record (holder, when it ended); best effort: the worker repeats it from the store."""
    entries = {holder: when.timestamp() + TICKET_S for holder, when in ended if holder}
    try:
        pipe = client.pipeline(transaction=False)
        if entries:
            pipe.zadd(keys.revoked, entries)
        pipe.zremrangebyscore(keys.revoked, "-inf", time.time())
        pipe.execute()
    except (redis.RedisError, OSError):
        log.warning("could not tell the live channels of %d ended holders (the worker will)", len(entries))


def holders(client: redis.Redis, keys: Keys) -> set[str]:
    """The holders whose live views must end now."""
    return {h.decode() if isinstance(h, bytes) else h for h in client.zrangebyscore(keys.revoked, time.time(), "+inf")}
