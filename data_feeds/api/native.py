"""The native HTTP API: report intake, status changes, read-back, indicator figures, exports, /healthz.

JSON in, JSON out. Every client error is `{"error": {"field", "reason"}}` (or a list of
them) with a 4xx status; a 201 is sent only after the store has committed. Handlers reach
the running services with `current()` (attached to the app by `api.install`).
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta

import redis
from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from data_feeds.access.keys import HEADER, Principal
from data_feeds.clock import EARLIEST, WIB, utcnow, wib_today
from data_feeds.documents import indicator_export, league, report_export
from data_feeds.indicators import importer as indicator_import
from data_feeds.live import replay
from data_feeds.refusal import Kind, Refusal
from data_feeds.reports import search
from data_feeds.services import current
from data_feeds.spreadsheets import CSV_FORMS
from data_feeds.validation import truthy
from geodata.gazetteer import CITY_CODE

from . import openapi, refusals
from .health import health_response
from .signin import api_viewer

bp = Blueprint("api", __name__)


@bp.errorhandler(Refusal)
def error_response(exc: Refusal) -> tuple[Response, int]:
    return refusals.json_response(exc)


def json_body() -> object:
    if request.content_length is not None and request.content_length > request.max_content_length:
        raise RequestEntityTooLarge()
    if not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
        raise Refusal.one(
            Kind.UNSUPPORTED, "body", f"must be sent as application/json, not {request.mimetype or 'no content type'}"
        )
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refusal.one(Kind.MALFORMED, "body", f"is not valid JSON ({exc})") from None
    except RecursionError:
        raise Refusal.one(Kind.MALFORMED, "body", "is nested too deeply") from None


def principal(required: bool = True) -> Principal | None:
    """The API key's holder; None when no key was sent and none is required."""
    presented = request.headers.get(HEADER)
    if not presented and not required:
        return None
    return current().api_keys.authenticate(presented)


def key_with(role: str) -> Principal:
    """The API key's holder, refused (403 naming the header) unless the key carries `role`."""
    who = principal()
    who.require(role)
    return who


def csv_form() -> str:
    """?format= of a CSV export: id (the default: Indonesian Excel) or plain (comma and decimal point)."""
    form = request.args.get("format", "id")
    if form not in CSV_FORMS:
        raise Refusal.one(Kind.INVALID, "format", f"must be one of {', '.join(CSV_FORMS)}, not {form[:20]!r}")
    return form


def query_flag(name: str) -> bool:
    return truthy(request.args.get(name))


@bp.post("/api/v1/reports")
def create_report():
    services = current()
    who = key_with("report")
    body = json_body()
    if isinstance(body, dict):
        body.setdefault("source", who.source)  # a key speaks for one feed: source may be left out
        if isinstance(body["source"], str) and body["source"] != who.source:
            raise Refusal.one(Kind.FORBIDDEN, "source", f"this API key may only send reports for source {who.source!r}")
    report, created = services.reports.submit(body)
    if created:
        services.poker.poke()
    resp = jsonify(report)
    resp.status_code = 201 if created else 200
    resp.headers["Location"] = f"/api/v1/reports/{report['id']}"
    if not created:
        resp.headers["Idempotent-Replay"] = "true"
    return resp


@bp.post("/api/v1/reports/<report_id>/status")
def change_status(report_id: str):
    """A status change by a key with the workflow role, naming the report by its id or the source's own
    (LKS-2026-000123), as GET does."""
    services = current()
    who = key_with("workflow")
    body = json_body()
    report_id = services.reports.resolve(report_id, api_viewer(who))  # (another's, or none: 404 alike)
    report, _event_id, _written = services.reports.change_status(report_id, body, by=who)
    services.poker.poke()
    return jsonify(report)


@bp.post("/api/v1/reports/<report_id>/rating")
def add_rating(report_id: str):
    """The citizen's rating of a resolved report, relayed by its source's key (report role): 1-5 and a comment; a
    score of 1-2 puts the report in the room's queue for review."""
    services = current()
    who = key_with("report")
    body = json_body()
    report_id = services.reports.resolve(report_id, api_viewer(who))
    report, event_id = services.reports.rate(report_id, body, by=who)
    services.poker.poke()
    return jsonify({"report": report, "event_id": event_id}), 201


@bp.post("/api/v1/reports/<report_id>/responses")
def add_response(report_id: str):
    """A public response to the citizen (tanggapan) by a key with the workflow role, on a report it may move (its
    source's, or its agency's), named by any of its ids. 201 once stored; shown in the report's history and in
    Open311's servicerequestupdates."""
    services = current()
    who = key_with("workflow")
    body = json_body()
    report_id = services.reports.resolve(report_id, api_viewer(who))  # (another's, or none: 404 alike)
    report, event_id = services.reports.respond(report_id, body, by=who)
    services.poker.poke()
    return jsonify({"report": report, "event_id": event_id}), 201


LEAGUE_DAYS = 30
LEAGUE_MAX_DAYS = 366


@bp.get("/api/v1/league")
def league_rows():
    """The league per OPD, kecamatan or kelurahan (`by`) over WIB days `from`..`to` (inclusive; the last 30 days by
    default, at most a year): aggregates only, for any signed-in reader or key, never a report's words."""
    services = current()
    api_viewer(principal(required=False))  # (a key or a session: who asks must be known; figures every wall shows)
    by = request.args.get("by") or "opd"
    if by not in league.LEVELS:
        raise Refusal.one(Kind.INVALID, "by", f"one of: {', '.join(league.LEVELS)}")
    today = wib_today()
    first = search.day_arg(request.args, "from") or today - timedelta(days=LEAGUE_DAYS - 1)
    last = search.day_arg(request.args, "to") or today
    if last < first:
        raise Refusal.one(Kind.INVALID, "to", "is before from")
    if (last - first).days >= LEAGUE_MAX_DAYS:
        raise Refusal.one(Kind.INVALID, "from", f"a period of at most {LEAGUE_MAX_DAYS} days")
    start = datetime.combine(first, time.min, WIB)
    end = datetime.combine(last, time.min, WIB) + timedelta(days=1)
    items = league.rows(services.store, services.routing, services.gazetteer, by, start, end)
    return jsonify({"by": by, "from": first.isoformat(), "to": last.isoformat(), "rows": items})


@bp.get("/api/v1/reports")
def list_reports():
    """Reports by filters (reports/search.py), newest first, a page at a time, in the reader's scope."""
    services = current()
    who = api_viewer(principal(required=False))
    query = search.ReportQuery.from_args(request.args, services.routing, services.gazetteer)
    limit = search.page_limit(request.args)
    after = search.decode_cursor(request.args.get("cursor"), by_due=query.order == "due")
    items, cursor = services.reports.search(
        query, who, limit, after, personal=query_flag("personal"), address=request.remote_addr
    )
    return jsonify({"reports": items, "next_cursor": cursor, "filters": query.to_args()})


@bp.get("/api/v1/reports/<report_id>")
def get_report(report_id: str):
    # Public fields for anyone; reporter name and phone only for a key with the personal role whose report it is,
    # each such read (and each refused one) a row in the audit table.
    # Out of the reader's scope (another agency's, another feed's, any one report for an assessor) reads as 404.
    who = api_viewer(principal(required=False))
    report_id = current().reports.resolve(report_id, who)  # its id, or the source's own (LKS-2026-000123)
    if who.reads_personal:
        return jsonify(current().reports.get_personal(report_id, who, request.remote_addr))
    return jsonify(current().reports.get_for(report_id, who))


@bp.post("/api/v1/indicators")
def record_indicators():
    """One figure or a list (all stored or none); ?dry_run=1 checks without storing."""
    services = current()
    who = key_with("indicators")
    body = json_body()
    items = body if isinstance(body, list) else [body]
    dry = query_flag("dry_run")
    rows = services.indicators.record(items, actor=who.name, dry_run=dry)
    if not dry:
        services.poker.poke()
    # identical figures already stored are not written again (a re-sent request does not double them)
    return jsonify({"stored": 0 if dry else len(rows), "checked": len(items), "dry_run": dry, "items": rows}), (
        200 if dry else 201
    )


@bp.post("/api/v1/indicators/import")
def import_indicators():
    """A CSV or XLSX file (multipart field `file`, or the raw body with ?name=figures.xlsx): all rows or none."""
    services = current()
    who = key_with("indicators")
    upload = request.files.get("file")
    stream, name = (
        (upload.stream, upload.filename or "")
        if upload
        else (io.BytesIO(request.get_data()), request.args.get("name", ""))
    )
    dry = query_flag("dry_run")
    try:
        count, errors = indicator_import.import_file(
            services.indicators, stream, name, actor=f"{who.name} import {name}", dry_run=dry
        )
    except indicator_import.FileError as exc:
        raise Refusal.one(Kind.MALFORMED, "file", str(exc)) from None
    if errors:
        return jsonify({"stored": 0, "errors": errors}), 422
    if not dry:
        services.poker.poke()
    return jsonify({"stored": 0 if dry else count, "checked": count, "dry_run": dry}), (200 if dry else 201)


@bp.get("/api/v1/export/indicators.<fmt>")
def export_indicators(fmt: str):
    """Every latest figure by pillar, for assessors (a key or a session); ?history=1 every figure stored."""
    services = current()
    api_viewer(principal(required=False))
    if fmt not in ("csv", "xlsx"):
        raise Refusal.one(Kind.NOT_FOUND, "format", "csv or xlsx")
    lang = "en" if request.args.get("lang") == "en" else "id"
    history = query_flag("history")
    form = csv_form() if fmt == "csv" else "id"
    table = indicator_export.frame(services.indicators, services.routing, lang, history=history)
    stamp = utcnow().astimezone(WIB).strftime("%Y%m%d-%H%M")
    body, mime = (
        (indicator_export.to_csv(table, form, lang), "text/csv; charset=utf-8")
        if fmt == "csv"
        else (
            indicator_export.to_xlsx(table, lang, history),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    )
    name = (
        f"{'indikator' if lang == 'id' else 'indicators'}"
        f"{('-riwayat' if lang == 'id' else '-history') if history else ''}"
        f"-kota-tangerang-{stamp}.{fmt}"
    )
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/api/v1/export/evidence.pdf")
def export_evidence_pack():
    """The assessors' evidence pack (documents/evidence_pack.py): aggregates only, for anyone signed in or keyed."""
    from data_feeds.documents import evidence_pack

    api_viewer(principal(required=False))
    lang = request.args.get("lang", "id")
    if lang not in ("id", "en"):  # (strict here: a pack is seconds of work, not made for a mistyped argument)
        raise Refusal.one(Kind.INVALID, "lang", "must be id or en")
    end = _day_arg("to", wib_today())
    start = _day_arg("from", end - timedelta(days=29))
    if start > end:
        raise Refusal.one(Kind.INVALID, "from", "is after to")
    if (end - start).days >= evidence_pack.MAX_DAYS:
        raise Refusal.one(
            Kind.INVALID, "from", f"the period is longer than {evidence_pack.MAX_DAYS} days; make two packs"
        )
    pdf = evidence_pack.build(current(), start, end, lang)
    name = f"{'paket-bukti' if lang == 'id' else 'evidence-pack'}-kota-tangerang-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
    )


def _day_arg(name: str, default: date | None) -> date:
    """A WIB day from the query (YYYY-MM-DD), between 2000 and today; `default` when absent (None: required)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        if default is None:
            raise Refusal.one(Kind.MALFORMED, name, "is required, a date as YYYY-MM-DD")
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Refusal.one(Kind.MALFORMED, name, f"must be a date as YYYY-MM-DD, not {raw[:20]!r}") from None
    if day > wib_today():
        raise Refusal.one(Kind.INVALID, name, "is in the future: there is nothing to show yet")
    if day < EARLIEST.date():  # the store refuses reports from before it: nothing older to show
        raise Refusal.one(Kind.INVALID, name, "is before 2000: the store holds nothing older")
    return day


@bp.get("/api/v1/export/reports.<fmt>")
def export_reports(fmt: str):
    """The filtered list (the filters of GET /api/v1/reports) as the reader may see it, as CSV or XLSX; no personal
    data.
    """
    services = current()
    who = api_viewer(principal(required=False))
    if fmt not in ("csv", "xlsx"):
        raise Refusal.one(Kind.NOT_FOUND, "format", "csv or xlsx")
    lang = "en" if request.args.get("lang") == "en" else "id"
    query = search.ReportQuery.from_args(request.args, services.routing, services.gazetteer)
    rows, cut = report_export.collect(services.reports, query, who)
    stamp = utcnow().astimezone(WIB).strftime("%Y%m%d-%H%M")
    body, mime = (
        (report_export.to_csv(rows, lang, csv_form()), "text/csv; charset=utf-8")
        if fmt == "csv"
        else (
            report_export.to_xlsx(
                rows, report_export.title(query, len(rows), cut, lang, report_export.demo_count(rows)), lang
            ),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    )
    name = f"{'laporan' if lang == 'id' else 'reports'}-kota-tangerang-{stamp}.{fmt}"
    return Response(
        body,
        mimetype=mime,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.get("/api/v1/indicators/<code>")
def indicator_series(code: str):
    api_viewer(principal(required=False))
    indicators = current().indicators
    if code not in indicators.config:
        raise Refusal.one(Kind.NOT_FOUND, "indicator", f"unknown indicator {code!r}")
    place = indicators.place_code(request.args.get("place", CITY_CODE))
    if place is None:
        raise Refusal.one(Kind.INVALID, "place", f"unknown place {request.args.get('place')!r}")
    measure = request.args.get("measure", "value")
    subject = request.args.get("subject")  # a market, a device type; absent: every subject, each row naming its own
    return jsonify(
        {
            "indicator": code,
            "place": place,
            "measure": measure,
            "series": [
                {k: r[k] for k in ("subject", "period", "as_of", "value", "source", "correction", "demo")}
                for r in indicators.series(code, place, measure, subject)
            ],
        }
    )


@bp.get("/api/v1/live/markers")
def live_markers():
    """The map's live markers (GeoJSON, no personal data): what a dashboard loads whole; an agency's people get
    their agency's, an assessor none (no report's place finer than its kelurahan)."""
    who = api_viewer(principal(required=False))
    try:
        state, body = current().live.markers_geojson(who.map_opds)
    except (redis.RedisError, OSError):
        raise Refusal.one(
            Kind.UNAVAILABLE, None, "the live snapshot (Redis) is unavailable; reports are still being stored"
        ) from None
    resp = Response(body, mimetype="application/geo+json")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Live-Version"] = state.token() if state else ""
    return resp


@bp.get("/api/v1/live/replay")
def live_replay():
    """One WIB day from the event log for the wall's replay: what was open at midnight and every status change,
    with each report's place and words (no reporter data). An agency's people get their agency's reports; an
    assessor none (403: no report one by one)."""
    who = api_viewer(principal(required=False))
    if not who.sees_reports:
        raise Refusal.one(
            Kind.FORBIDDEN, None, "an assessor's account sees no report one by one; the replay draws them"
        )
    day = _day_arg("day", None)
    services = current()
    resp = jsonify(replay.day_log(services.store, services.gazetteer, day, *who.report_filter()))
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/api/v1/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.get("/healthz")
def healthz():
    return health_response(current())
