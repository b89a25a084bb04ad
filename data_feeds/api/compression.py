"""Compression of what is big: the pages' script bundles and stylesheets (brotli or gzip, compressed once per
process per file and encoding, then served from memory: their addresses carry a fingerprint, so a file's
content never changes under its address); and, gzip per request, the Dash pages' own documents (the page, its
layout, its callback list: made per reader) and the map's whole marker set (it changes with every report; a
dashboard fetches it once, then follows deltas).

Left alone: callback answers (small, and many), and the script-free pages (sign-in, a report's page, admin),
which carry a CSRF token beside text a stranger can choose: compressed, that is what the BREACH attack reads.
The Dash documents carry no secret (the sign-out form takes its token from the cookie as it is sent).
flask-compress does the negotiation (Accept-Encoding, Vary, ETags); which responses it touches is decided here.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import dash
from cachelib import SimpleCache
from flask import Flask, Response, request
from flask_compress import Compress

from data_feeds import paths

# files whose address changes when their content does (Dash's fingerprinted bundles, assets with ?m=<mtime>,
# the words script with its digest); under any Dash app's prefix
IMMUTABLE_PARTS = ("/_dash-component-suites/", "/assets/", paths.WORDS_SCRIPT)
DASH_PAGES = (
    paths.WALL,
    paths.INDICATORS,
    paths.REPORTS,
)  # the Dash apps' pages (the same document for any address of one app)
DASH_DOCUMENTS = ("/_dash-layout", "/_dash-dependencies")
CALLBACK = "/_dash-update-component"
BIG_CALLBACK_BYTES = 4 * 1024  # a first poll with every panel, a block of table rows; an unchanged poll is 56 B
YEAR_S = 365 * 24 * 3600
FAVICON = Path(dash.__file__).with_name("favicon.ico")
MIN_BYTES = 1024
CACHED_FILES = 2000  # (file, encoding) pairs: a few hundred exist


def install(server: Flask) -> None:
    server.config.update(
        COMPRESS_REGISTER=False,  # only the responses chosen below
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=9,
        COMPRESS_LEVEL=9,  # paid once per file, so the smallest
        COMPRESS_MIN_SIZE=MIN_BYTES,
        COMPRESS_CACHE_BACKEND=lambda: SimpleCache(threshold=CACHED_FILES, default_timeout=0),
        COMPRESS_CACHE_KEY=lambda req: req.full_path,
    )
    once = Compress(server)

    @server.after_request
    def compress(resp: Response) -> Response:
        path = request.path
        if request.method == "GET" and any(part in path for part in IMMUTABLE_PARTS):
            if request.args.get("m") or request.args.get("v"):  # its address names its version: keep it for good
                resp.headers["Cache-Control"] = f"public, max-age={YEAR_S}, immutable"
            return once.after_request(resp)
        if path == paths.LIVE_MARKERS or path in DASH_PAGES or path.endswith(DASH_DOCUMENTS):
            return _gzip_now(resp)
        if path.endswith(CALLBACK):  # a callback needs the CSRF header: no other site can have one sent
            return _gzip_now(resp, BIG_CALLBACK_BYTES)
        if path.endswith("/_favicon.ico") and request.args.get("v"):
            resp.headers["Cache-Control"] = f"public, max-age={YEAR_S}, immutable"
        return resp

    @server.get("/favicon.ico")
    def favicon():
        """What a browser asks for on the script-free pages (Dash's pages name their own)."""
        return Response(
            FAVICON.read_bytes(), mimetype="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
        )


def _gzip_now(resp: Response, min_bytes: int = MIN_BYTES) -> Response:
    accepts = request.headers.get("Accept-Encoding", "")
    if resp.status_code != 200 or "gzip" not in accepts or "Content-Encoding" in resp.headers or resp.is_streamed:
        return resp
    data = resp.get_data()
    if len(data) < min_bytes:
        return resp
    resp.set_data(gzip.compress(data, compresslevel=5))
    resp.headers["Content-Encoding"] = "gzip"
    resp.vary.add("Accept-Encoding")
    return resp
