"""Wiring: page serving and callbacks, registered per app: `register` (the wall) and `register_reports` (the report
browser).
"""

from __future__ import annotations

import flask
from dash import Dash
from flask_caching import Cache

from data_feeds.services import Services

from . import live, pages, report_browser, report_detail, report_page, selection


def refuse_unknown_callbacks(app: Dash) -> None:
    """A callback request names its callback by its outputs; one that names none the server runs (a made-up one,
    or a callback that runs in the browser) is a 400, not the KeyError Dash would answer with a 500."""
    path = app.config.routes_pathname_prefix + "_dash-update-component"

    @app.server.before_request
    def known_callback():
        if flask.request.path != path or flask.request.method != "POST":
            return None
        body = flask.request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        if not isinstance(output, str) or "callback" not in app.callback_map.get(output, {}):
            return flask.jsonify({"error": {"field": "output", "reason": "names no callback this server runs"}}), 400
        return None


def register(app: Dash, services: Services, cache: Cache) -> None:
    """The wall (/ and /indikator), and one report's page (/laporan/<id>, plain HTML on the same server)."""
    pages.register(app, services, cache)
    live.register(app, services)
    selection.register(app, services, cache)
    report_detail.register(app, services)
    report_page.register(app.server, services)
    refuse_unknown_callbacks(app)


def register_reports(app: Dash, services: Services, cache: Cache) -> None:
    """The report browser (/laporan/), its own Dash app: the table's scripts load there only."""
    app.config.external_scripts.append(pages.WORDS_URL)  # liveroom.js draws the map's markers with the room's words
    report_browser.register(app, services, cache)
    refuse_unknown_callbacks(app)
