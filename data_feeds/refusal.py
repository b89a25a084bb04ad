"""A refusal: what the domain says when it will not do what was asked. Its kind (invalid, not found, forbidden,
conflict, ...) and each problem's (field, reason); where a person may see it, the key of its words in the one
words table (data_feeds/i18n) and their values. Only the web layer turns a kind into an HTTP status
(data_feeds/api/refusals.py); the domain never speaks HTTP."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    # in this order, the first of several is the refusal's kind (what is most basic to fix comes first)
    MALFORMED = "malformed"  # the request cannot be read at all: not JSON, nested too deep, not a list
    UNAUTHENTICATED = "unauthenticated"  # nobody said who they are
    FORBIDDEN = "forbidden"  # who asks may not do this
    NOT_FOUND = "not_found"  # no such thing, or none this reader may see (the two read alike)
    CONFLICT = "conflict"  # the thing's state forbids it now (a move the lifecycle does not allow)
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"  # a kind of content not accepted
    INVALID = "invalid"  # a field's value breaks a rule
    UNAVAILABLE = "unavailable"  # a part it needs is down; try again


class Refusal(Exception):
    """One or more problems, each {"field", "reason"} (and "words", "params" where a person may read it)."""

    def __init__(self, kind: Kind, errors: list[dict]):
        super().__init__(errors)
        self.kind = kind
        self.errors = errors

    @classmethod
    def one(cls, kind: Kind, field: str | None, reason: str, words: str | None = None, **params) -> Refusal:
        """words: a key of the words table that says it to a person, formatted with `params`."""
        problem: dict = {"field": field, "reason": reason}
        if words is not None:
            problem.update(words=words, params=params)
        return cls(kind, [problem])

    @staticmethod
    def first_kind(kinds) -> Kind:
        order = list(Kind)
        return min(kinds, key=order.index)

    def body(self) -> dict:
        """What a machine reads: the field and the reason of each problem."""
        shown = [{"field": e["field"], "reason": e["reason"]} for e in self.errors]
        return {"error": shown[0] if len(shown) == 1 else shown}
