"""Command line for the store as a whole: backups and their restore (store/backup.py), and personal data
(reports/personal_data.py).

    python -m data_feeds backup create [--out FILE]
    python -m data_feeds backup restore FILE
    python -m data_feeds backup list
    python -m data_feeds privacy export --phone +62...   (what is held about a person: a subject's access request)
    python -m data_feeds privacy erase --phone +62... | --report ID   (removed, each report's erasure audited)
"""

from __future__ import annotations

import sys
from pathlib import Path

from data_feeds.clock import WIB, utcnow
from data_feeds.settings import Settings
from data_feeds.store import backup


def backup_create(args) -> int:
    settings = Settings.from_env()
    now = utcnow()
    out = Path(args.out) if args.out else settings.backups / backup.name_for(now.astimezone(WIB))
    try:
        manifest = backup.create(settings.database_url, out, now)
    except backup.BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    counts = manifest.counts
    print(
        f"{out}: {out.stat().st_size:,} bytes, {counts.get('reports', 0):,} reports, "
        f"{counts.get('report_events', 0):,} events, {counts.get('evidence_files', 0):,} evidence files (checked)"
    )
    return 0


def backup_restore(args) -> int:
    settings = Settings.from_env()
    try:
        manifest = backup.restore(Path(args.file), settings.database_url)
    except backup.BackupError as exc:
        print(f"not restored: {exc}", file=sys.stderr)
        return 2
    print(f"restored {args.file} (taken {manifest.created_at}): {manifest.counts.get('reports', 0):,} reports, counted")
    return 0


def backup_list(_args) -> int:
    for path in sorted(Settings.from_env().backups.glob("liveroom-backup-*.tar.gz")):
        try:
            manifest = backup.read_manifest(path)
            print(f"{path}  {manifest.created_at}  {manifest.counts.get('reports', 0):,} reports")
        except backup.BackupError as exc:
            print(f"{path}  unreadable: {exc}")
    return 0


def _who() -> str:
    import getpass
    import os

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _services():
    from data_feeds.services import Services

    services = Services(Settings.from_env())
    services.store.create_schema()
    return services


def privacy_export(args) -> int:
    """Everything held about the person who gave this phone, as JSON (their reports and the contact they left)."""
    import json

    services = _services()
    held = services.personal_data.held_about(args.phone)
    services.store.audit(
        at=utcnow(),
        actor_kind="cli",
        actor=_who()[:120],
        action="privacy_export",
        outcome="allowed",
        report_id=None,
        address=None,
        detail=f"{len(held)} reports",  # (never the phone itself)
    )
    print(json.dumps({"phone": args.phone, "reports": held}, indent=1, ensure_ascii=False))
    return 0


def privacy_erase(args) -> int:
    services = _services()
    if args.phone:
        erased = services.personal_data.erase_phone(args.phone, "cli", _who())
    else:
        erased = services.personal_data.erase_report(args.report, "cli", _who())
    print(f"erased the reporter of {len(erased)} reports" + (f": {', '.join(erased)}" if erased else ""))
    return 0


def add_parsers(sub) -> None:
    """The `backup` commands, on the main parser's subcommands."""
    bak = sub.add_parser("backup", help="backups of the whole store").add_subparsers(dest="action", required=True)
    create = bak.add_parser("create", help="a checked backup (default: into BACKUP_DIR)")
    create.add_argument("--out", help="the file to write (a .tar.gz)")
    create.set_defaults(func=backup_create)
    restore = bak.add_parser("restore", help="into an empty DATA_DIR or database")
    restore.add_argument("file")
    restore.set_defaults(func=backup_restore)
    bak.add_parser("list", help="the backups in BACKUP_DIR").set_defaults(func=backup_list)
    priv = sub.add_parser("privacy", help="personal data: a subject's access and erasure").add_subparsers(
        dest="action", required=True
    )
    export = priv.add_parser("export", help="what is held about the person who gave this phone (JSON)")
    export.add_argument("--phone", required=True)
    export.set_defaults(func=privacy_export)
    erase = priv.add_parser("erase", help="remove a reporter's name and phone, audited")
    which = erase.add_mutually_exclusive_group(required=True)
    which.add_argument("--phone")
    which.add_argument("--report")
    erase.set_defaults(func=privacy_erase)
