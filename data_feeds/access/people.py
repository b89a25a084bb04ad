"""People who sign in: their roles, their passwords (argon2), and the lockout that stops guessing.

Roles, as the LIVE Room names them:
  pimpinan  the mayor, deputy, sekda: every report and figure, no reporter's contact
  operator  LIVE Room staff: every report with the reporter's contact; forwards, reassigns, rejects
  opd       an agency's head or staff, scoped to one or more OPDs: their own reports in full
  penilai   a smart-city assessor: indicators, pillars, exports and complaint aggregates only
  admin     people, devices and keys
`personal` grants the reporter's contact to a role that lacks it (an OPD that calls citizens back).

Passwords are hashed with argon2id (argon2-cffi, its RFC 9106 low-memory profile): slow on purpose,
because people choose guessable passwords (keys are random 256-bit secrets and use SHA-256). After
MAX_FAILURES wrong passwords in a row from one address an account is locked for LOCKOUT from that address (the
guesser, not the owner); a sign-in never says which part was wrong. Sign-in itself (sessions, CSRF, the page) is
built on this in the web layer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, delete, insert, literal, select, update

from data_feeds.clock import utcnow
from data_feeds.store import Store, UTCDateTime, people, signin_failures

from .sessions import end_all

ROLES = ("pimpinan", "operator", "opd", "penilai", "admin")
PERSONAL_BY_ROLE = {"operator"}  # roles that read reporters' contact without the personal grant
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("no account has this password")  # what an unknown name is checked against


@dataclass(frozen=True)
class Person:
    id: str
    username: str
    name: str
    role: str
    opds: frozenset[str]
    personal: bool

    @property
    def reads_personal_data(self) -> bool:
        return self.personal or self.role in PERSONAL_BY_ROLE


class SignInRefused(Exception):
    """Wrong name or password, a disabled account, or a locked one: `reason` is for the audit, never the screen."""

    def __init__(self, reason: str, locked_until: datetime | None = None):
        super().__init__(reason)
        self.reason, self.locked_until = reason, locked_until


def new_password() -> str:
    """A password to hand over once: 20 characters from a URL-safe alphabet (about 120 bits)."""
    return secrets.token_urlsafe(15)


class People:
    def __init__(self, store: Store, clock=utcnow):
        self.store, self.clock = store, clock

    def add(self, username: str, role: str, name: str = "", opds=(), personal: bool = False) -> tuple[Person, str]:
        """-> (the person, their first password: shown once)."""
        username = username.strip().lower()
        if (
            not username
            or len(username) > 60
            or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
        ):
            raise ValueError("a username is 1-60 letters, digits and . - _")
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        opds = sorted(set(opds))
        if (role == "opd") != bool(opds):
            raise ValueError("an opd account names its OPDs (--opd), and only an opd account does")
        password = new_password()
        row = dict(
            id=secrets.token_hex(8),
            username=username,
            name=name.strip()[:120] or username,
            role=role,
            opds=opds,
            personal=int(personal),
            password_hash=_HASHER.hash(password),
            created_at=self.clock(),
            failures=0,
            locked_until=None,
            disabled_at=None,
        )
        with self.store.write() as conn:
            if conn.execute(select(people.c.id).where(people.c.username == username)).first():
                raise ValueError(f"there is already an account {username!r}")
            conn.execute(people.insert(), row)
        return person_of(row), password

    def ensure(self, username: str, role: str, name: str = "", opds=()) -> Person:
        """The account, made if it does not exist yet (with a password nobody is told: it is entered by
        one-time link); an existing one is left as it is. For the local operator and the demo accounts."""
        found = self.by_username(username)
        if found is not None:
            return found
        try:
            return self.add(username, role, name, opds)[0]
        except ValueError:  # made at this moment by another process
            return self.by_username(username)

    def by_username(self, username: str, enabled_only: bool = False) -> Person | None:
        with self.store.read() as conn:
            row = conn.execute(select(people).where(people.c.username == username.strip().lower())).mappings().first()
        return person_of(dict(row)) if row and not (enabled_only and row["disabled_at"] is not None) else None

    def by_id(self, person_id: str) -> Person | None:
        """An enabled account by its id (a one-time link names the id)."""
        with self.store.read() as conn:
            row = (
                conn.execute(select(people).where(people.c.id == person_id, people.c.disabled_at.is_(None)))
                .mappings()
                .first()
            )
        return person_of(dict(row)) if row else None

    def of_agency(self, opd: str) -> list[Person]:
        """The enabled accounts of an agency's own people (role opd) a report of `opd` may be assigned to, by name."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(people).where(people.c.role == "opd", people.c.disabled_at.is_(None)).order_by(people.c.name)
            ).mappings()
            return [p for p in map(person_of, map(dict, rows)) if opd in p.opds]

    def list(self) -> list[dict]:
        cols = [c for c in people.c if c.name != "password_hash"]
        with self.store.read() as conn:
            return [dict(r) for r in conn.execute(select(*cols).order_by(people.c.username)).mappings()]

    def disable(self, username: str) -> bool:
        """The account can no longer sign in, and every session it has ends now."""
        now = self.clock()
        with self.store.write() as conn:
            person_id = conn.execute(
                select(people.c.id).where(people.c.username == username.strip().lower(), people.c.disabled_at.is_(None))
            ).scalar()
            if person_id is None:
                return False
            conn.execute(update(people).where(people.c.id == person_id).values(disabled_at=now))
            end_all(conn, person_id, "disabled", now)
            return True

    def reset(self, username: str) -> str | None:
        """A new password (shown once), the lockout lifted. None: no such account."""
        password = new_password()
        hashed = _HASHER.hash(password)  # (slow on purpose: never inside the store's write lock)
        with self.store.write() as conn:
            person_id = conn.execute(select(people.c.id).where(people.c.username == username.strip().lower())).scalar()
            if person_id is None:
                return None
            conn.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(password_hash=hashed, failures=0, locked_until=None)
            )
            end_all(conn, person_id, "password_reset", self.clock())  # whoever knew the old password is out
            conn.execute(delete(signin_failures).where(signin_failures.c.username == username.strip().lower()))
            return password

    def verify(self, username: str, password: str, address: str = "") -> Person:
        """The person, or SignInRefused. Wrong passwords count per account AND address: MAX_FAILURES in a row from
        one address lock the account for LOCKOUT from that address only, and tries while locked are refused without
        being counted (the lock does not grow). So a guesser locks out itself, never the owner at their own desk
        (and a one-time link always lets the owner in). The hash is checked whatever the answer will be (unknown,
        disabled, locked): how long it takes says nothing. Outside any write: argon2 takes tens of milliseconds."""
        now = self.clock()
        name = (username or "").strip().lower()[:60]
        mine = and_(signin_failures.c.username == name, signin_failures.c.address == address[:64])
        with self.store.read() as conn:
            row = conn.execute(select(people).where(people.c.username == name)).mappings().first()
            lock = conn.execute(select(signin_failures.c.locked_until).where(mine)).scalar()
        right = _password_matches(row["password_hash"] if row else None, password or "")
        if row is None:
            raise SignInRefused("unknown username")
        if lock is not None and lock > now:
            raise SignInRefused("account locked", lock)
        if row["disabled_at"] is not None:
            raise SignInRefused("account disabled")
        if not right:
            raise SignInRefused("wrong password", self._count_failure(name, address[:64], mine, now))
        rehash = _HASHER.hash(password) if _HASHER.check_needs_rehash(row["password_hash"]) else None
        with self.store.write() as conn:
            conn.execute(delete(signin_failures).where(mine))
            if rehash:
                conn.execute(update(people).where(people.c.id == row["id"]).values(password_hash=rehash))
        return person_of(dict(row))

    def _count_failure(self, name: str, address: str, mine, now: datetime) -> datetime | None:
        """One more wrong password from this address (counted in SQL: two guesses at once both count). -> the lock's
        end when this one locked the account (the count starts again after it)."""
        f = signin_failures.c
        locking = f.failures + 1 >= MAX_FAILURES
        with self.store.write() as conn:
            done = conn.execute(
                update(signin_failures)
                .where(mine)
                .values(
                    failures=case((locking, 0), else_=f.failures + 1),
                    locked_until=case((locking, literal(now + LOCKOUT, UTCDateTime)), else_=f.locked_until),
                    updated_at=now,
                )
            )
            if done.rowcount == 0:
                conn.execute(
                    insert(signin_failures).values(
                        username=name, address=address, failures=1, locked_until=None, updated_at=now
                    )
                )
            return conn.execute(select(f.locked_until).where(mine)).scalar()


def _password_matches(password_hash: str | None, password: str) -> bool:
    """argon2's verdict; for no account, the same work against a hash of nothing (timing says nothing)."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def person_of(row: dict) -> Person:
    return Person(
        row["id"], row["username"], row["name"], row["role"], frozenset(row["opds"] or ()), bool(row["personal"])
    )
