"""The doors data comes in and goes out by: the native HTTP API, Open311, /healthz and the command line."""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..runtime.services import Services
from . import native, open311


def install(server: Flask, services: Services) -> None:
    server.config["MAX_CONTENT_LENGTH"] = services.settings.max_body_bytes
    server.register_blueprint(native.build_api(services))
    server.register_blueprint(open311.build_open311(services))

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_exc):
        if request.path.startswith("/open311/"):
            return open311.error_response(request.path.rsplit(".", 1)[-1], 413, f"request larger than {services.settings.max_body_bytes} bytes")
        return jsonify({"error": {"field": "body", "reason": f"is larger than {services.settings.max_body_bytes} bytes"}}), 413

    @server.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/open311/"):
            return open311.error_response(request.path.rsplit(".", 1)[-1], exc.code, exc.description or exc.name)
        if request.path.startswith("/api/"):
            return jsonify({"error": {"field": None, "reason": exc.description or exc.name}}), exc.code
        return exc
