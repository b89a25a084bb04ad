"""Uploaded evidence kept in the database, where every node reads it and every backup holds it.

An upload's life: it is judged (evidence_content.py) only after who sends it may resolve the report as it stands,
then *staged* (a row with no event, durable before the action is tried); the event that closes the report
*adopts* it in the event's own transaction (`adopt`, from ReportRepository.apply_event), so a file is served
only once an event holds it. A staged file whose action was refused is removed at once (`discard`); one whose
process died in between is removed by the live worker (`sweep`). Each person may stage a bounded number of files
and bytes an hour, so one account cannot fill the disk that also holds every report.

Served at /bukti/<report id>/<name> (api/evidence.py) to those who may see the report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from data_feeds import paths
from data_feeds.refusal import Kind, Refusal
from data_feeds.store import Store
from data_feeds.store.tables import evidence_files, report_events

from .evidence_content import MIME_OF, Accepted

REPORT_DIR = re.compile(r"^[0-9A-Za-z]{1,32}$")
FILE_NAME = re.compile(
    r"^[0-9a-f]{32}\.(jpg|png|webp|mp4|webm|mov)$"
)  # (png, webp, mov: files kept before re-encoding)
SITE_URL = re.compile(r"^/bukti/[0-9A-Za-z]{1,32}/[0-9a-f]{32}\.(jpg|png|webp|mp4|webm|mov)$")
LEGACY_MIME = {"png": "image/png", "webp": "image/webp", "mov": "video/quicktime"}
STAGED_FOR = timedelta(hours=1)  # a staged file no event adopted within this is swept


@dataclass(frozen=True)
class Allowance:
    """What one person may upload in an hour."""

    files: int
    bytes: int


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    mime: str


def url_of(report_id: str, name: str) -> str:
    return f"{paths.EVIDENCE}{report_id}/{name}"


def split_url(url: str) -> tuple[str, str] | None:
    """(report id, name) of one of this site's evidence addresses, or None for any other."""
    if not isinstance(url, str) or not SITE_URL.match(url):
        return None
    report_id, name = url.removeprefix(paths.EVIDENCE).split("/", 1)
    return report_id, name


def mime_of(name: str) -> str:
    ext = name.rsplit(".", 1)[1]
    return MIME_OF.get(ext) or LEGACY_MIME[ext]


class EvidenceStore:
    def __init__(self, store: Store, clock: Callable[[], datetime]):
        self.store = store
        self.clock = clock

    def stage(self, report_id: str, accepted: Accepted, uploader: str, allowance: Allowance) -> dict:
        """Keep an accepted file, not yet held by any event, within the uploader's hourly allowance (a refusal
        stores nothing). -> {"url", "type"} to name in the event. The same file again for the same report is the
        one already kept (and costs nothing)."""
        now = self.clock()

        def job(conn: Connection) -> dict:
            kept = conn.execute(
                select(evidence_files.c.kind).where(
                    evidence_files.c.report_id == report_id, evidence_files.c.name == accepted.name
                )
            ).first()
            if kept is None:
                self._within(conn, uploader, len(accepted.data), allowance, now)
                conn.execute(
                    insert(evidence_files).values(
                        report_id=report_id,
                        name=accepted.name,
                        kind=accepted.kind,
                        size=len(accepted.data),
                        data=accepted.data,
                        uploaded_by=uploader[:60],
                        uploaded_at=now,
                        claimed_taken_at=accepted.claims.taken_at,
                        claimed_lat=accepted.claims.lat,
                        claimed_lon=accepted.claims.lon,
                    )
                )
            return {"url": url_of(report_id, accepted.name), "type": accepted.kind}

        return self.store.commit_together(job)

    @staticmethod
    def _within(conn: Connection, uploader: str, size: int, allowance: Allowance, now: datetime) -> None:
        files, total = conn.execute(
            select(func.count(), func.coalesce(func.sum(evidence_files.c.size), 0)).where(
                evidence_files.c.uploaded_by == uploader[:60], evidence_files.c.uploaded_at > now - timedelta(hours=1)
            )
        ).one()
        if files + 1 > allowance.files or total + size > allowance.bytes:
            raise Refusal.one(
                Kind.TOO_LARGE,
                "evidence",
                f"this account has uploaded {files} files ({total:,} bytes) in the last hour; at most "
                f"{allowance.files} files and {allowance.bytes:,} bytes an hour are accepted",
                "refuse_evidence_allowance",
                files=allowance.files,
                max=allowance.bytes,
            )

    def discard(self, url: str) -> None:
        """Remove a staged file whose action was refused (a file an event holds stays: the same photo sent twice is
        one file)."""
        parts = split_url(url)
        if parts is None:
            return
        with self.store.write() as conn:
            conn.execute(
                delete(evidence_files).where(
                    evidence_files.c.report_id == parts[0],
                    evidence_files.c.name == parts[1],
                    evidence_files.c.event_id.is_(None),
                )
            )

    def sweep(self) -> int:
        """Remove what was staged more than STAGED_FOR ago and no event adopted. -> how many files went."""
        with self.store.write() as conn:
            return conn.execute(
                delete(evidence_files).where(
                    evidence_files.c.event_id.is_(None), evidence_files.c.uploaded_at < self.clock() - STAGED_FOR
                )
            ).rowcount

    def read(self, report_id: str, name: str) -> StoredFile | None:
        """A file an event holds, or None (a name that is not ours never reaches the database)."""
        if not REPORT_DIR.match(report_id) or not FILE_NAME.match(name):
            return None
        with self.store.read() as conn:
            row = conn.execute(
                select(evidence_files.c.data).where(
                    evidence_files.c.report_id == report_id,
                    evidence_files.c.name == name,
                    evidence_files.c.event_id.is_not(None),
                )
            ).first()
        return StoredFile(bytes(row.data), mime_of(name)) if row else None

    def import_folder(self, data_dir: Path) -> int:
        """Files an older version kept under DATA_DIR/evidence/<report>/<name>, moved into the database and held by
        the event that names them (files no event names are left where they are). -> how many moved."""
        folder = data_dir / "evidence"
        if not folder.is_dir():
            return 0
        moved = 0
        for path in sorted(folder.glob("*/*")):
            report_id, name = path.parent.name, path.name
            if not (REPORT_DIR.match(report_id) and FILE_NAME.match(name)):
                continue
            with self.store.write() as conn:
                event_id = _event_naming(conn, report_id, url_of(report_id, name))
                if event_id is None:
                    continue
                data = path.read_bytes()
                exists = conn.execute(
                    select(evidence_files.c.name).where(
                        evidence_files.c.report_id == report_id, evidence_files.c.name == name
                    )
                ).first()
                if exists is None:
                    conn.execute(
                        insert(evidence_files).values(
                            report_id=report_id,
                            name=name,
                            kind="video" if name.endswith(("mp4", "webm", "mov")) else "photo",
                            size=len(data),
                            data=data,
                            uploaded_by="",
                            uploaded_at=self.clock(),
                            event_id=event_id,
                        )
                    )
            path.unlink()  # (only once the row is committed)
            moved += 1
        return moved


def _event_naming(conn: Connection, report_id: str, url: str) -> int | None:
    for event_id, evidence in conn.execute(
        select(report_events.c.id, report_events.c.evidence).where(report_events.c.report_id == report_id)
    ):
        if any(isinstance(item, dict) and item.get("url") == url for item in evidence or []):
            return event_id
    return None


def adopt(conn: Connection, report_id: str, event_id: int, evidence: list) -> None:
    """Inside the event's transaction: every uploaded file the event names becomes the event's (served from now
    on). A file of another report's, or one that was never uploaded (or was swept), refuses the event: an event
    never points at nothing."""
    for item in evidence or []:
        parts = split_url(item.get("url") if isinstance(item, dict) else item)
        if parts is None:
            continue  # a link to the feed's own server
        owner, name = parts
        where = and_(evidence_files.c.report_id == report_id, evidence_files.c.name == name)
        if owner == report_id:
            conn.execute(
                update(evidence_files).where(where, evidence_files.c.event_id.is_(None)).values(event_id=event_id)
            )
            if conn.execute(select(evidence_files.c.name).where(where)).first() is not None:
                continue
        raise Refusal.one(
            Kind.INVALID,
            "evidence",
            f"no file uploaded for this report at {item.get('url') if isinstance(item, dict) else item}",
            "refuse_evidence_missing",
        )
