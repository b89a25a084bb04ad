"""The command line's access commands: people (users) and paired screens (devices), each change audited."""

from __future__ import annotations

import sys

from data_feeds.access.devices import Devices
from data_feeds.access.people import People
from data_feeds.access.tokens import PAIR_TTL, SIGNIN_TTL, OneTimeTokens, link
from data_feeds.clock import WIB
from data_feeds.reports import categories
from data_feeds.settings import Settings
from data_feeds.store import Store


def outcome(done: bool, said: str, refused: str) -> int:
    """A command's last word: what it did (exit 0), or why it could not (on stderr, exit 2)."""
    print(said if done else refused, file=sys.stdout if done else sys.stderr)
    return 0 if done else 2


def unknown_opd(opds) -> bool:
    """Says so (on stderr) when an --opd names no OPD of categories.toml."""
    known = categories.load().opds
    unknown = [o for o in opds or () if o not in known]
    if unknown:
        print(f"unknown OPD {unknown[0]!r}; known OPDs: {', '.join(known)}", file=sys.stderr)
    return bool(unknown)


def _people():
    store = Store(Settings.from_env().database_url)
    store.create_schema()
    return People(store)


def users_add(args) -> int:
    if unknown_opd(args.opd):
        return 2
    try:
        person, password = _people().add(args.username, args.role, args.name or "", args.opd or (), args.personal)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    scope = f" for {', '.join(sorted(person.opds))}" if person.opds else ""
    print(f"account {person.username} ({person.role}{scope}). Its first password, shown once:", file=sys.stderr)
    print(password)  # the last line of output is the password, for scripts
    return 0


def users_list(_args) -> int:
    for row in _people().list():
        state = f"disabled {row['disabled_at']:%Y-%m-%d}" if row["disabled_at"] else "active"
        scope = ",".join(row["opds"]) + (" +personal" if row["personal"] else "")
        print(f"{row['username']:<20} {row['role']:<9} {scope:<24} {state:<20} {row['name']}")
    return 0


def users_disable(args) -> int:
    return outcome(
        _people().disable(args.username),
        f"account {args.username} disabled: its sign-ins are refused from now on",
        f"no active account {args.username!r}",
    )


def users_reset(args) -> int:
    password = _people().reset(args.username)
    if password is None:
        print(f"no account {args.username!r}", file=sys.stderr)
        return 2
    print(f"account {args.username}: a new password, shown once (any lockout is lifted):", file=sys.stderr)
    print(password)
    return 0


def users_link(args) -> int:
    settings = Settings.from_env()
    store = Store(settings.database_url)
    store.create_schema()
    person = People(store).by_username(args.username, enabled_only=True)
    if person is None:
        print(f"no active account {args.username!r}", file=sys.stderr)
        return 2
    token = OneTimeTokens(store).issue("signin", person.id, SIGNIN_TTL)
    print(
        f"one-click sign-in for {person.username} ({person.role}), once, within "
        f"{SIGNIN_TTL.total_seconds() / 3600:.0f} h:",
        file=sys.stderr,
    )
    print(link(settings.base_url, "signin", token))
    return 0


def _devices() -> tuple[Devices, Settings]:
    settings = Settings.from_env()
    store = Store(settings.database_url)
    store.create_schema()
    return Devices(store), settings


def devices_add(args) -> int:
    devices, settings = _devices()
    try:
        device, token = devices.add(args.name)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f'device {device.id} "{device.name}": open this link once on the screen (within {PAIR_TTL.days} days); '
        "it then stays signed in as a read-only wall until revoked:",
        file=sys.stderr,
    )
    print(link(settings.base_url, "pair", token))
    return 0


def devices_list(_args) -> int:
    devices, _ = _devices()
    for row in devices.list():
        state = (
            f"revoked {row['revoked_at'].astimezone(WIB):%Y-%m-%d %H:%M}"
            if row["revoked_at"]
            else f"paired {row['paired_at'].astimezone(WIB):%Y-%m-%d %H:%M}"
            if row["paired_at"]
            else "waiting for pairing"
        )
        seen = f"last seen {row['last_seen_at'].astimezone(WIB):%Y-%m-%d %H:%M} WIB" if row["last_seen_at"] else ""
        print(f"{row['id']}  {row['name']:<28} {state:<26} {seen}")
    return 0


def devices_revoke(args) -> int:
    devices, _ = _devices()
    return outcome(
        devices.revoke(args.device_id),
        f"device {args.device_id} revoked: the screen is refused within seconds",
        f"no active device {args.device_id!r}",
    )


def devices_relink(args) -> int:
    devices, settings = _devices()
    token = devices.relink(args.device_id)
    if token is None:
        print(f"no active device {args.device_id!r}", file=sys.stderr)
        return 2
    print("a new pairing link (pairing again replaces the old screen's credential):", file=sys.stderr)
    print(link(settings.base_url, "pair", token))
    return 0
