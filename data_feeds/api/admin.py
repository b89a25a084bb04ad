"""The admin page (/admin): the audit log, people, paired screens and API keys, for admins only (the guard
refuses others first; the page asks again where the data is read)."""

from __future__ import annotations

import flask
from flask_wtf.csrf import generate_csrf

from data_feeds import paths
from data_feeds.access.devices import Devices
from data_feeds.access.keys import ApiKeys
from data_feeds.access.people import People
from data_feeds.api.signin import audit, current_lang, viewer
from data_feeds.clock import utcnow
from data_feeds.live import backup_state
from data_feeds.services import current
from layouts import admin_page as admin_layout

bp = flask.Blueprint("admin", __name__)


@bp.get(paths.ADMIN)
def admin_page():
    who = viewer()
    if who is None or not who.administers:  # (the guard refused already; asked again where the data is read)
        return flask.Response("403", 403, mimetype="text/plain")
    services = current()
    store, settings = services.store, services.settings
    audit("admin_view", "allowed", who)
    backups = backup_state.state(services.redis, services.keys, settings.backups, settings.backup_at, utcnow())
    html = admin_layout.page(
        current_lang(),
        generate_csrf(),
        list(reversed(store.audit_log(limit=500, newest=True))),
        People(store).list(),
        Devices(store).list(),
        ApiKeys(store).list(),
        backups,
    )
    return flask.Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})
