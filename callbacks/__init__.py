"""Wiring: page serving and callbacks, registered on an app by `register(app, services, cache)`."""
from __future__ import annotations

from dash import Dash
from flask_caching import Cache

from data_feeds.runtime.services import Services

from . import live, pages, report_detail, selection


def register(app: Dash, services: Services, cache: Cache) -> None:
    pages.register(app, services, cache)
    live.register(app, services)
    selection.register(app, services, cache)
    report_detail.register(app, services)
