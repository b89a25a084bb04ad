"""The web doors on one app: attach the running services, register the API's routes and its error shapes."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, make_response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from data_feeds import paths
from data_feeds.access import limits
from data_feeds.access.keys import HEADER
from data_feeds.services import Services, current

from . import native, open311


def install(server: Flask, services: Services) -> limits.Counter:
    services.attach(server)
    services.poker  # noqa: B018 - started now, once per process, rather than by the first write
    server.config["MAX_CONTENT_LENGTH"] = services.settings.max_body_bytes
    s = services.settings
    counter = limits.install(
        server, s.redis_url, s.key_prefix, s.rate_limit_per_key, s.rate_limit_per_address, services.api_keys.genuine
    )
    server.register_blueprint(native.bp)
    server.register_blueprint(open311.bp)
    server.register_blueprint(unknown_doors)
    server.register_error_handler(RequestEntityTooLarge, too_large)
    server.register_error_handler(limits.LimitReached, too_many)
    server.register_error_handler(HTTPException, http_error)
    return counter


DOOR_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Any other address under the machine doors is their own 404, never the dashboard's page (Dash answers every address
# it does not know with its shell). Keys, not cookies, speak there: exempt from CSRF as the doors are (app.py).
unknown_doors = Blueprint("unknown_doors", __name__)


@unknown_doors.route("/api/<path:rest>", methods=DOOR_METHODS)
@unknown_doors.route("/open311/<path:rest>", methods=DOOR_METHODS)
def no_such_door(rest: str = ""):
    """404 in the door's own error shape (Open311's list, the API's field and reason)."""
    if request.path.startswith("/open311/") or request.path == "/open311":
        return open311.error_response(request.path.rsplit(".", 1)[-1], 404, f"no such resource: {request.path[:200]}")
    return jsonify({"error": {"field": None, "reason": f"no such resource: {request.path[:200]}"}}), 404


# the doors' own roots, each its own endpoint (one shared with the rule above would redirect to it)
for _root in ("/api", "/api/", "/open311", "/open311/"):
    unknown_doors.add_url_rule(_root, f"root{_root.replace('/', '_')}", no_such_door, methods=DOOR_METHODS)


def too_large(_exc):
    limit = current().settings.max_body_bytes
    if request.path.startswith("/open311/"):
        return open311.error_response(request.path.rsplit(".", 1)[-1], 413, f"request larger than {limit} bytes")
    return jsonify({"error": {"field": "body", "reason": f"is larger than {limit} bytes"}}), 413


_WHOSE = {
    "key": "for this key",
    "screen": "for this screen",
    "screen-page": "for this screen",
    "address": "from this address",
    "signin": "from this address",
}


def too_many(exc: limits.LimitReached):
    """429 in the door's own error shape, with Retry-After: the seconds left in the window that was passed."""
    if request.path == paths.SIGNIN:  # a person at the form: the form, saying so
        from .signin import too_many_attempts

        resp = too_many_attempts()
    else:
        by_key = exc.window.scope in ("key", "screen", "screen-page")
        field = "api_key" if request.path.startswith("/open311/") else HEADER
        reason = (
            f"too many requests ({exc.description} {_WHOSE[exc.window.scope]}); retry after the time Retry-After gives"
        )
        if request.path.startswith("/open311/"):
            resp = open311.error_response(
                request.path.rsplit(".", 1)[-1], 429, f"{field}: {reason}" if by_key else reason
            )
        else:
            resp = jsonify({"error": {"field": field if by_key else None, "reason": reason}}), 429
    resp = make_response(resp)
    resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


def http_error(exc: HTTPException):
    if request.path.startswith("/open311/"):
        return open311.error_response(request.path.rsplit(".", 1)[-1], exc.code, exc.description or exc.name)
    if request.path.startswith("/api/"):
        return jsonify({"error": {"field": None, "reason": exc.description or exc.name}}), exc.code
    return exc
