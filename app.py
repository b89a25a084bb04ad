"""Tangerang LIVE Room: the app factory and the `python app.py` entry point.

    python app.py [--host H] [--port P] [--no-demo]

starts the embedded Redis (unless REDIS_URL is set), the live worker and the web server.
`create_app()` builds one Dash app for one process; gunicorn loads it through `wsgi()`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dash import Dash
from flask import Flask
from flask_caching import Cache
from werkzeug.middleware.proxy_fix import ProxyFix

import callbacks
from data_feeds import paths
from data_feeds.api import admin, briefings, callback_shape, compression, evidence, native, open311, signin
from data_feeds.api import headers as api_headers
from data_feeds.api import web as api_web
from data_feeds.services import Services
from data_feeds.settings import Settings

ASSETS = Path(__file__).resolve().parent / "assets"
PLAIN_PAGE_ASSETS = r"signin\.css|report_page\.css"  # the script-free pages' styles: not for the Dash pages


def create_app(settings: Settings | None = None, services: Services | None = None) -> Dash:
    services = services or Services(settings or Settings.from_env())
    server = Flask(__name__)
    if (
        services.settings.proxy_hops
    ):  # the client's address (rate limits, the audit) from the proxies we run, no further
        hops = services.settings.proxy_hops
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    api_web.install(server, services)  # the doors, and the rate limits they and the sign-in form count with
    csrf = signin.install(server, services)
    server.register_blueprint(admin.bp)
    evidence.install(server)
    briefings.install(server, services)
    compression.install(server)
    for door in (native.bp, open311.bp, api_web.unknown_doors):  # keys authorise writes there, never cookies
        csrf.exempt(door)
    cache = Cache(
        server,
        config={
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": services.settings.redis_url,
            "CACHE_KEY_PREFIX": f"{services.settings.key_prefix}:cache:",
            "CACHE_DEFAULT_TIMEOUT": 300,
        },
    )
    common = dict(
        server=server,
        title="Tangerang LIVE Room",
        update_title=None,
        assets_folder=str(ASSETS),
        compress=False,
        serve_locally=True,
        csrf_token_name=signin.CSRF_COOKIE,
        csrf_header_name=signin.CSRF_HEADER,
    )
    app = PageApp(
        __name__,
        unused_libraries=("dash_ag_grid", "dash/dash_table"),
        assets_ignore=PLAIN_PAGE_ASSETS + "|report_browser\\.js",
        **common,
    )
    reports_app = PageApp(
        "report_browser",
        unused_libraries=("dash/dash_table",),
        url_base_pathname=paths.REPORTS,
        assets_ignore=PLAIN_PAGE_ASSETS + "|kiosk\\.js|healing\\.js|replay\\.js",
        **common,
    )
    for dash_app in (app, reports_app):
        dash_app.index_string = dash_app.index_string.replace("<html>", '<html lang="id">')
    callbacks.register(app, services, cache)
    callbacks.register_reports(reports_app, services, cache)
    # last: its policy names the callbacks' inline scripts
    api_headers.install(
        [app, reports_app], services.settings.map_tile_url, services.settings.live_url, services.settings.channel_port
    )
    callback_shape.install(server, [app, reports_app])  # a malformed callback body is a 400 before Dash reads it
    app.reports_app = reports_app
    return app


class PageApp(Dash):
    """A Dash app that leaves out the scripts of component libraries its pages never use. Dash puts every
    imported library's bundle on every app's page: the report table's 1.3 MB would load on each wall."""

    def __init__(self, *args, unused_libraries: tuple[str, ...] = (), **kwargs):
        self.unused_libraries = unused_libraries
        super().__init__(*args, **kwargs)

    def interpolate_index(self, **kwargs):
        unused = tuple(f"/_dash-component-suites/{lib}/" for lib in self.unused_libraries)
        kwargs["scripts"] = "\n".join(
            line for line in kwargs["scripts"].split("\n") if not any(u in line for u in unused)
        )
        return super().interpolate_index(**kwargs)


def wsgi() -> Flask:
    """The web server's entry, called in each worker process: granian `--factory app:wsgi`, gunicorn `app:wsgi()`."""
    app = create_app()
    # Dash registers its script paths while rendering the index page; a worker that had not yet
    # served "/" answered the page's script requests with 500. Render it once per worker first (directly:
    # through the front door, a signed-out request is sent to the sign-in page and renders nothing).
    for dash_app, path in ((app, paths.WALL), (app.reports_app, paths.REPORTS)):
        with dash_app.server.test_request_context(path):
            dash_app.index()
    return app.server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tangerang LIVE Room dashboard")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1, env HOST)")
    parser.add_argument("--port", type=int, help="port (default 8050, env PORT)")
    parser.add_argument("--no-demo", action="store_true", help="do not run the demo feed")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.host:
        settings = settings.replace(host=args.host)
    if args.port:
        settings = settings.replace(port=args.port)
    if args.no_demo:
        settings = settings.replace(demo=False)
    from data_feeds.runtime import supervisor

    return supervisor.run(settings)


if __name__ == "__main__":
    sys.exit(main())
