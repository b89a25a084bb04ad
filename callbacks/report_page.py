"""Serving one report's page, /laporan/<id>: by our id or the source's own (LKS-2026-000123), in the reader's
scope (another agency's report reads as none), with the reporter's contact only for those who read it (audited)."""

from __future__ import annotations

import flask
from flask_wtf.csrf import generate_csrf

from data_feeds import paths
from data_feeds.api.signin import address, current_lang, viewer
from data_feeds.clock import iso_utc, utcnow
from data_feeds.i18n import t
from data_feeds.refusal import Refusal
from data_feeds.services import Services
from geodata.sketch import sketch
from layouts import report_page

MAX_REF = 80


def register(server: flask.Flask, services: Services) -> None:
    def html(body: str, status: int = 200) -> flask.Response:
        # personal data may be on it, and a report changes: never kept by a browser or a proxy
        return flask.Response(body, status, mimetype="text/html", headers={"Cache-Control": "no-store"})

    def context(who) -> report_page.PageContext:
        return report_page.PageContext(
            lang=current_lang(),
            viewer_name=who.name,
            viewer_role=who.role,
            now_iso=iso_utc(utcnow()),
            csrf_token=generate_csrf() if who.kind == "person" else "",
            print_view=flask.request.args.get("cetak") == "1",
            boundary_kind=services.boundaries.kind,
        )

    @server.before_request
    def nothing_deeper_than_a_report():
        """/laporan/<id> is a report and /laporan/ the list; any deeper address is none (Dash would answer every
        address under its prefix with the list's page)."""
        path = flask.request.path
        if path.startswith(paths.REPORTS) and path.count("/") > 2 and "/_" not in path and "/assets/" not in path:
            who = viewer()
            if who is not None:
                ref = path[len(paths.REPORTS) :][:MAX_REF]
                return html(report_page.refusal(context(who), t("rp_not_found", current_lang(), ref=ref), ref), 404)
        return None

    # Dash's own routes under /laporan/ (_dash-layout, _dash-update-component, ...) are fixed paths, which
    # Flask prefers over this one; a report's id never starts with "_".
    @server.get(paths.REPORTS + "<ref>")
    def report_page_view(ref: str):
        who = viewer()  # the sign-in guard has let only the signed-in this far
        source = services.routing.sources
        ctx = context(who)
        ref = ref[:MAX_REF]
        if not who.sees_reports:
            return html(report_page.refusal(ctx, t("rp_no_reports_role", ctx.lang), ref), 403)
        try:
            report = services.reports.page(ref, who, address())
        except Refusal:
            return html(report_page.refusal(ctx, t("rp_not_found", ctx.lang, ref=ref), ref), 404)
        ctx = report_page.PageContext(
            **{**ctx.__dict__, "source_name": source[report["source"]].name if report["source"] in source else ""}
        )
        place = (report.get("kecamatan") or {}).get("code"), (report.get("kelurahan") or {}).get("code")
        drawing = sketch(services.boundaries, place[0], place[1], report["lon"], report["lat"])
        return html(report_page.page(report, ctx, drawing))
