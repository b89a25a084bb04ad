"""Wall screens: paired once from a link, then trusted by a long-lived credential until revoked.

`python -m data_feeds devices add "Layar utama 1"` makes a device and a pairing link; opening the
link on the screen redeems it once and gives the screen its credential `<id>_<secret>` (a cookie
that outlives browser restarts and reboots), so a wall never shows a sign-in prompt. The secret is
256 random bits; only its SHA-256 is stored. A device sees the read-only wall and nothing personal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from data_feeds.clock import utcnow
from data_feeds.store import Store, devices

from .tokens import PAIR_TTL, OneTimeTokens

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is refreshed at most this often: a wall polls twice a second


@dataclass(frozen=True)
class Device:
    id: str
    name: str


def holder(device_id: str) -> str:
    """A screen, as a live ticket names its holder."""
    return f"d:{device_id}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Devices:
    def __init__(self, store: Store, clock=utcnow):
        self.store, self.clock = store, clock
        self.tokens = OneTimeTokens(store, clock)

    def add(self, name: str) -> tuple[Device, str]:
        """-> (the device, its pairing token: for the link, shown once)."""
        name = " ".join((name or "").split())[:120]
        if not name:
            raise ValueError('a device needs a name, e.g. "Layar utama 1"')
        device = Device(secrets.token_hex(6), name)
        with self.store.write() as conn:
            conn.execute(
                devices.insert(),
                dict(
                    id=device.id,
                    name=name,
                    secret_sha256=None,
                    created_at=self.clock(),
                    paired_at=None,
                    revoked_at=None,
                    last_seen_at=None,
                ),
            )
        return device, self.tokens.issue("pair", device.id, PAIR_TTL)

    def relink(self, device_id: str) -> str | None:
        """A new pairing link for a device that is not revoked (a replaced screen). Pairing again replaces
        the old credential, so the old screen stops."""
        with self.store.read() as conn:
            known = conn.execute(
                select(devices.c.id).where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
            ).first()
        return self.tokens.issue("pair", device_id, PAIR_TTL) if known else None

    def pair(self, token: str) -> tuple[Device, str] | None:
        """Redeem a pairing token. -> (device, credential for the screen's cookie), or None."""
        device_id = self.tokens.redeem("pair", token)
        if device_id is None:
            return None
        secret = secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.write() as conn:
            done = conn.execute(
                update(devices)
                .where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                .values(secret_sha256=_digest(secret), paired_at=now, last_seen_at=now)
                .returning(devices.c.name)
            ).first()
        return (Device(device_id, done[0]), f"{device_id}_{secret}") if done else None

    def check(self, credential: str | None) -> Device | None:
        """The device a credential belongs to, if it is paired and not revoked."""
        device_id, _, secret = (credential or "").partition("_")
        if not device_id or not secret or len(credential) > 100:
            return None
        with self.store.read() as conn:
            row = conn.execute(select(devices).where(devices.c.id == device_id)).mappings().first()
        if row is None or row["revoked_at"] is not None or not row["secret_sha256"]:
            return None
        if not hmac.compare_digest(row["secret_sha256"], _digest(secret)):
            return None
        now = self.clock()
        if row["last_seen_at"] is None or now - row["last_seen_at"] > SEEN_EVERY:
            with self.store.write() as conn:
                conn.execute(update(devices).where(devices.c.id == device_id).values(last_seen_at=now))
        return Device(row["id"], row["name"])

    def list(self) -> list[dict]:
        cols = [c for c in devices.c if c.name != "secret_sha256"]
        with self.store.read() as conn:
            return [dict(r) for r in conn.execute(select(*cols).order_by(devices.c.created_at)).mappings()]

    def revoke(self, device_id: str) -> bool:
        with self.store.write() as conn:
            done = conn.execute(
                update(devices)
                .where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
            return done.rowcount == 1

    def revoked_since(self, since) -> list[tuple[str, object]]:
        """(holder, when) of the screens revoked since `since`: what the live channel must stop serving."""
        with self.store.read() as conn:
            return [
                (holder(r.id), r.revoked_at)
                for r in conn.execute(select(devices.c.id, devices.c.revoked_at).where(devices.c.revoked_at >= since))
            ]
