"""The start-up's way in: `make run` ends by printing a one-click sign-in link for the local operator
(as Jupyter does), and, with the demo on, one for a demo account of each role and a demo wall screen."""

from __future__ import annotations

from sqlalchemy import select

from data_feeds.store import Store, devices

from .devices import Devices
from .people import People
from .tokens import SIGNIN_TTL, OneTimeTokens, link

LOCAL_OPERATOR = ("operator", "operator", "Operator lokal", ())
DEMO_ACCOUNTS = (  # (username, role, name, OPDs): marked demo wherever they are printed
    ("demo-pimpinan", "pimpinan", "Pimpinan (demo)", ()),
    ("demo-opd-dpupr", "opd", "Kepala DPUPR (demo)", ("dpupr",)),
    ("demo-penilai", "penilai", "Penilai Smart City (demo)", ()),
    ("demo-admin", "admin", "Admin (demo)", ()),
)
DEMO_SCREEN = "Layar demo"


def start_links(store: Store, base_url: str, demo: bool) -> list[tuple[str, str]]:
    """-> [(what, one-time link)], the local operator's last."""
    people, tokens = People(store), OneTimeTokens(store)
    out = []
    if demo:
        for username, role, name, opds in DEMO_ACCOUNTS:
            person = people.ensure(username, role, name, opds)
            out.append(
                (
                    f"DEMO {role:<9} {person.username}",
                    link(base_url, "signin", tokens.issue("signin", person.id, SIGNIN_TTL)),
                )
            )
        screens = Devices(store)
        with store.read() as conn:
            known = conn.execute(
                select(devices.c.id).where(devices.c.name == DEMO_SCREEN, devices.c.revoked_at.is_(None))
            ).first()
        token = screens.relink(known[0]) if known else screens.add(DEMO_SCREEN)[1]
        out.append(
            (f"DEMO layar     {DEMO_SCREEN} (pairs this browser as a wall screen)", link(base_url, "pair", token))
        )
    username, role, name, opds = LOCAL_OPERATOR
    person = people.ensure(username, role, name, opds)
    out.append((person.name, link(base_url, "signin", tokens.issue("signin", person.id, SIGNIN_TTL))))
    return out
