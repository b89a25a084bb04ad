"""Serving the wall page: its initial state from the live snapshot, its language, its map layers, its words."""

from __future__ import annotations

import hashlib
import json
import logging

import flask
import redis
from dash import Dash
from flask_caching import Cache

from data_feeds import paths
from data_feeds.access.viewer import Viewer
from data_feeds.api.signin import LANG_COOKIE, current_lang, same_site_path, viewer
from data_feeds.clock import iso_utc, utcnow
from data_feeds.i18n import LANGS, browser_words
from data_feeds.live.snapshot import compute
from data_feeds.live.view import visible_markers
from data_feeds.services import Services
from layouts import indicators_page, wall, wall_map

from .freshness import freshness, stale_feeds
from .live import channel_config, view_for

log = logging.getLogger(__name__)
OVERVIEW_SIMPLIFY_M = 10.0  # the city view: a pixel is ~20 m
STREET_SIMPLIFY_M = 3.0  # all kelurahan, shown from zoom 14 on
# The browser's words from the one source (data_feeds/i18n), as a script loaded before assets/liveroom.js;
# its address carries a digest of its content, so it is cached for good and replaced when a word changes.
WORDS_JS = (
    "window.liveroomWords = "
    + json.dumps(browser_words(), ensure_ascii=False)
    + ";\nwindow.liveroomPaths = "
    + json.dumps(paths.for_browser())
    + ";\n"
).encode()
WORDS_URL = f"{paths.WORDS_SCRIPT}?v={hashlib.blake2b(WORDS_JS, digest_size=6).hexdigest()}"


def initial_state(services: Services) -> tuple[dict, list[dict], dict]:
    """-> (summary, markers, freshness). From the Redis snapshot, where the markers are left to the
    first poll (which fetches them pre-joined); straight from the store when Redis is down."""
    try:
        _state, summary, beat = services.live.head()
        if summary is not None:
            return summary, [], freshness(stale_feeds(summary), True, beat is not None, summary.get("built_at"))
    except (redis.RedisError, OSError) as exc:
        log.warning("page: redis unavailable (%s); serving from the store", exc)
        redis_up = False
    else:
        redis_up = True  # up, but the worker has not written a snapshot yet
    now = utcnow()
    summary, markers = compute(
        services.store,
        services.routing,
        services.gazetteer,
        now,
        services.settings.live_marker_limit,
        demo_enabled=services.settings.demo,
    )
    summary["built_at"] = iso_utc(now)
    return summary, list(markers.values()), freshness(stale_feeds(summary), redis_up, redis_up, summary["built_at"])


def account_of(services: Services, who: Viewer | None) -> wall.Account | None:
    if who is None:
        return None
    agency = ", ".join(
        services.routing.opds[c].short if c in services.routing.opds else c for c in sorted(who.scope or ())
    )
    return wall.Account(who.name, who.role, agency, who.kind == "person")


def boundary_layers(services: Services, cache: Cache):
    """-> (kecamatan layer, kelurahan layer): functions of the boundary set's key giving the map's geobuf layers,
    prepared once per boundary set (simplified: invisible at their zoom) and shared by all workers and pages
    through the Redis cache."""

    @cache.memoize(timeout=0)
    def kecamatan_layer(_key: str) -> str:
        return services.boundaries.layer_geobuf("kecamatan", simplify_m=OVERVIEW_SIMPLIFY_M)

    @cache.memoize(timeout=0)
    def kelurahan_layer(_key: str) -> str:
        return services.boundaries.layer_geobuf("kelurahan", simplify_m=STREET_SIMPLIFY_M)

    return kecamatan_layer, kelurahan_layer


def register(app: Dash, services: Services, cache: Cache) -> None:
    kecamatan_layer, kelurahan_layer = boundary_layers(services, cache)

    def serve_layout():
        lang = current_lang()
        bset = services.boundaries
        minx, miny, maxx, maxy = bset.kecamatan.total_bounds
        who = viewer() if flask.has_request_context() else None
        summary, markers, fresh = initial_state(services)
        summary = view_for(services, summary, who)
        markers, _gone = visible_markers(
            markers, [], who.map_opds if who else None
        )  # (filled only when Redis had no snapshot)
        return wall.build(
            wall.WallView(
                lang=lang,
                summary=summary,
                markers=markers,
                kecamatan_geobuf=kecamatan_layer(bset.key),
                kelurahan_geobuf=kelurahan_layer(bset.key),
                bounds=[[float(miny), float(minx)], [float(maxy), float(maxx)]],
                boundary_kind=bset.kind,
                boundary_source=bset.source,
                freshness=fresh,
                channel=channel_config(services, who),
                tile_url=services.settings.map_tile_url,
                pillar_opds={
                    p: [code for code, o in services.routing.opds.items() if o.pillar == p]
                    for p in indicators_page.PILLARS
                },
                account=account_of(services, who),
                shows_reports=who is None or who.sees_reports,
                opd_names={code: o.name for code, o in services.routing.opds.items()},
                count_points=wall_map.count_points(services.gazetteer.kecamatan),
                briefings=who is not None
                and (who.reads_briefing(None) or any(who.reads_briefing(o) for o in who.opds)),
                queue=who is not None and who.works_queue,
                area_options=wall_map.area_options(services.gazetteer),
            )
        )

    app.layout = serve_layout

    app.config.external_scripts.append(WORDS_URL)

    @app.server.get(paths.WORDS_SCRIPT)
    def words():
        return flask.Response(
            WORDS_JS, mimetype="text/javascript", headers={"Cache-Control": "public, max-age=31536000, immutable"}
        )

    @app.server.get(paths.LANG + "<code>")
    def set_lang(code: str):
        resp = flask.redirect(same_site_path(flask.request.args.get("next")))
        if code in LANGS:
            resp.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
        return resp
