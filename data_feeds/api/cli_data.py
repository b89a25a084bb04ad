"""Command line for the store as a whole: backups and their restore (store/backup.py).

python -m data_feeds backup create [--out FILE]
python -m data_feeds backup restore FILE
python -m data_feeds backup list
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
