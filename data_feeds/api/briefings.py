"""/briefing/: the morning briefings (documents/briefing.py) a signed-in person may read, and each PDF, asked again
per file (Viewer.reads_briefing): the mayor's for leaders, operators and admins; an agency's also for its people."""

from __future__ import annotations

from datetime import date

import flask
from flask import Flask

from data_feeds import paths
from data_feeds.documents.briefing import DAY, MAYOR, NAME
from data_feeds.services import Services

from .signin import current_lang, viewer

KEEP_LISTED = 60  # days on the list (the files stay under DATA_DIR/briefings until someone removes them)


def _opd_of(name: str) -> str | None:
    return None if name == f"{MAYOR}.pdf" else name[len("opd-") : -len(".pdf")]


def install(server: Flask, services: Services) -> None:
    root = services.settings.data_dir / "briefings"

    @server.get(paths.BRIEFINGS)
    def briefing_list():
        from data_feeds.i18n import t
        from layouts import briefing_page

        who = viewer()
        if who is None:  # (the sign-in guard answered already)
            return flask.Response("401", 401, mimetype="text/plain")
        lang = current_lang()
        names = {code: o.short for code, o in services.routing.opds.items()}
        days = []
        folders = (
            sorted((p for p in root.iterdir() if p.is_dir() and DAY.match(p.name)), reverse=True)
            if root.is_dir()
            else []
        )
        for folder in folders[:KEEP_LISTED]:
            files = []
            for path in sorted(folder.glob("*.pdf"), key=lambda p: (p.name != f"{MAYOR}.pdf", p.name)):
                opd = _opd_of(path.name)
                if NAME.match(path.name) and who.reads_briefing(opd):
                    label = t("brief_for_mayor", lang) if opd is None else names.get(opd, opd.upper())
                    files.append((label, f"{paths.BRIEFINGS}{folder.name}/{path.name}"))
            if files:
                days.append((date.fromisoformat(folder.name), files))
        html = briefing_page.page(lang, days, services.settings.briefing_at)
        return flask.Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})

    @server.get(paths.BRIEFINGS + "<day>/<name>")
    def briefing_file(day: str, name: str):
        who = viewer()
        if not DAY.match(day) or not NAME.match(name):
            return flask.Response("404", 404, mimetype="text/plain")
        if who is None or not who.reads_briefing(_opd_of(name)):
            return flask.Response("403", 403, mimetype="text/plain")
        path = root / day / name
        if not path.is_file():
            return flask.Response("404", 404, mimetype="text/plain")
        resp = flask.send_file(path, mimetype="application/pdf", download_name=f"briefing-{day}-{name}", max_age=0)
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
