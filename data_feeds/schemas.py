"""The feed contract: what a report and a status change must look like, and how errors are told.

Pydantic checks types and shapes; rules that need the routing table or the map (known
category, known source, inside the city) are checked in `data_feeds.reports`. Every error
names the field and the reason, in the API's `{"error": {"field", "reason"}}` form.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError



def _strict_number(value):
    """JSON numbers only: "-6.18" or true is a sender's bug worth telling, not coercing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("float_type", "must be a number", {})
    return float(value)


Coordinate = Annotated[float, BeforeValidator(_strict_number)]
Text = Annotated[str, Field(strict=True)]
PHOTO_EXT = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".gif")
VIDEO_EXT = (".mp4", ".mov", ".webm", ".3gp", ".mkv")


class ApiError(Exception):
    """A client error to answer as JSON: one or more (field, reason) pairs and an HTTP status."""

    def __init__(self, status: int, errors: list[dict]):
        super().__init__(errors)
        self.status = status
        self.errors = errors

    @classmethod
    def one(cls, status: int, field: str | None, reason: str) -> "ApiError":
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
    return {bool: "boolean", str: "string", int: "number", float: "number", list: "array", dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


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


class Reporter(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Text | None = Field(None, max_length=120)
    phone: Text | None = Field(None, max_length=32, pattern=r"^\+?[0-9 ()-]{6,32}$")


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: Text | None = Field(None, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._:\-]+$")
    source: Text = Field(min_length=1, max_length=40)
    category: Text = Field(min_length=1, max_length=40)
    title: Text = Field(min_length=3, max_length=200)
    description: Text = Field("", max_length=5000)
    lat: Coordinate
    lon: Coordinate
    kecamatan: Text | None = Field(None, max_length=80)
    kelurahan: Text | None = Field(None, max_length=80)
    address: Text | None = Field(None, max_length=300)
    reported_at: AwareDatetime | None = None
    reporter: Reporter | None = None
    media: list[Url] = Field(default_factory=list, max_length=10)

    @field_validator("lat")
    @classmethod
    def _lat_range(cls, v):
        if not -90 <= v <= 90:
            raise ValueError("must be a WGS84 latitude between -90 and 90")
        return float(v)

    @field_validator("lon")
    @classmethod
    def _lon_range(cls, v):
        if not -180 <= v <= 180:
            raise ValueError("must be a WGS84 longitude between -180 and 180")
        return float(v)


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Url
    type: Literal["photo", "video"] | None = None


def evidence_kind(item: Evidence) -> str | None:
    """photo/video from the declared type or the URL's extension; None when it cannot be told."""
    if item.type:
        return item.type
    path = item.url.split("?", 1)[0].lower()
    if path.endswith(PHOTO_EXT):
        return "photo"
    if path.endswith(VIDEO_EXT):
        return "video"
    return None


class StatusChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: Text = Field(min_length=1, max_length=20)
    opd: Text | None = Field(None, max_length=40)
    actor: Text | None = Field(None, max_length=120)
    note: Text | None = Field(None, max_length=2000)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    duplicate_of: Text | None = Field(None, max_length=32)
    at: AwareDatetime | None = None

    @field_validator("evidence", mode="before")
    @classmethod
    def _bare_urls(cls, v):
        """Evidence may be given as bare URL strings; they mean {"url": ...}."""
        if isinstance(v, list):
            return [{"url": item} if isinstance(item, str) else item for item in v]
        return v


def parse(model: type[BaseModel], payload) -> BaseModel:
    if not isinstance(payload, dict):
        raise ApiError.one(400, "body", "must be a JSON object")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
