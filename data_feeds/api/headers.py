"""What every response tells the browser: where scripts may come from, who may frame the page, no sniffing,
no referrer to other sites.

The Content-Security-Policy allows scripts from this origin and, inline, only Dash's own start-up
script (by its hash, computed once the callbacks are registered); styles may be inline because Dash's
components and Leaflet set them at run time. Images and videos may come from any https origin: the
evidence photos and videos a report links to live on the feeds' servers. Nothing may frame the wall.
Four static headers and one policy string: a library (flask-talisman) would add HTTPS redirects and
secure-only cookies that a plain-HTTP wall on a LAN cannot use, and nothing else we need.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from dash import Dash
from flask import request


def channel_origin(live_url: str, channel_port: int) -> str:
    """Where pages may open the live stream: LIVE_URL's origin, this origin ("/": a proxy routes /live/ here),
    or, by default, this host on the channel's port (taken from the request: a wall may use any of the
    server's names or addresses)."""
    if live_url == "/" or live_url.startswith("/"):
        return ""
    if live_url:
        parts = urlsplit(live_url)
        return f"{parts.scheme}://{parts.netloc}"
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return f"{request.scheme}://{host}:{channel_port}"


def policy(apps: list[Dash], tile_url: str = "") -> str:
    tiles = urlsplit(tile_url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
    tile_origin = f"{tiles.scheme}://{tiles.netloc}".replace("://a.", "://*.") if tiles.scheme and tiles.netloc else ""
    hashes = dict.fromkeys(h for app in apps for h in app.csp_hashes())  # each already quoted: 'sha256-...'
    script = " ".join(["'self'", *hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: https: {tile_origin}".strip(),
            "media-src 'self' https:",
            "font-src 'self' data:",
            "connect-src 'self'",  # and the live channel's origin (install: per request)
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install(apps: list[Dash], tile_url: str = "", live_url: str = "", channel_port: int = 0) -> None:
    """Call after every callback of every app is registered: the policy names the inline scripts they make."""
    headers = {
        "Content-Security-Policy": policy(apps, tile_url),
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }

    @apps[0].server.after_request
    def _secure(resp):
        for name, value in headers.items():
            if name == "Content-Security-Policy" and (origin := channel_origin(live_url, channel_port)):
                value = value.replace("connect-src 'self'", f"connect-src 'self' {origin}")
            resp.headers.setdefault(name, value)
        return resp
