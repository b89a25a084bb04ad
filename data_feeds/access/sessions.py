"""People's sessions, kept on the server so that signing out, disabling an account or resetting its password ends
them everywhere (a signed cookie alone stays valid until it expires, whatever happens to the account).

The session cookie (Flask's, signed) holds `<session id>.<secret>`; the store keeps the session id, its person, the
secret's SHA-256, when it ends by itself (SESSION_HOURS) and when and why it was ended early. The web app checks a
session at most every few seconds per worker (api/signin.py); the live channel, which reads no database, learns of
ended sessions from the live worker (`ended_since`) through Redis, and closes their streams.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data_feeds.clock import utcnow
from data_feeds.store import Store, people, sessions

HOLDER_PREFIX = "s:"  # a session, as a live ticket names its holder (a screen is "d:<device id>")


def holder(session_id: str) -> str:
    return HOLDER_PREFIX + session_id


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def end_all(conn: Connection, person_id: str, why: str, now: datetime) -> None:
    """In the caller's transaction (an account disabled, a password reset): every open session of the person ends."""
    conn.execute(
        update(sessions)
        .where(sessions.c.person_id == person_id, sessions.c.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )


class Sessions:
    def __init__(self, store: Store, clock=utcnow):
        self.store, self.clock = store, clock

    def begin(self, person_id: str, hours: float) -> str:
        """A new session. -> what the cookie keeps: `<id>.<secret>`."""
        session_id, secret, now = secrets.token_hex(8), secrets.token_urlsafe(24), self.clock()
        with self.store.write() as conn:
            conn.execute(
                insert(sessions).values(
                    id=session_id,
                    person_id=person_id,
                    secret_sha256=_digest(secret),
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                )
            )
        return f"{session_id}.{secret}"

    def check(self, token: str) -> tuple[dict, str] | None:
        """-> (the person's row, the session id) for a session still open, unexpired, of an enabled account; else
        None (a token of any other shape, a wrong secret, an ended session)."""
        session_id, _, secret = (token or "").partition(".")
        if not session_id or not secret or len(token) > 200:
            return None
        with self.store.read() as conn:
            row = (
                conn.execute(
                    select(sessions, people.c.disabled_at.label("person_disabled"))
                    .join(people, people.c.id == sessions.c.person_id)
                    .where(sessions.c.id == session_id)
                )
                .mappings()
                .first()
            )
            if (
                row is None
                or not hmac.compare_digest(row["secret_sha256"], _digest(secret))
                or row["ended_at"] is not None
                or row["expires_at"] <= self.clock()
                or row["person_disabled"] is not None
            ):
                return None
            person = conn.execute(select(people).where(people.c.id == row["person_id"])).mappings().first()
        return dict(person), session_id

    def end(self, token: str, why: str = "signout") -> str | None:
        """End the session the cookie names (sign-out). -> its id, or None when it was no open session."""
        found = self.check(token)
        if found is None:
            return None
        with self.store.write() as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.id == found[1], sessions.c.ended_at.is_(None))
                .values(ended_at=self.clock(), ended_why=why)
            )
        return found[1]

    def ended_since(self, since: datetime) -> list[tuple[str, datetime]]:
        """(holder, when) of the sessions ended early since `since`: what the live channel must stop serving."""
        with self.store.read() as conn:
            return [
                (holder(r.id), r.ended_at)
                for r in conn.execute(select(sessions.c.id, sessions.c.ended_at).where(sessions.c.ended_at >= since))
            ]
