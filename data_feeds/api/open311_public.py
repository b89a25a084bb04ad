"""Open311 reads by anyone (OPEN311_PUBLIC_SOURCE): one source's requests, for 311 clients that send no key when they
read (the three PyPI clients the second probe tried). What they read is what a citizen may see (api/open311.py's
`reader` and `as_request`: never the reporter, the room's standard notes, no link to evidence only the signed-in may
open); the same read is answered from the shared cache for PUBLIC_CACHE_S, and every such read counts against its
address (access/limits.py)."""

from __future__ import annotations

import hashlib
import re

import flask
import redis
from flask import Blueprint, request

from data_feeds.access.keys import HEADER
from data_feeds.services import current

PUBLIC_CACHE_S = 30  # a public read is answered from the shared cache this long: one query per address per window
PUBLIC_READ_PATHS = re.compile(r"^/open311/v2/(requests(/[^/]+)?|tokens/[^/]+)\.(json|xml)$")


def _anonymous_public_read() -> bool:
    return (
        request.method == "GET"
        and bool(current().settings.open311_public_source)
        and PUBLIC_READ_PATHS.match(request.path) is not None
        and not (request.args.get("api_key") or request.headers.get(HEADER))
        and not request.cookies  # (no session, no screen: nobody in particular)
    )


def _public_cache_key() -> str:
    digest = hashlib.sha256(request.full_path.encode()).hexdigest()[:32]
    return f"open311-public:{current().settings.open311_public_source}:{digest}"


def _shared_cache():
    caches = flask.current_app.extensions.get("cache") or {}
    return next(iter(caches.values()), None)


def public_read_from_cache():
    """Anyone's read of the public requests: answered from the shared cache when the same read was made within
    PUBLIC_CACHE_S (by anyone: the answer is the same for all)."""
    if not _anonymous_public_read() or (cache := _shared_cache()) is None:
        return None
    try:
        kept = cache.get(_public_cache_key())
    except (redis.RedisError, OSError):
        return None
    if not kept:
        return None
    body, content_type = kept
    return flask.Response(
        body, content_type=content_type, headers={"Cache-Control": f"public, max-age={PUBLIC_CACHE_S}"}
    )


def public_read_to_cache(resp):
    if resp.status_code == 200 and _anonymous_public_read() and (cache := _shared_cache()) is not None:
        resp.headers["Cache-Control"] = f"public, max-age={PUBLIC_CACHE_S}"
        try:
            cache.set(_public_cache_key(), (resp.get_data(), resp.content_type), timeout=PUBLIC_CACHE_S)
        except (redis.RedisError, OSError):
            pass  # served uncached
    return resp


def install(bp: Blueprint) -> None:
    bp.before_request(public_read_from_cache)
    bp.after_request(public_read_to_cache)
