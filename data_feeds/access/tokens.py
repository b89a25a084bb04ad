"""One-time tokens: the one-click sign-in link printed at start-up and the pairing link of a wall screen.

A token is 256 random bits shown once (in a link); only its SHA-256 is stored. Redeeming is one
UPDATE that succeeds for exactly one caller, so a link opened twice, or by two browsers at once,
lets in only the first.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update

from data_feeds import paths
from data_feeds.clock import utcnow
from data_feeds.store import Store, one_time_tokens

PURPOSES = ("signin", "pair")
SIGNIN_TTL = timedelta(hours=24)
PAIR_TTL = timedelta(days=7)  # a screen may be mounted days after its link was made


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OneTimeTokens:
    def __init__(self, store: Store, clock=utcnow):
        self.store, self.clock = store, clock

    def issue(self, purpose: str, subject: str, ttl: timedelta) -> str:
        if purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.write() as conn:
            conn.execute(
                one_time_tokens.insert(),
                dict(
                    digest=_digest(token),
                    purpose=purpose,
                    subject=subject,
                    created_at=now,
                    expires_at=now + ttl,
                    used_at=None,
                ),
            )
        return token

    def redeem(self, purpose: str, token: str) -> str | None:
        """The subject the token was made for, once; None for an unknown, used, expired or foreign token."""
        if not token or len(token) > 100:
            return None
        t = one_time_tokens.c
        now = self.clock()
        with self.store.write() as conn:
            done = conn.execute(
                update(one_time_tokens)
                .where(t.digest == _digest(token), t.purpose == purpose, t.used_at.is_(None), t.expires_at > now)
                .values(used_at=now)
                .returning(t.subject)
            ).first()
        return done[0] if done else None


def link(base_url: str, purpose: str, token: str) -> str:
    """The one-click address of a token: base_url is Settings.base_url."""
    return f"{base_url}{paths.SIGNIN if purpose == 'signin' else paths.PAIR}/{token}"
