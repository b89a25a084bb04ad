"""API keys and what each may act on.

A key is `lr_<id>_<secret>`: the id finds the row, the secret is compared with its stored
SHA-256. The secrets are 256 random bits, so a fast hash is enough (slow password hashes
protect guessable passwords, and would cost every POST milliseconds); the key itself is
shown once, at creation, and never stored.

Scope: a **feed key** speaks for one source (`laksa`, `112`, ...) and acts only on that source's
reports; an **agency key** (`--opd dpupr`) belongs to an OPD's own system and acts on the reports
routed to its OPD, whatever their source. Roles: `report` sends reports as the key's source;
`workflow` moves reports through the lifecycle; `personal` reads reporter names and phone numbers;
`indicators` updates vaccination and programme figures.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update

from data_feeds.refusal import Kind, Refusal
from data_feeds.store import Store, api_keys

ROLES = ("report", "workflow", "personal", "indicators")
DEFAULT_ROLES = ("report",)
AGENCY_ROLES = ("workflow", "personal", "indicators")  # an agency key sends no citizen reports: it speaks for no source
HEADER = "X-API-Key"


@dataclass(frozen=True)
class Principal:
    key_id: str
    source: str  # the feed a feed key speaks for; "" for an agency key
    roles: frozenset[str]
    opds: frozenset[str] = frozenset()  # an agency key's OPDs

    @property
    def name(self) -> str:
        """Who the key speaks for, as people read it in a report's history."""
        return f"OPD {', '.join(sorted(self.opds))}" if self.opds else self.source

    def require(self, role: str, field: str = HEADER) -> None:
        if role not in self.roles:
            raise Refusal.one(
                Kind.FORBIDDEN,
                field,
                f"this API key lacks the {role!r} role (it has: {', '.join(sorted(self.roles)) or 'none'})",
            )

    def may_act_on(self, report: dict) -> bool:
        return (report["opd"] in self.opds) if self.opds else report["source"] == self.source

    def require_scope(self, report: dict, field: str = HEADER) -> None:
        """A Refusal (forbidden) unless the report is this key's to act on (its source's; for an agency key, routed
        to its OPD)."""
        if not self.may_act_on(report):
            scope = (
                f"reports routed to {', '.join(sorted(self.opds))}"
                if self.opds
                else f"reports from source {self.source!r}"
            )
            raise Refusal.one(
                Kind.FORBIDDEN, field, f"this API key acts only on {scope}; report {report['id']} is not one of them"
            )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


RECHECK_S = 5.0  # a key's row is read again after this: a revoked key is refused by every worker within it
_REMEMBERED_MAX = 10_000


class ApiKeys:
    def __init__(self, store: Store):
        self.store = store
        # key id -> (read at, its row or None): a feed posting a thousand reports a second costs one read per
        # RECHECK_S, not one per report (the secret is still checked against the row's digest every time)
        self._rows: dict[str, tuple[float, dict | None]] = {}

    def create(self, source: str, roles=DEFAULT_ROLES, label: str | None = None, opds=()) -> tuple[dict, str]:
        """A feed key (source) or an agency key (opds, and source ""). -> (stored row without the hash,
        the key to hand over: shown only now)."""
        roles, opds = sorted(set(roles)), sorted(set(opds))
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r}; roles: {', '.join(ROLES)}")
        if bool(source) == bool(opds):
            raise ValueError("a key is either a feed key (a source) or an agency key (--opd): give one of them")
        if opds and not set(roles) <= set(AGENCY_ROLES):
            raise ValueError(f"an agency key may have the roles {', '.join(AGENCY_ROLES)}: it sends no citizen reports")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        row = dict(
            id=key_id,
            source=source,
            roles=roles,
            opds=opds or None,
            label=label,
            secret_sha256=_digest(secret),
            created_at=datetime.now(timezone.utc),
            revoked_at=None,
        )
        with self.store.write() as conn:
            conn.execute(api_keys.insert(), row)
        return {k: v for k, v in row.items() if k != "secret_sha256"}, f"lr_{key_id}_{secret}"

    def revoke(self, key_id: str) -> bool:
        with self.store.write() as conn:
            done = conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(timezone.utc))
            )
        self._rows.pop(key_id, None)  # at once in this process; other processes within RECHECK_S
        return done.rowcount == 1

    def list(self) -> list[dict]:
        cols = [c for c in api_keys.c if c.name != "secret_sha256"]
        with self.store.read() as conn:
            return [dict(r) for r in conn.execute(select(*cols).order_by(api_keys.c.created_at)).mappings()]

    def _row(self, key_id: str) -> dict | None:
        now = time.monotonic()
        hit = self._rows.get(key_id)
        if hit is not None and now - hit[0] < RECHECK_S:
            return hit[1]
        with self.store.read() as conn:
            found = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).mappings().first()
        row = dict(found) if found is not None else None
        if len(self._rows) >= _REMEMBERED_MAX:  # ids sprayed by a guesser must not grow it without end
            self._rows.clear()
        self._rows[key_id] = (now, row)
        return row

    def genuine(self, presented: str) -> bool:
        """Is this a key we issued and have not revoked, secret and all? (No refusal: the rate limits ask.)"""
        try:
            self.authenticate(presented)
            return True
        except Refusal:
            return False

    def authenticate(self, presented: str | None, field: str = HEADER) -> Principal:
        """The key's principal, or a Refusal: unauthenticated (no key), forbidden (unknown, malformed or revoked)."""
        if not presented:
            raise Refusal.one(
                Kind.UNAUTHENTICATED,
                field,
                "is required: send the API key issued for your feed (python -m data_feeds keys create SOURCE)",
            )
        parts = presented.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != "lr":
            raise Refusal.one(Kind.FORBIDDEN, field, "is not a valid API key")
        row = self._row(parts[1])
        if row is None or not hmac.compare_digest(row["secret_sha256"], _digest(parts[2])):
            raise Refusal.one(Kind.FORBIDDEN, field, "is not a valid API key")
        if row["revoked_at"] is not None:
            raise Refusal.one(Kind.FORBIDDEN, field, "has been revoked")
        return Principal(row["id"], row["source"], frozenset(row["roles"]), frozenset(row["opds"] or ()))
