"""Wiring: page serving and callbacks, registered per app: `register` (the wall) and `register_reports` (the report
browser).
"""

from __future__ import annotations

from dash import Dash
from flask_caching import Cache

from data_feeds.services import Services

from . import area, bulk, live, map_link, pages, queue_page, report_browser, report_detail, report_page, selection


def register(app: Dash, services: Services, cache: Cache) -> None:
    """The wall (/ and /indikator), one report's page (/laporan/<id>) and the queue (/antrian), both plain HTML on
    the same server."""
    pages.register(app, services, cache)
    live.register(app, services)
    selection.register(app, services, cache)
    area.register(app, services, cache)
    report_detail.register(app, services)
    map_link.register(app, services)
    report_page.register(app.server)
    queue_page.register(app.server)


def register_reports(app: Dash, services: Services, cache: Cache) -> None:
    """The report browser (/laporan/), its own Dash app: the table's scripts load there only."""
    app.config.external_scripts.append(pages.WORDS_URL)  # liveroom.js draws the map's markers with the room's words
    report_browser.register(app, services, cache)
    bulk.register(app, services)
