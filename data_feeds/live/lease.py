"""Exactly one live worker active in a deployment, however many machines run one: a lease in Redis.

The worker that holds the key does the work (relay, snapshots, demo feed, upkeep); the others wait.
The holder renews it every RENEW_S; the key dies LEASE_S after the last renewal, so a worker that was
killed (or lost its machine) is replaced within LEASE_S + WAIT_S. A holder that has not renewed for
longer than STOP_AFTER_S stops its jobs before its key can expire, so two workers never work at once
(unless a process stalls longer than LEASE_S - STOP_AFTER_S between two checks; the relay's stream ids are
the outbox seqs, so even then no event is published twice). Redis's own SET NX PX and a compare-and-extend
script: no cluster manager.
"""

from __future__ import annotations

import os
import socket
import time

import redis

LEASE_S = 6.0
RENEW_S = 1.5
WAIT_S = 1.0  # how often a waiting worker tries to take it
STOP_AFTER_S = LEASE_S - 2.0

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


def holder_name(node_name: str = "") -> str:
    """Which worker: its node (settings.node_name, NODE_NAME; else the host name) and process id."""
    return f"{node_name or socket.gethostname()}:{os.getpid()}"


class Lease:
    def __init__(self, client: redis.Redis, key: str, holder: str | None = None):
        self.client, self.key = client, key
        self.holder = holder or holder_name()
        self.renewed_at: float | None = None  # time.monotonic() of the last successful take or renewal

    def take(self) -> bool:
        if self.client.set(self.key, self.holder, nx=True, px=int(LEASE_S * 1000)):
            self.renewed_at = time.monotonic()
            return True
        return False

    def renew(self) -> bool:
        """-> False when the lease is no longer ours (it expired and another took it, or Redis lost it)."""
        if self.client.eval(_RENEW, 1, self.key, self.holder, int(LEASE_S * 1000)):
            self.renewed_at = time.monotonic()
            return True
        return False

    @property
    def safe(self) -> bool:
        """Still surely ours: renewed recently enough that the key cannot have expired."""
        return self.renewed_at is not None and time.monotonic() - self.renewed_at < STOP_AFTER_S

    def release(self) -> None:
        try:
            self.client.eval(_RELEASE, 1, self.key, self.holder)
        except (redis.RedisError, OSError):
            pass  # it expires by itself
        self.renewed_at = None

    def current_holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if value else None
