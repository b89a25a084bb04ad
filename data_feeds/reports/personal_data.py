"""What the room holds about a reporter, found, listed and erased (UU 27/2022): the reports' own SQL for it.

- `seal_legacy`: rows written before reporters were encrypted are sealed (the live worker, at its start);
- `held_about(phone)`: every report whose reporter gave this phone, with what is held (a subject's access request:
  `python -m data_feeds privacy export --phone`);
- `erase(...)`: the reporter's name and phone removed from reports, each erasure audited in the same transaction
  (`privacy erase --phone | --report`, and the live worker's `erase_expired`: PERSONAL_DATA_DAYS after a report
  closed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from data_feeds.clock import iso_utc, utcnow
from data_feeds.store import Store, audit_events, reports

from .lifecycle import OPEN
from .personal import ERASED, Sealer

BATCH = 500


class PersonalData:
    def __init__(self, store: Store, sealer: Sealer, clock: Callable[[], datetime] = utcnow):
        self.store, self.sealer, self.clock = store, sealer, clock

    def seal_legacy(self) -> int:
        """Seal every report whose reporter is still in plain text. -> how many were sealed."""
        r, sealed = reports.c, 0
        while True:
            with self.store.write() as conn:
                rows = conn.execute(
                    select(r.id, r.reporter_name, r.reporter_phone)
                    .where(or_(r.reporter_name.is_not(None), r.reporter_phone.is_not(None)))
                    .limit(BATCH)
                ).all()
                for row in rows:
                    conn.execute(
                        update(reports)
                        .where(r.id == row.id)
                        .values(**self.sealer.columns(row.reporter_name, row.reporter_phone))
                    )
            sealed += len(rows)
            if len(rows) < BATCH:
                return sealed

    def held_about(self, phone: str) -> list[dict]:
        """Each report whose reporter gave this phone (in any writing of it), with what is held about them."""
        index = self.sealer.phone_index(phone)
        if index is None:
            return []
        r = reports.c
        with self.store.read() as conn:
            rows = conn.execute(
                select(r.id, r.source, r.source_ref, r.title, r.status, r.reported_at, r.updated_at, r.reporter_sealed)
                .where(r.reporter_phone_index == index)
                .order_by(r.reported_at)
            ).mappings()
            return [
                {
                    "report_id": row["id"],
                    "source": row["source"],
                    "source_ref": row["source_ref"],
                    "title": row["title"],
                    "status": row["status"],
                    "reported_at": iso_utc(row["reported_at"]),
                    "reporter": self.sealer.reporter(dict(row)),
                }
                for row in rows
            ]

    def erase(self, where, why: str, actor_kind: str, actor: str) -> list[str]:
        """Remove the reporter from every report matching `where` (a SQL condition on reports) that still holds one,
        an audit row for each, in one transaction. -> the reports erased."""
        r, now = reports.c, self.clock()
        holds = or_(r.reporter_sealed.is_not(None), r.reporter_name.is_not(None), r.reporter_phone.is_not(None))
        with self.store.write() as conn:
            ids = [row.id for row in conn.execute(select(r.id).where(and_(where, holds)).limit(BATCH * 10))]
            if ids:
                conn.execute(update(reports).where(r.id.in_(ids)).values(**ERASED))
                conn.execute(
                    audit_events.insert(),
                    [
                        {
                            "at": now,
                            "actor_kind": actor_kind,
                            "actor": actor[:120],
                            "action": "personal_erased",
                            "outcome": "allowed",
                            "report_id": rid,
                            "address": None,
                            "detail": why[:300],
                        }
                        for rid in ids
                    ],
                )
        return ids

    def erase_phone(self, phone: str, actor_kind: str, actor: str) -> list[str]:
        index = self.sealer.phone_index(phone)
        if index is None:
            return []
        return self.erase(reports.c.reporter_phone_index == index, "the subject's request", actor_kind, actor)

    def erase_report(self, report_id: str, actor_kind: str, actor: str) -> list[str]:
        return self.erase(reports.c.id == report_id, "the subject's request", actor_kind, actor)

    def erase_expired(self, days: int) -> list[str]:
        """Reporters of reports closed more than `days` ago (their last change: resolved, refused, marked a duplicate),
        erased by the live worker, every one audited. -> the reports erased (all of them, batch after batch)."""
        cutoff, erased = self.clock() - timedelta(days=days), []
        while True:
            done = self.erase(
                and_(reports.c.status.not_in(OPEN), reports.c.updated_at < cutoff),
                f"kept {days} days after the report closed (PERSONAL_DATA_DAYS)",
                "system",
                "retention",
            )
            erased += done
            if len(done) < BATCH * 10:
                return erased
