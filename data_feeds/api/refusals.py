"""Refusals as HTTP: the one place a refusal's kind becomes a status code."""

from __future__ import annotations

from flask import Response, jsonify

from data_feeds.refusal import Kind, Refusal

STATUS = {
    Kind.MALFORMED: 400,
    Kind.UNAUTHENTICATED: 401,
    Kind.FORBIDDEN: 403,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.TOO_LARGE: 413,
    Kind.UNSUPPORTED: 415,
    Kind.INVALID: 422,
    Kind.UNAVAILABLE: 503,
}


def status_of(refusal: Refusal) -> int:
    return STATUS[refusal.kind]


def json_response(refusal: Refusal) -> tuple[Response, int]:
    return jsonify(refusal.body()), status_of(refusal)
