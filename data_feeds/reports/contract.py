"""The feed contract: what a report and a status change must look like.

Pydantic checks types and shapes; rules that need the routing table or the map (known
category, known source, inside the city) are checked in `data_feeds.reports.service`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, TypeAdapter, field_validator

from data_feeds.validation import Coordinate, LongText, Moment, Text, Url

PHOTO_EXT = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".gif")
VIDEO_EXT = (".mp4", ".mov", ".webm", ".3gp", ".mkv")


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
    description: LongText = Field("", max_length=5000)
    lat: Coordinate
    lon: Coordinate
    kecamatan: Text | None = Field(None, max_length=80)
    kelurahan: Text | None = Field(None, max_length=80)
    address: Text | None = Field(None, max_length=300)
    reported_at: Moment | None = None
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


_URL = TypeAdapter(Url)  # built once: building one per value cost a bulk import a third of its time


def _evidence_url(value):
    """An http(s) URL, or the address of a file uploaded to this site (/bukti/<report>/<file>)."""
    from .evidence_store import SITE_URL

    if isinstance(value, str) and SITE_URL.match(value):
        return value
    return _URL.validate_python(value)


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, PlainValidator(_evidence_url, json_schema_input_type=str), Field(max_length=2000)]
    type: Literal["photo", "video"] | None = None


def evidence_kind(item: Evidence) -> str | None:
    """photo/video from the declared type or the URL's extension; None when it cannot be told."""
    return item.type or url_kind(item.url)


def url_kind(url: str) -> str | None:
    """photo/video from a URL's extension; None when it cannot be told."""
    path = url.split("?", 1)[0].lower()
    if path.endswith(PHOTO_EXT):
        return "photo"
    if path.endswith(VIDEO_EXT):
        return "video"
    return None


class ResponseIn(BaseModel):
    """A public response to the citizen (tanggapan): shown with the report's history, in Open311's updates."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    text: LongText = Field(min_length=1, max_length=2000)


class RatingIn(BaseModel):
    """The citizen's rating of a resolved report, as the source relays it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    score: int = Field(ge=1, le=5, strict=True)
    comment: LongText | None = Field(None, max_length=2000)


class StatusChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: Text = Field(min_length=1, max_length=20)
    opd: Text | None = Field(None, max_length=40)
    actor: Text | None = Field(None, max_length=120)
    note: LongText | None = Field(None, max_length=2000)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    duplicate_of: Text | None = Field(None, max_length=32)
    at: Moment | None = None

    @field_validator("evidence", mode="before")
    @classmethod
    def _bare_urls(cls, v):
        """Evidence may be given as bare URL strings; they mean {"url": ...}."""
        if isinstance(v, list):
            return [{"url": item} if isinstance(item, str) else item for item in v]
        return v
