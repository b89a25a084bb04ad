"""A callback's arguments as the page sends them, whatever a replayed request sends instead.

Every callback is an HTTP endpoint anyone signed in can call with any JSON in place of a component's value: a list
where the page sends text, a dict for a click count. `shaped` reads each argument by the kind the page sends and
turns anything else into nothing (None), or the default language, so a callback meets only what its page could
send and answers as it would to a page that has nothing yet, never with a 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable


def lang(value: object) -> str:
    return value if value in ("id", "en") else "id"


def text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def mapping(value: object) -> dict | None:
    return value if isinstance(value, dict) else None


def count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def anything(value: object) -> object:
    """An argument the callback only uses as a trigger (a version token, say)."""
    return value


def shaped(*kinds: Callable[[object], object]):
    """Read a callback's positional arguments, one kind each, in the callback's order."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args):
            return fn(*[kind(value) for kind, value in zip(kinds, args, strict=True)])

        return inner

    return wrap
