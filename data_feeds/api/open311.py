"""Open311 GeoReport v2 under /open311/v2/: existing 311 clients feed and follow LAKSA reports.

Written from the GeoReport v2 text (wiki.open311.org/GeoReport_v2): every resource in XML
and JSON (`.xml` / `.json`), errors as a list of {code, description}, times in ISO 8601 with
the WIB offset, GET requests limited to 90 days and 1000 rows. Services are the LAKSA
categories; requests are the same reports the native API stores (same validation, same
store, same outbox). LAKSA's five states map onto the spec's open/closed and, for clients
that ask (`extensions=true`, and always in servicerequestupdates), onto mySociety
FixMyStreet's extended statuses. mySociety's update extension also runs the other way:
POST servicerequestupdates brings a citizen's comment or reopen request in as an event.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field

from data_feeds.access.keys import HEADER
from data_feeds.access.viewer import Viewer
from data_feeds.api import open311_public
from data_feeds.api.open311_format import FORMATS, error_response, render
from data_feeds.api.open311_shapes import (
    OPEN311_STATUS,
    Open311Error,
    as_request,
    media_urls,
    native_payload,
    service,
    update_of,
)
from data_feeds.clock import EARLIEST, WIB, utcnow
from data_feeds.refusal import Kind, Refusal
from data_feeds.services import current
from data_feeds.validation import LongText, Url, parse, truthy

from .signin import api_viewer, viewer

JURISDICTION = "tangerangkota.go.id"
CHANGESET = "2026-11-23T00:00:00+07:00"
WINDOW = timedelta(days=90)
MAX_ROWS = 1000
# The statuses a 311 client may send with an update; OPEN or REOPEN on a resolved report asks to reopen it.
UPDATE_STATUSES = (
    "OPEN",
    "CLOSED",
    "FIXED",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "INVESTIGATING",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "REOPEN",
)
ID = re.compile(r"^[A-Za-z0-9._:\-]{1,80}$")  # a request id, token or update id; anything else is unknown
# native field names -> the Open311 form field a client sent
FIELD_NAMES = {
    "lon": "long",
    "lat,lon": "lat,long",
    "category": "service_code",
    "reporter.phone": "phone",
    "reporter.name": "first_name,last_name",
    "id": "token",
    "note": "description",
    "evidence": "media_url",
}


def parse_w3(name: str, value: str, end_of_day: bool = False) -> datetime:
    """A W3C date-time (with offset), or a W3C date: a day in the city's time, from its start (or, for an end
    date, to its end). Before 2000 or more than a year ahead is refused: no report is dated there."""
    text = value.strip().replace(" ", "+")  # a '+' in a query string arrives as a space
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text) + timedelta(days=1 if end_of_day else 0)
            dt = datetime.combine(day, time(), WIB) - (timedelta(microseconds=1) if end_of_day else timedelta(0))
        else:
            dt = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise Open311Error(
            400, f"{name} must be a w3 date-time, e.g. 2026-11-01T00:00:00+07:00 (got {value!r})"
        ) from None
    if dt.tzinfo is None:
        raise Open311Error(400, f"{name} must include a UTC offset or Z, e.g. 2026-11-01T00:00:00Z")
    try:
        dt = dt.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        dt = None
    if dt is None or not EARLIEST <= dt <= utcnow() + timedelta(days=366):
        raise Open311Error(400, f"{name} must lie between 2000 and a year from now (got {value!r})")
    return dt


# -- rendering: one tree, two formats ------------------------------------------------------


# -- the adapter -----------------------------------------------------------------------------

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
open311_public.install(bp)


def _fmt_of_request() -> str:
    """The format the path asks for (`.json` / `.xml`); XML, the spec's default, otherwise."""
    fmt = (request.view_args or {}).get("fmt") or request.path.rsplit(".", 1)[-1]
    return fmt if fmt in FORMATS else "xml"


@bp.errorhandler(Open311Error)
def _open311_error(exc: Open311Error):
    return error_response(_fmt_of_request(), exc.code, exc.description)


@bp.errorhandler(Refusal)
def _api_error(exc: Refusal):
    # the spec's codes: 403 for a key's problem, 404 for what is not there, 400 for the rest
    code = {Kind.UNAUTHENTICATED: 403, Kind.FORBIDDEN: 403, Kind.NOT_FOUND: 404}.get(exc.kind, 400)
    text = "; ".join(
        f"{FIELD_NAMES.get(e['field'], e['field'])}: {e['reason']}" if e["field"] else e["reason"] for e in exc.errors
    )
    return error_response(_fmt_of_request(), code, text)


def args() -> dict:
    """Query and form fields; the spec's Optional Arguments: an empty value is the same as none."""
    values = {**request.args.to_dict(), **request.form.to_dict()}
    return {k: v for k, v in values.items() if v.strip() != ""}


def check(fmt: str) -> dict:
    if fmt not in FORMATS:
        raise Open311Error(400, f"format must be xml or json, not {fmt!r}")
    given = args()
    jurisdiction = given.get("jurisdiction_id")
    if jurisdiction is not None and jurisdiction.strip().lower() != JURISDICTION:
        raise Open311Error(404, f"jurisdiction_id {jurisdiction!r} not found; this endpoint serves {JURISDICTION}")
    return given


@bp.get("/discovery.<fmt>")
def discovery(fmt):
    check(fmt)
    base = request.url_root.rstrip("/") + "/open311/v2"
    return render(
        fmt,
        "discovery",
        None,
        {
            "changeset": CHANGESET,
            "contact": "Tangerang LIVE Room, Diskominfo Kota Tangerang",
            "key_service": "python -m data_feeds keys create SOURCE (ask the LIVE Room operators)",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": list(f.split(";")[0] for f in FORMATS.values()),
                }
            ],
        },
    )


@bp.get("/services.<fmt>")
def services_list(fmt):
    check(fmt)
    routing = current().routing
    return render(fmt, "services", "service", [service(code, routing) for code in routing.categories])


@bp.get("/services/<code>.<fmt>")
def service_definition(code, fmt):
    check(fmt)
    if code not in current().routing.categories:
        raise Open311Error(404, f"service_code {code!r} not found")
    return render(fmt, "service_definition", None, {"service_code": code, "attributes": []})


@bp.post("/requests.<fmt>")
def create_request(fmt):
    services = current()
    given = check(fmt)
    who = services.api_keys.authenticate(given.get("api_key") or request.headers.get(HEADER), field="api_key")
    who.require("report", field="api_key")
    code = given.get("service_code")
    if not code:
        raise Open311Error(400, "service_code was not provided")
    if code not in services.routing.categories:
        raise Open311Error(404, f"service_code {code!r} not found")
    payload = native_payload(given, who.source, services.routing, services.gazetteer)
    report, created = services.reports.submit(payload)
    if created:
        services.poker.poke()
    cat = services.routing.categories[code]
    notice = (
        f"Diteruskan ke {report['opd']['name']}; target respons pertama {cat.sla_response_hours:g} jam, "
        f"selesai {cat.sla_resolution_hours:g} jam."
    )
    return render(
        fmt,
        "service_requests",
        "request",
        [
            {
                "service_request_id": report["id"],
                "token": report["human_id"],
                "service_notice": notice,
                "account_id": given.get("account_id"),
            }
        ],
        201 if created else 200,
    )


def reader(given: dict) -> Viewer:
    """Who reads requests: the api_key's holder (parameter or X-API-Key), else the signed-in person or screen, else
    (where the settings open a source to public reading) anyone, for that source's requests; each sees only the
    requests their role and scope allow (an assessor none one by one)."""
    presented = given.get("api_key") or request.headers.get(HEADER)
    public = current().settings.open311_public_source
    if not presented and public and viewer() is None:
        return Viewer.public(public)
    who = api_viewer(current().api_keys.authenticate(presented, field="api_key") if presented else None)
    if not who.sees_reports:
        raise Open311Error(403, "this account sees complaint aggregates, not single requests")
    return who


def lister(given: dict) -> Viewer:
    """Who reads requests in bulk: a reader, but never a wall screen (it opens one request at a time)."""
    who = reader(given)
    if not who.lists_reports:
        raise Open311Error(403, "a wall screen reads one request at a time, not lists of requests")
    return who


def found(ref: str, who: Viewer) -> dict | None:
    """The stored report a request id or token names (its own id, the source's, or the room's human id) that `who`
    may read; None for another's, as for none."""
    if not ID.match(ref):
        return None
    services = current()
    try:
        row, _events = services.reports.stored(services.reports.resolve(ref, who))
    except Refusal:
        return None
    return row if who.sees(row) else None  # (resolve names a report by our id whoever asks)


@bp.get("/tokens/<token>.<fmt>")
def token_lookup(token, fmt):
    row = found(token, reader(check(fmt)))
    if row is None:
        raise Open311Error(404, f"token {token!r} not found")
    return render(fmt, "service_requests", "request", [{"service_request_id": row["id"], "token": token}])


def window(given: dict) -> tuple[datetime, datetime]:
    now = utcnow()
    start = parse_w3("start_date", given["start_date"]) if "start_date" in given else None
    end = parse_w3("end_date", given["end_date"], end_of_day=True) if "end_date" in given else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - WINDOW
    if end is None:
        end = min(start + WINDOW, now)
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date to end_date may not span more than 90 days")
    return start, end


@bp.get("/requests.<fmt>")
def list_requests(fmt):
    services = current()
    given = check(fmt)
    who = lister(given)
    routing = services.routing
    if "service_request_id" in given:  # overrides all other arguments
        asked = [i.strip() for i in given["service_request_id"].split(",") if i.strip()][:MAX_ROWS]
        rows = [row for ref in asked if (row := found(ref, who)) is not None]
    else:
        codes = [c.strip() for c in given.get("service_code", "").split(",") if c.strip()]
        unknown = [c for c in codes if c not in routing.categories]
        if unknown:
            raise Open311Error(400, f"service_code {unknown[0]!r} not found; see services.{fmt}")
        wanted = [s.strip().lower() for s in given.get("status", "").split(",") if s.strip()]
        bad = [s for s in wanted if s not in ("open", "closed")]
        if bad:
            raise Open311Error(400, f"status must be open or closed, not {bad[0]!r}")
        statuses = [k for k, v in OPEN311_STATUS.items() if v in wanted] if wanted else None
        start, end = window(given)
        # end is inclusive in the spec's wording; the store's range is half-open
        source, opds = who.report_filter()
        rows = services.reports.repository.find_reports(
            categories=codes or None,
            statuses=statuses,
            start=start,
            end=end + timedelta(microseconds=1),
            limit=MAX_ROWS,
            source=source,
            opds=opds,
        )
    extensions, public = truthy(given.get("extensions")), who.kind == "public"
    responses = services.reports.repository.latest_responses([r["id"] for r in rows])
    return render(
        fmt,
        "service_requests",
        "request",
        [as_request(r, routing, services.gazetteer, extensions, public, responses.get(r["id"])) for r in rows],
    )


@bp.get("/requests/<rid>.<fmt>")
def one_request(rid, fmt):
    services = current()
    given = check(fmt)
    who = reader(given)
    row = found(rid, who)
    if row is None:  # another agency's or feed's request reads as none
        raise Open311Error(404, f"service_request_id {rid!r} not found")
    return render(
        fmt,
        "service_requests",
        "request",
        [
            as_request(
                row,
                services.routing,
                services.gazetteer,
                truthy(given.get("extensions")),
                who.kind == "public",
                services.reports.repository.latest_responses([row["id"]]).get(row["id"]),
            )
        ],
    )


@bp.get("/servicerequestupdates.<fmt>")
def updates(fmt):
    """mySociety's Open311 update extension: the events since a date, with closing evidence, of the requests
    the key may follow: its own source's (a feed key), or those routed to its agency (an agency key)."""
    services = current()
    given = check(fmt)
    who = services.api_keys.authenticate(given.get("api_key") or request.headers.get(HEADER), field="api_key")
    if not {"report", "workflow"} & who.roles:
        raise Open311Error(403, "api_key: this key follows no requests (it needs the report or workflow role)")
    start, end = window(given)
    events = services.reports.repository.events_between(
        start, end + timedelta(microseconds=1), source=who.source or None, opds=who.opds or None, limit=MAX_ROWS
    )
    return render(fmt, "service_request_updates", "request_update", [update_of(e, services.routing) for e in events])


class UpdateIn(BaseModel):
    """What a 311 client's update carries that LAKSA keeps."""

    model_config = ConfigDict(str_strip_whitespace=True)
    description: LongText = Field(min_length=1, max_length=2000)
    media_url: list[Url] = Field(default_factory=list, max_length=10)


@bp.post("/servicerequestupdates.<fmt>")
def post_update(fmt):
    """mySociety's update extension, inbound: a citizen's comment on a request, or (status OPEN or REOPEN on a
    resolved one) a request to reopen it, recorded as an event on the report. The key must be the one whose
    source sent the request; a resent update_id returns the first answer and records nothing twice."""
    services = current()
    given = check(fmt)
    who = services.api_keys.authenticate(given.get("api_key") or request.headers.get(HEADER), field="api_key")
    who.require("report", field="api_key")
    for name in ("service_request_id", "update_id", "status", "description"):
        if not given.get(name):
            raise Open311Error(400, f"{name} was not provided")
    rid, update_id, status = (
        given["service_request_id"].strip(),
        given["update_id"].strip(),
        given["status"].strip().upper(),
    )
    if not ID.match(update_id):
        raise Open311Error(400, "update_id may only contain letters, digits and . _ : - (at most 80)")
    if status not in UPDATE_STATUSES:
        raise Open311Error(400, f"status must be one of {', '.join(UPDATE_STATUSES)}, not {given['status']!r}")
    if "updated_datetime" in given:
        parse_w3("updated_datetime", given["updated_datetime"])  # checked; the event is dated when it arrives
    update = parse(UpdateIn, {"description": given["description"], "media_url": media_urls()})
    row = found(rid, api_viewer(who))
    if row is None:
        raise Open311Error(404, f"service_request_id {rid!r} not found")
    rid, current_status = row["id"], row["status"]
    if status in ("OPEN", "REOPEN") and current_status == "selesai":
        _report, event_id, written = services.reports.change_status(
            rid,
            {"status": "diproses", "note": f"Dibuka kembali atas permintaan warga: {update.description}"},
            by=who,
            external_id=update_id,
        )
    else:
        event_id, written = services.reports.comment(
            rid, update.description, update.media_url, by=who, external_id=update_id
        )
    if written:
        services.poker.poke()
    return render(fmt, "service_request_updates", "request_update", [{"update_id": str(event_id)}])


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest):
    """Anything else under /open311/v2/: the spec's error list, not the dashboard's page."""
    raise Open311Error(404, f"no such resource: /open311/v2/{rest}")
