"""Command line for the data side: API keys and bulk imports (reports, indicator figures).

    python -m data_feeds keys create SOURCE [--role report --role workflow --role personal] [--label TEXT]
    python -m data_feeds keys list
    python -m data_feeds keys revoke KEY_ID
    python -m data_feeds import reports FILE [--dry-run] [--batch-size N] [--source SOURCE]
    python -m data_feeds import indicators FILE.csv|FILE.xlsx [--dry-run]

Uses the same settings as the app (DATA_DIR / DATABASE_URL), so it works on the running app's store.
"""
from __future__ import annotations

import argparse
import sys

from ..access.keys import DEFAULT_ROLES, ROLES, ApiKeys
from ..reports import categories
from ..runtime.settings import Settings
from ..store import Store


def _services():
    """Everything, for the imports (which place reports on the map); the key commands need only the store,
    and start faster without the map's libraries."""
    from ..runtime.services import Services
    services = Services(Settings.from_env())
    services.store.create_schema()
    return services


def _keys() -> ApiKeys:
    store = Store(Settings.from_env().database_url)
    store.create_schema()
    return ApiKeys(store)


def keys_create(args) -> int:
    sources = categories.load().sources
    if args.source not in sources:
        print(f"unknown source {args.source!r}; known sources (data_feeds/reports/categories.toml): "
              f"{', '.join(sources)}", file=sys.stderr)
        return 2
    row, key = _keys().create(args.source, roles=args.role or DEFAULT_ROLES, label=args.label)
    print(f"key {row['id']} for source {row['source']}, roles {', '.join(row['roles'])}. "
          "Shown once: store it now; only its hash is kept.", file=sys.stderr)
    print(key)  # the last line of output is the key, for scripts
    return 0


def keys_list(_args) -> int:
    for row in _keys().list():
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        print(f"{row['id']}  {row['source']:<14} {','.join(row['roles']):<26} {state:<24} {row['label'] or ''}")
    return 0


def keys_revoke(args) -> int:
    if _keys().revoke(args.key_id):
        print(f"key {args.key_id} revoked: it is refused from the next request on")
        return 0
    print(f"no active key {args.key_id!r}", file=sys.stderr)
    return 2


def import_reports(args) -> int:
    from ..reports.bulk_import import run_cli
    return run_cli(_services(), args.file, dry_run=args.dry_run, batch_size=args.batch_size, source=args.source)


def import_indicators(args) -> int:
    from ..indicators.importer import run_cli
    return run_cli(_services().indicators, args.file, dry_run=args.dry_run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_feeds", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    keys = sub.add_parser("keys", help="API keys per feed source").add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="create a key; prints it as the last line")
    create.add_argument("source")
    create.add_argument("--role", action="append", choices=ROLES,
                        help=f"repeat for several (default: {', '.join(DEFAULT_ROLES)})")
    create.add_argument("--label", help="who holds it, e.g. 'LAKSA production'")
    create.set_defaults(func=keys_create)
    keys.add_parser("list", help="keys and their state (never the secrets)").set_defaults(func=keys_list)
    revoke = keys.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=keys_revoke)
    imp = sub.add_parser("import", help="bulk-load history").add_subparsers(dest="what", required=True)
    reports = imp.add_parser("reports", help="reports from CSV or JSON Lines")
    reports.add_argument("file")
    reports.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
    reports.add_argument("--batch-size", type=int, default=1000, help="rows per all-or-nothing batch (default 1000)")
    reports.add_argument("--source", help="source for rows that name none")
    reports.set_defaults(func=import_reports)
    inds = imp.add_parser("indicators", help="indicator figures from CSV or XLSX (format: data_feeds/indicators/importer.py)")
    inds.add_argument("file")
    inds.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
    inds.set_defaults(func=import_indicators)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
