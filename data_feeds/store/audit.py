"""The audit log: who read or changed what, when, from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    select,
)

from data_feeds.store.tables import audit_events


class Audit:
    """Store's audit rows."""

    def audit(self, **entry) -> None:
        """One audit row (at, actor_kind, actor, action, outcome, report_id, address, detail)."""
        self.audit_many([entry])

    def audit_many(self, entries: list[dict]) -> None:
        if entries:
            with self.write() as conn:
                conn.execute(audit_events.insert(), entries)

    def audit_log(self, since: datetime | None = None, limit: int = 1000, newest: bool = False) -> list[dict]:
        """Audit rows, oldest first, from `since` on (newest: the last `limit` rows, still oldest first)."""
        q = select(audit_events)
        if since is not None:
            q = q.where(audit_events.c.at >= since)
        order = audit_events.c.id.desc() if newest else audit_events.c.id
        with self.read() as conn:
            rows = [dict(r) for r in conn.execute(q.order_by(order).limit(limit)).mappings()]
        return rows[::-1] if newest else rows
