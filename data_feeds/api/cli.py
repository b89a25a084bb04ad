"""Command line for the data side: API keys and bulk imports (reports, indicator figures).

    python -m data_feeds keys create SOURCE [--role report --role workflow --role personal] [--label TEXT]
    python -m data_feeds keys create --opd dpupr [--opd ...] --role workflow [--label TEXT]   (an agency's own system)
    python -m data_feeds keys list
    python -m data_feeds keys revoke KEY_ID
    python -m data_feeds import reports FILE [--dry-run] [--batch-size N] [--source SOURCE]
    python -m data_feeds import indicators FILE.csv|FILE.xlsx [--dry-run]
    python -m data_feeds import boundaries FILE [--dry-run] [--json]   (official kelurahan boundaries)
    python -m data_feeds audit [--since 2026-11-01] [--limit N]
    python -m data_feeds report evidence --out pack.pdf [--from 2026-11-01] [--to 2026-11-30] [--lang en]
    python -m data_feeds report briefing [--date 2026-11-29] [--send]   (the morning briefing, under
    DATA_DIR/briefings/)
    python -m data_feeds users add USERNAME --role opd --opd dpupr [--name "..."] [--personal]
    python -m data_feeds users list | disable USERNAME | reset USERNAME | link USERNAME
    python -m data_feeds devices add "Layar utama 1" | list | revoke DEVICE_ID | relink DEVICE_ID
    python -m data_feeds backup create [--out FILE]   (the whole store, evidence included; checked once written)
    python -m data_feeds backup restore FILE          (into an empty DATA_DIR or database; counted)

Uses the same settings as the app (DATA_DIR / DATABASE_URL), so it works on the running app's store.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from data_feeds.access.keys import DEFAULT_ROLES, ROLES, ApiKeys
from data_feeds.access.people import ROLES as PEOPLE_ROLES
from data_feeds.api import cli_data
from data_feeds.api.cli_access import (
    devices_add,
    devices_list,
    devices_relink,
    devices_revoke,
    outcome,
    unknown_opd,
    users_add,
    users_disable,
    users_link,
    users_list,
    users_reset,
)
from data_feeds.clock import WIB
from data_feeds.reports import categories
from data_feeds.settings import Settings
from data_feeds.store import Store


def _services():
    """Everything, for the imports (which place reports on the map); the key commands need only the store,
    and start faster without the map's libraries."""
    from data_feeds.services import Services

    services = Services(Settings.from_env())
    services.store.create_schema()
    return services


def _keys() -> ApiKeys:
    store = Store(Settings.from_env().database_url)
    store.create_schema()
    return ApiKeys(store)


def keys_create(args) -> int:
    routing = categories.load()
    if args.source and args.source not in routing.sources:
        print(
            f"unknown source {args.source!r}; known sources (data_feeds/reports/categories.toml): "
            f"{', '.join(routing.sources)}",
            file=sys.stderr,
        )
        return 2
    if unknown_opd(args.opd):
        return 2
    roles = args.role or (("workflow",) if args.opd else DEFAULT_ROLES)
    try:
        row, key = _keys().create(args.source or "", roles=roles, label=args.label, opds=args.opd or ())
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    scope = f"agency {', '.join(row['opds'])}" if row["opds"] else f"source {row['source']}"
    print(
        f"key {row['id']} for {scope}, roles {', '.join(row['roles'])}. "
        "Shown once: store it now; only its hash is kept.",
        file=sys.stderr,
    )
    print(key)  # the last line of output is the key, for scripts
    return 0


def keys_list(_args) -> int:
    for row in _keys().list():
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        scope = f"opd:{','.join(row['opds'])}" if row["opds"] else row["source"]
        print(f"{row['id']}  {scope:<14} {','.join(row['roles']):<26} {state:<24} {row['label'] or ''}")
    return 0


def keys_revoke(args) -> int:
    return outcome(
        _keys().revoke(args.key_id),
        f"key {args.key_id} revoked: it is refused from the next request on",
        f"no active key {args.key_id!r}",
    )


def audit(args) -> int:
    """The audit log: who read personal data (and, with sign-in, who did what), from where."""
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            print(f"--since {args.since!r}: give a date or date-time, e.g. 2026-11-01", file=sys.stderr)
            return 2
        since = since.replace(tzinfo=WIB) if since.tzinfo is None else since  # a bare date is a WIB day
    store = Store(Settings.from_env().database_url)
    store.create_schema()
    for row in store.audit_log(since, args.limit):
        where = f" from {row['address']}" if row["address"] else ""
        what = f" report {row['report_id']}" if row["report_id"] else ""
        print(
            f"{row['at'].astimezone(WIB):%Y-%m-%d %H:%M:%S} WIB  {row['actor_kind']} {row['actor']}  {row['action']} "
            f"{row['outcome']}{what}{where}" + (f"  ({row['detail']})" if row["detail"] else "")
        )
    return 0


def import_reports(args) -> int:
    from data_feeds.reports.bulk_import import run_cli

    return run_cli(_services().reports, args.file, dry_run=args.dry_run, batch_size=args.batch_size, source=args.source)


def report_evidence(args) -> int:
    """The assessors' evidence pack (documents/evidence_pack.py) for a period, to a file."""
    import time

    from data_feeds.documents import evidence_pack

    started = time.perf_counter()
    pdf = evidence_pack.build(_services(), args.start, args.end, args.lang)
    Path(args.out).write_bytes(pdf)
    print(f"{args.out}: {len(pdf):,} bytes in {time.perf_counter() - started:.1f} s")
    return 0


def report_briefing(args) -> int:
    """Any day's morning briefing (documents/briefing.py), written where the app lists it; --send mails it too."""
    from datetime import timedelta

    from data_feeds.clock import wib_today
    from data_feeds.documents import briefing

    services = _services()
    day = args.date or wib_today() - timedelta(days=1)
    files = briefing.write_day(services, day)
    for path in files.values():
        print(path)
    if args.send:
        print(f"{briefing.send_day(services, day, files)} mailed", file=sys.stderr)
    return 0


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date as YYYY-MM-DD, not {text!r}") from None


def import_indicators(args) -> int:
    from data_feeds.indicators.importer import run_cli

    return run_cli(_services().indicators, args.file, dry_run=args.dry_run)


def import_boundaries(args) -> int:
    """Official kelurahan boundaries (exit 0 imported, 2 refused); the running dashboards draw with them next."""
    import json

    from geodata.importer import import_boundaries as check_and_import

    report = check_and_import(args.file, Settings.from_env().official_boundaries_path, dry_run=args.dry_run)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.text())
    if report.accepted and not args.dry_run:
        print("A running dashboard draws and locates with them from its next page load.")
    return 0 if report.accepted else 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_feeds", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    keys = sub.add_parser("keys", help="API keys per feed source").add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="create a key; prints it as the last line")
    create.add_argument("source", nargs="?", help="the feed source the key speaks for (leave out with --opd)")
    create.add_argument(
        "--opd", action="append", help="an agency key: acts on reports routed to this OPD (repeat for several)"
    )
    create.add_argument(
        "--role", action="append", choices=ROLES, help=f"repeat for several (default: {', '.join(DEFAULT_ROLES)})"
    )
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
    inds = imp.add_parser(
        "indicators", help="indicator figures from CSV or XLSX (format: data_feeds/indicators/importer.py)"
    )
    inds.add_argument("file")
    inds.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
    inds.set_defaults(func=import_indicators)
    bounds = imp.add_parser(
        "boundaries", help="official kelurahan boundaries (GeoJSON, Shapefile, GeoPackage, zip; exit 2 if refused)"
    )
    bounds.add_argument("file", type=Path)
    bounds.add_argument("--dry-run", action="store_true", help="check and report only")
    bounds.add_argument("--json", action="store_true", help="print the report as JSON")
    bounds.set_defaults(func=import_boundaries)
    rep = sub.add_parser("report", help="documents to file").add_subparsers(dest="what", required=True)
    evidence = rep.add_parser("evidence", help="the assessors' evidence pack (PDF)")
    evidence.add_argument("--out", required=True, help="the PDF to write")
    evidence.add_argument("--from", dest="start", type=_day, help="first day, WIB (default: 29 days before --to)")
    evidence.add_argument("--to", dest="end", type=_day, help="last day, WIB (default: today)")
    evidence.add_argument("--lang", choices=("id", "en"), default="id")
    evidence.set_defaults(func=report_evidence)
    brief = rep.add_parser("briefing", help="a day's morning briefing (PDFs under DATA_DIR/briefings/<day>/)")
    brief.add_argument("--date", type=_day, help="the day briefed, WIB (default: yesterday)")
    brief.add_argument("--send", action="store_true", help="mail it too (SMTP_HOST, BRIEFING_TO, BRIEFING_OPD_TO)")
    brief.set_defaults(func=report_briefing)
    users = sub.add_parser("users", help="people who sign in").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="add an account; prints its first password as the last line")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=PEOPLE_ROLES)
    add.add_argument("--opd", action="append", help="an opd account's agency (repeat for several)")
    add.add_argument("--name", help="the person's name as the screens show it")
    add.add_argument("--personal", action="store_true", help="may read reporters' contact (operators always may)")
    add.set_defaults(func=users_add)
    users.add_parser("list", help="accounts, roles, scopes (never passwords)").set_defaults(func=users_list)
    for action, func, text in (
        ("disable", users_disable, "refuse an account's sign-ins from now on"),
        ("reset", users_reset, "a new password (printed once); lifts a lockout"),
        ("link", users_link, "a one-time sign-in link (printed as the last line)"),
    ):
        one = users.add_parser(action, help=text)
        one.add_argument("username")
        one.set_defaults(func=func)
    devs = sub.add_parser("devices", help="wall screens").add_subparsers(dest="action", required=True)
    dadd = devs.add_parser("add", help="a screen; prints its one-time pairing link as the last line")
    dadd.add_argument("name")
    dadd.set_defaults(func=devices_add)
    devs.add_parser("list", help="screens and their state").set_defaults(func=devices_list)
    for action, func, text in (
        ("revoke", devices_revoke, "refuse a screen from now on"),
        ("relink", devices_relink, "a new pairing link for a replaced screen"),
    ):
        one = devs.add_parser(action, help=text)
        one.add_argument("device_id")
        one.set_defaults(func=func)
    log = sub.add_parser("audit", help="the audit log: personal-data reads, from where")
    log.add_argument("--since", help="from this date or date-time on (WIB unless it names an offset)")
    log.add_argument("--limit", type=int, default=1000)
    log.set_defaults(func=audit)
    cli_data.add_parsers(sub)
    args = parser.parse_args(argv)
    code = args.func(args)
    if (args.command, getattr(args, "action", None)) in ADMIN_CHANGES:
        _audit_change(args, code)
    return code


# what an admin changes from the command line is audited like what people do in the browser
ADMIN_CHANGES = {
    ("keys", "create"),
    ("keys", "revoke"),
    ("users", "add"),
    ("users", "disable"),
    ("users", "reset"),
    ("users", "link"),
    ("devices", "add"),
    ("devices", "revoke"),
    ("devices", "relink"),
    ("backup", "create"),
}


def _audit_change(args, code: int) -> None:
    import getpass

    from data_feeds.clock import utcnow

    subject = next(
        (str(v) for v in (getattr(args, k, None) for k in ("username", "device_id", "key_id", "name", "source")) if v),
        ",".join(getattr(args, "opd", None) or ()),
    )
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = f"uid {os.getuid()}"
    store = Store(Settings.from_env().database_url)
    store.create_schema()  # (a command refused before it opened the store leaves no schema behind)
    store.audit(
        at=utcnow(),
        actor_kind="cli",
        actor=who[:120],
        action=f"{args.command}_{args.action}",
        outcome="allowed" if code == 0 else "refused",
        report_id=None,
        address=None,
        detail=subject[:300] or None,
    )
    store.dispose()


if __name__ == "__main__":
    sys.exit(main())
