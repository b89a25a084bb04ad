"""The web doors on one app: attach the running services, register the API's routes and its error shapes."""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..runtime.services import Services, current
from . import native, open311


def install(server: Flask, services: Services) -> None:
    services.attach(server)
    services.poker  # noqa: B018 - started now, once per process, rather than by the first write
    server.config["MAX_CONTENT_LENGTH"] = services.settings.max_body_bytes
    server.register_blueprint(native.bp)
    server.register_blueprint(open311.bp)
    server.register_error_handler(RequestEntityTooLarge, too_large)
    server.register_error_handler(HTTPException, http_error)


def too_large(_exc):
    limit = current().settings.max_body_bytes
    if request.path.startswith("/open311/"):
        return open311.error_response(request.path.rsplit(".", 1)[-1], 413, f"request larger than {limit} bytes")
    return jsonify({"error": {"field": "body", "reason": f"is larger than {limit} bytes"}}), 413


def http_error(exc: HTTPException):
    if request.path.startswith("/open311/"):
        return open311.error_response(request.path.rsplit(".", 1)[-1], exc.code, exc.description or exc.name)
    if request.path.startswith("/api/"):
        return jsonify({"error": {"field": None, "reason": exc.description or exc.name}}), exc.code
    return exc
