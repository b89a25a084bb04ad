"""The native API described for machines: an OpenAPI 3.1 document at /api/v1/openapi.json.

The request bodies' schemas are the pydantic models that validate them (`models_json_schema`), so
the document and the checks cannot drift apart; the paths, parameters and answers are declared
here, beside the error shape every 4xx carries. tests/test_fuzz.py generates requests from it.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic.json_schema import models_json_schema

from data_feeds.access.keys import HEADER, ROLES
from data_feeds.indicators.config import load as load_indicators
from data_feeds.indicators.series import ObservationIn
from data_feeds.reports import categories, lifecycle
from data_feeds.reports.contract import RatingIn, ReportIn, ResponseIn, StatusChangeIn

MODELS = (ReportIn, StatusChangeIn, ResponseIn, RatingIn, ObservationIn)
ERROR = {"$ref": "#/components/responses/Error"}
KEYED = [{"apiKey": []}]


def _json(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(description: str, media: str = "application/json", schema: dict | None = None) -> dict:
    return {"description": description, "content": {media: {"schema": schema or {"type": "object"}}}}


def _errors(*codes: int) -> dict:
    return {str(code): ERROR for code in codes}


REPORT_REF = {
    "name": "report_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{1,80}$"},
    "description": "the report's id (a ULID), the source's own id a citizen quotes (LKS-2026-000123), or the room's "
    "human id for a report its source gave none (LR-2026-000123): any id a report's `human_id` or `id` shows",
}
FLAG = {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no"]}
FMT = {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string", "enum": ["csv", "xlsx"]}}
LANG = {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": ["id", "en"]}}
CSV_FORM = {
    "name": "format",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["id", "plain"], "default": "id"},
}  # a CSV's form (spreadsheets.csv_bytes)


def _closed_lists(schemas: dict) -> None:
    """The values the service checks against its tables (categories.toml, indicators.toml, the lifecycle), named
    in the document as enums, so a client (and the fuzzer) knows them."""
    routing, indicators = categories.load(), load_indicators()
    known = {
        ("ReportIn", "source"): list(routing.sources),
        ("ReportIn", "category"): list(routing.categories),
        ("StatusChangeIn", "status"): list(lifecycle.STATUSES),
        ("StatusChangeIn", "opd"): list(routing.opds),
        ("ObservationIn", "indicator"): list(indicators),
    }
    for (model, field), values in known.items():
        prop = schemas[model]["properties"][field]
        target = next((alt for alt in prop.get("anyOf", []) if alt.get("type") == "string"), prop)
        target["enum"] = values
    for field, bound in (("lat", 90), ("lon", 180)):
        schemas["ReportIn"]["properties"][field].update(minimum=-bound, maximum=bound)


_LIST = {"type": "string", "maxLength": 2000}
SEARCH_PARAMETERS = [
    *[
        {"name": name, "in": "query", "required": False, "schema": _LIST, "description": text}
        for name, text in (
            ("status", "comma list: baru, diproses, selesai, ditolak, duplikat"),
            ("category", "comma list of category codes"),
            ("opd", "comma list of OPD codes"),
            ("kecamatan", "comma list of names or Kemendagri codes"),
            ("kelurahan", "comma list of names or codes"),
            ("source", "comma list of feed sources"),
        )
    ],
    {
        "name": "from",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date"},
        "description": "WIB day, inclusive",
    },
    {
        "name": "to",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date"},
        "description": "WIB day, inclusive",
    },
    {"name": "sla", "in": "query", "required": False, "schema": {"type": "string", "enum": ["overdue", "soon"]}},
    {
        "name": "q",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "maxLength": 200},
        "description": "words in the source's id, title or description (each a prefix)",
    },
    {
        "name": "order",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["newest", "due"]},
        "description": "newest first (the default), or `due`: the open reports only, the nearest SLA due time "
        "first (overdue first: the queue); a cursor continues in the order it was given in",
    },
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "personal", "in": "query", "required": False, "schema": FLAG},
]


@lru_cache(maxsize=1)
def document() -> dict:
    _, defs = models_json_schema([(m, "validation") for m in MODELS], ref_template="#/components/schemas/{model}")
    schemas = dict(defs["$defs"])
    _closed_lists(schemas)
    schemas["FieldError"] = {
        "type": "object",
        "required": ["field", "reason"],
        "properties": {
            "field": {
                "type": ["string", "null"],
                "description": "the field, as a path: title, reporter.phone, [2].value",
            },
            "reason": {"type": "string"},
        },
    }
    schemas["ErrorBody"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "oneOf": [
                    {"$ref": "#/components/schemas/FieldError"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
                ]
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tangerang LIVE Room API",
            "version": "1",
            "description": "Citizen reports (LAKSA and other feeds), their lifecycle, and the city's indicator "
            "figures. "
            "Every 4xx is an ErrorBody naming the field. Open311 GeoReport v2 is served under /open311/v2/.",
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": HEADER,
                    "description": "lr_<id>_<secret>, from `python -m data_feeds keys create`; roles: "
                    f"{', '.join(ROLES)}",
                }
            },
            "responses": {
                "Error": {
                    "description": "refused: the body names the field and the reason",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                }
            },
        },
        "paths": {
            **_report_paths(),
            **_indicator_paths(),
            **_export_paths(),
            **_live_paths(),
        },
    }


def _report_paths() -> dict:
    """Reports in and out: file, list, read, move along."""
    return {
        "/api/v1/reports": {
            "post": {
                "summary": "File a citizen report (role report; the key's own source)",
                "security": KEYED,
                "requestBody": _json({"$ref": "#/components/schemas/ReportIn"}),
                "responses": {
                    "201": _ok("stored: answered only once committed"),
                    "200": _ok("a repeat of a stored id: nothing stored"),
                    **_errors(400, 401, 403, 413, 415, 422),
                },
            },
            "get": {
                "summary": "Reports the key (or the signed-in person) may see, by filters, newest first, a page "
                "at a time: "
                "{reports: [...as GET /api/v1/reports/{id}], next_cursor}; personal=1 adds the reporter for a "
                "reader with the personal role (each report so read is audited)",
                "security": KEYED,
                "parameters": SEARCH_PARAMETERS,
                "responses": {"200": _ok("a page of reports"), **_errors(401, 403, 422)},
            },
        },
        "/api/v1/reports/{report_id}": {
            "get": {
                "summary": "A report and its history, if the key's (its source's, or its OPD's); the reporter "
                "only for a "
                "personal-role key (audited). Another's report reads as 404",
                "parameters": [REPORT_REF],
                "security": KEYED,
                "responses": {"200": _ok("the report"), **_errors(401, 403, 404)},
            }
        },
        "/api/v1/reports/{report_id}/responses": {
            "post": {
                "summary": "A public response to the citizen (tanggapan; role workflow, scoped as a status change): "
                "{report, event_id}; shown in the report's history and Open311's servicerequestupdates",
                "parameters": [REPORT_REF],
                "security": KEYED,
                "requestBody": _json({"$ref": "#/components/schemas/ResponseIn"}),
                "responses": {"201": _ok("stored"), **_errors(400, 401, 403, 404, 413, 415, 422)},
            }
        },
        "/api/v1/league": {
            "get": {
                "summary": "The league per OPD, kecamatan or kelurahan: reports, per 10,000 residents (areas), "
                "resolved, overdue, median and p90 of response and resolution (seconds), satisfaction (1..5); "
                "every agency or area a row, the most overdue first; figures only, for any signed-in reader or key",
                "security": KEYED,
                "parameters": [
                    {
                        "name": "by",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["opd", "kecamatan", "kelurahan"]},
                    },
                    *[p for p in SEARCH_PARAMETERS if p["name"] in ("from", "to")],
                ],
                "responses": {"200": _ok("{by, from, to, rows}"), **_errors(401, 422)},
            }
        },
        "/api/v1/reports/{report_id}/rating": {
            "post": {
                "summary": "The citizen's rating of a resolved report (role report, the report's own source): "
                "{report, event_id}; a score of 1-2 puts it in the room's queue for review",
                "parameters": [REPORT_REF],
                "security": KEYED,
                "requestBody": _json({"$ref": "#/components/schemas/RatingIn"}),
                "responses": {"201": _ok("stored"), **_errors(400, 401, 403, 404, 409, 413, 415, 422)},
            }
        },
        "/api/v1/reports/{report_id}/status": {
            "post": {
                "summary": "Move a report along the LAKSA lifecycle (role workflow; the key's source, or an "
                "agency key's OPD)",
                "parameters": [REPORT_REF],
                "security": KEYED,
                "requestBody": _json({"$ref": "#/components/schemas/StatusChangeIn"}),
                "responses": {
                    "200": _ok("the report after the move"),
                    **_errors(400, 401, 403, 404, 409, 413, 415, 422),
                },
            }
        },
    }


def _indicator_paths() -> dict:
    """Indicator figures: send, import a file, read a series."""
    observations = {  # one figure or a list of them
        "oneOf": [
            {"$ref": "#/components/schemas/ObservationIn"},
            {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/ObservationIn"}},
        ]
    }
    return {
        "/api/v1/indicators": {
            "post": {
                "summary": "Record indicator figures, all or none (role indicators)",
                "security": KEYED,
                "parameters": [{"name": "dry_run", "in": "query", "required": False, "schema": FLAG}],
                "requestBody": _json(observations),
                "responses": {
                    "201": _ok("stored"),
                    "200": _ok("checked only (dry run)"),
                    **_errors(400, 401, 403, 409, 413, 415, 422),
                },
            }
        },
        "/api/v1/indicators/import": {
            "post": {
                "summary": "Record the figures of a CSV or XLSX file, all rows or none (role indicators)",
                "security": KEYED,
                "parameters": [{"name": "dry_run", "in": "query", "required": False, "schema": FLAG}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": _ok("stored"),
                    "200": _ok("checked only (dry run)"),
                    "422": _ok("rows refused, each as line, field, reason"),
                    **_errors(400, 401, 403, 413),
                },
            }
        },
        "/api/v1/indicators/{code}": {
            "get": {
                "summary": "One indicator's series",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "place", "in": "query", "required": False, "schema": {"type": "string"}},
                    {
                        "name": "measure",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["value", "target"]},
                    },
                    {"name": "subject", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {"200": _ok("the series"), **_errors(401, 403, 404, 422)},
            }
        },
    }


def _export_paths() -> dict:
    """What assessors and agencies file: the indicator table, the evidence pack, the report list."""
    return {
        "/api/v1/export/indicators.{fmt}": {
            "get": {
                "summary": "Every latest figure by pillar, for assessors (history=1: every figure stored): CSV "
                "for Indonesian "
                "Excel (format=id: semicolon, decimal comma, dd/mm/yyyy, UTF-8 with BOM; format=plain: comma, "
                "decimal "
                "point, ISO dates) or XLSX with a title block and a sheet per pillar",
                "parameters": [
                    FMT,
                    LANG,
                    {"name": "history", "in": "query", "required": False, "schema": FLAG},
                    CSV_FORM,
                ],
                "responses": {"200": {"description": "the table"}, **_errors(401, 403, 404, 422)},
            }
        },
        "/api/v1/export/evidence.pdf": {
            "get": {
                "summary": "The assessors' evidence pack (PDF): per pillar each indicator with figure, target, "
                "trend, source and "
                "as-of date, the pillar's agencies' complaint handling in the period, city maps, methodology; "
                "aggregates only",
                "parameters": [
                    {
                        "name": "lang",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["id", "en"]},
                    },
                    {
                        "name": "from",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "format": "date"},
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "format": "date"},
                    },
                ],
                "responses": {"200": _ok("the pack", "application/pdf"), **_errors(400, 401, 422)},
            }
        },
        "/api/v1/export/reports.{fmt}": {
            "get": {
                "summary": "The filtered reports the reader may see (filters of GET /api/v1/reports), at most "
                "20,000: CSV for "
                "Indonesian Excel (semicolon, UTF-8 with BOM) or XLSX with a title block; no personal data",
                "security": KEYED,
                "parameters": [
                    FMT,
                    LANG,
                    CSV_FORM,
                    *[p for p in SEARCH_PARAMETERS if p["name"] not in ("limit", "cursor", "personal")],
                ],
                "responses": {"200": {"description": "the file"}, **_errors(401, 403, 404, 422)},
            }
        },
    }


def _live_paths() -> dict:
    """The wall's live markers and replay, and the health check."""
    return {
        "/api/v1/live/markers": {
            "get": {
                "summary": "The map's live markers the reader may see (GeoJSON; no personal data): an agency "
                "key its OPD's",
                "responses": {"200": _ok("a FeatureCollection", "application/geo+json"), **_errors(401, 403, 503)},
            }
        },
        "/api/v1/live/replay": {
            "get": {
                "summary": "One WIB day from the event log, for the wall's replay: the reports open at midnight "
                "and every status "
                "change (data_feeds/live/shapes.py ReplayDay; no personal data); an agency its OPDs', an "
                "assessor none",
                "parameters": [
                    {"name": "day", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}}
                ],
                "responses": {"200": _ok("the day"), **_errors(400, 401, 403, 422)},
            }
        },
        "/healthz": {
            "get": {
                "summary": "Store, Redis, live worker and feeds: up or down, and how old",
                "responses": {"200": _ok("up or degraded"), "503": _ok("the store is down")},
            }
        },
    }
