"""How input is checked and how a refusal is told, for every door (API, Open311, imports).

Pydantic checks types and shapes (the models live with their room: `reports.contract`,
`indicators.series`); every error names the field and the reason, in the API's
`{"error": {"field", "reason"}}` form.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError


def _strict_number(value):
    """JSON numbers only: "-6.18" or true is a sender's bug worth telling, not coercing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("float_type", "must be a number", {})
    return float(value)


Coordinate = Annotated[float, BeforeValidator(_strict_number)]
Text = Annotated[str, Field(strict=True)]


# The words a flag may be given as, in a query string, an environment variable or a spreadsheet cell.
YES_WORDS = frozenset({"1", "true", "yes", "y", "ya", "on"})
NO_WORDS = frozenset({"0", "false", "no", "n", "tidak", "off", ""})


def truthy(text: str | None) -> bool:
    """A flag given as text: `?dry_run=1`, `DEMO=yes`, a cell saying `ya`."""
    return text is not None and text.strip().lower() in YES_WORDS


class ApiError(Exception):
    """A client error to answer as JSON: one or more (field, reason) pairs and an HTTP status."""

    def __init__(self, status: int, errors: list[dict]):
        super().__init__(errors)
        self.status = status
        self.errors = errors

    @classmethod
    def one(cls, status: int, field: str | None, reason: str) -> ApiError:
        return cls(status, [{"field": field, "reason": reason}])

    def body(self) -> dict:
        return {"error": self.errors[0] if len(self.errors) == 1 else self.errors}


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
    names = {bool: "boolean", str: "string", int: "number", float: "number", list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def from_validation_error(exc: ValidationError) -> ApiError:
    errors, seen = [], set()
    for e in exc.errors(include_url=False):
        field = _loc(e["loc"])
        if field in seen:  # a number field fails once per accepted type; once is enough
            continue
        seen.add(field)
        errors.append({"field": field, "reason": _reason(e)})
    return ApiError(422, errors)


def _check_url(value: str) -> str:
    if not (value.startswith("https://") or value.startswith("http://")) or len(value) < 12 or " " in value:
        raise ValueError("must be an http(s) URL")
    return value


Url = Annotated[str, Field(strict=True, max_length=2000), AfterValidator(_check_url)]


def parse(model: type[BaseModel], payload) -> BaseModel:
    if not isinstance(payload, dict):
        raise ApiError.one(400, "body", "must be a JSON object")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
