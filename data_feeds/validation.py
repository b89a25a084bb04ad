"""How input is checked and how a refusal is told, for every door (API, Open311, imports).

Pydantic checks types and shapes (the models live with their room: `reports.contract`,
`indicators.series`); every error names the field and the reason, in the API's
`{"error": {"field", "reason"}}` form.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from data_feeds.clock import EARLIEST
from data_feeds.refusal import Kind, Refusal


def finite(value: float) -> bool:
    """inf and NaN are no figure: JSON has no such numbers, and a stored one breaks every reader."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _strict_number(value):
    """JSON numbers only: "-6.18" or true is a sender's bug worth telling, not coercing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("float_type", "must be a number", {})
    if not math.isfinite(value):
        raise PydanticCustomError("finite_number", "must be a finite number (not Infinity or NaN)", {})
    return float(value)


# Control characters break the feeds a value reaches (a NUL or ESC makes Open311's XML unreadable for
# everyone); tab, and newline where text has lines, are the only ones text needs.
_CONTROL_IN_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible characters that reorder or hide text: every Unicode format character (category Cf: bidi overrides and
# isolates, zero-width characters, the soft hyphen, invisible tags) and the fillers that draw nothing (the combining
# grapheme joiner, Hangul fillers). A title could show the wall one thing and mean another: taken out, not refused.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_SEPARATORS = re.compile("[\u2028\u2029]")  # Unicode's own line and paragraph separators


def _clean(pattern: re.Pattern, value):
    if not isinstance(value, str):
        return value  # the strict string check says what is wrong with it
    bad = pattern.search(value)
    if bad:
        raise PydanticCustomError(
            "control_character",
            "must not contain control characters (found U+{code})",
            {"code": f"{ord(bad.group()):04X}"},
        )
    return _INVISIBLE.sub("", value)


def clean_line(value):
    """One line of text: no control characters but tab; invisible characters removed; a line separator is a space."""
    return _clean(_CONTROL_IN_LINE, _SEPARATORS.sub(" ", value) if isinstance(value, str) else value)


def clean_text(value):
    """Text with lines: as a line, and newlines too (a CR LF, or a Unicode line separator, counts as one newline)."""
    return _clean(
        _CONTROL_IN_TEXT, _SEPARATORS.sub("\n", value.replace("\r\n", "\n")) if isinstance(value, str) else value
    )


Coordinate = Annotated[float, BeforeValidator(_strict_number)]
Text = Annotated[str, BeforeValidator(clean_line), Field(strict=True)]  # one line: a title, a name, a code
LongText = Annotated[str, BeforeValidator(clean_text), Field(strict=True)]  # a description, a note


def _in_service_era(value: datetime) -> datetime:
    """A moment the room can have seen: not before EARLIEST (year 0001 + 14:00 would not even convert to UTC)."""
    try:
        utc = value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise PydanticCustomError(
            "datetime_range", f"is out of range (before {EARLIEST.year} or far in the future)", {}
        ) from None
    if utc < EARLIEST:
        raise PydanticCustomError(
            "datetime_range", f"is before {EARLIEST.year}: the city's systems have no such reports", {}
        )
    return utc


def _dated_in_service_era(value: date) -> date:
    if value < EARLIEST.date():
        raise PydanticCustomError(
            "date_range", f"is before {EARLIEST.year}: the city's systems have no such figures", {}
        )
    return value


def _written_as_a_date(value):
    """A moment is written as a date and time (ISO 8601 / RFC 3339 with its offset), never as a bare number: pydantic
    would read 1733500000 as Unix seconds, a guess the sender never stated (milliseconds? local?)."""
    if isinstance(value, bool | int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
        raise PydanticCustomError(
            "datetime_type", "must be a date and time with its offset (2026-12-07T09:30:00+07:00), not a number", {}
        )
    return value


_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?")
Moment = Annotated[AwareDatetime, BeforeValidator(_written_as_a_date), AfterValidator(_in_service_era)]  # in UTC
Day = Annotated[date, AfterValidator(_dated_in_service_era)]


# The words a flag may be given as, in a query string, an environment variable or a spreadsheet cell.
YES_WORDS = frozenset({"1", "true", "yes", "y", "ya", "on"})
NO_WORDS = frozenset({"0", "false", "no", "n", "tidak", "off", ""})


def truthy(text: str | None) -> bool:
    """A flag given as text: `?dry_run=1`, `DEMO=yes`, a cell saying `ya`."""
    return text is not None and text.strip().lower() in YES_WORDS


# Plain-language reasons for pydantic's error types (the rest keep pydantic's own message).
REASONS = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "timezone_aware": "must be an ISO 8601 date-time with a UTC offset, e.g. 2026-11-23T08:30:00+07:00",
    "datetime_parsing": "must be an ISO 8601 date-time with a UTC offset, e.g. 2026-11-23T08:30:00+07:00",
    "datetime_type": "must be an ISO 8601 date-time string with a UTC offset",
    "list_type": "must be a list",
    "model_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
}
OWN_ERRORS = {"finite_number", "control_character", "datetime_range", "date_range"}  # their messages say it already
PATTERN_REASONS = {
    "id": "may only contain letters, digits and . _ : -",
    "phone": "must be a phone number (digits, spaces, + - and brackets)",
}


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "body"


def _reason(e: dict) -> str:
    kind = e["type"]
    if kind in OWN_ERRORS:
        return e["msg"]
    if kind in REASONS:
        return REASONS[kind]
    if kind.startswith("datetime"):  # datetime_from_date_parsing, datetime_object_invalid, ...
        return REASONS["datetime_parsing"]
    if kind in {"float_type", "int_type"}:
        return f"must be a number, got {_json_type(e.get('input'))}"
    if kind == "string_type":
        return f"must be a string, got {_json_type(e.get('input'))}"
    if kind == "string_pattern_mismatch" and e["loc"] and e["loc"][-1] in PATTERN_REASONS:
        return PATTERN_REASONS[e["loc"][-1]]
    if kind == "string_too_short":
        return f"must be at least {e['ctx']['min_length']} characters"
    if kind == "string_too_long":
        return f"must be at most {e['ctx']['max_length']} characters"
    if kind == "too_long":
        return f"may have at most {e['ctx']['max_length']} items"
    return e["msg"].removeprefix("Value error, ")


def _json_type(value) -> str:
    names = {
        bool: "boolean",
        str: "string",
        int: "number",
        float: "number",
        list: "array",
        dict: "object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def from_validation_error(exc: ValidationError) -> Refusal:
    errors, seen = [], set()
    for e in exc.errors(include_url=False):
        field = _loc(e["loc"])
        if field in seen:  # a number field fails once per accepted type; once is enough
            continue
        seen.add(field)
        errors.append({"field": field, "reason": _reason(e)})
    return Refusal(Kind.INVALID, errors)


def _check_url(value: str) -> str:
    if (
        not (value.startswith("https://") or value.startswith("http://"))
        or len(value) < 12
        or re.search(r"[\s\x00-\x1f\x7f-\x9f]", value)
    ):
        raise ValueError("must be an http(s) URL")
    return value


Url = Annotated[str, BeforeValidator(clean_line), Field(strict=True, max_length=2000), AfterValidator(_check_url)]


def parse(model: type[BaseModel], payload) -> BaseModel:
    if not isinstance(payload, dict):
        raise Refusal.one(Kind.MALFORMED, "body", "must be a JSON object")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
