"""Serving one report's page, /laporan/<id>: by our id or the source's own (LKS-2026-000123), in the reader's
scope (another agency's report reads as none), with the reporter's contact only for those who read it (audited),
and the actions the reader may take on it now (posted back to the same address); and the header's search (/cari).
Module-level handlers: the running parts come from `current()`."""

from __future__ import annotations

from urllib.parse import urlencode

import flask
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from data_feeds import paths
from data_feeds.access.people import People
from data_feeds.api.signin import address, audit, current_lang, viewer
from data_feeds.clock import iso_utc, utcnow
from data_feeds.i18n import refusal_text, t
from data_feeds.refusal import Refusal
from data_feeds.reports import acting
from data_feeds.reports.service import PERSON_ACTIONS, allowed_actions
from data_feeds.services import current
from geodata.sketch import sketch
from layouts import report_actions, report_page

MAX_REF = 80


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
        boundary_kind=current().boundaries.kind,
        demo=current().settings.demo,
    )


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


def shown(ref: str, who, said: Markup | str = "", status: int = 200, done: str | None = None) -> flask.Response:
    """The report's page for this reader, with the actions they may take on it now (`done`: the action the reader
    has just taken, said above them)."""
    services = current()
    source = services.routing.sources
    ctx = context(who)
    if not who.sees_reports:
        return html(report_page.refusal(ctx, t("rp_no_reports_role", ctx.lang), ref), 403)
    try:
        report = services.reports.page(ref, who, address())
    except Refusal:
        return html(report_page.refusal(ctx, t("rp_not_found", ctx.lang, ref=ref), ref), 404)
    opds = {code: o.name for code, o in services.routing.opds.items()}
    if done in PERSON_ACTIONS:
        opd_name = (report.get("opd") or {}).get("name", "")
        said = report_actions.outcome(t(f"act_done_{done}", ctx.lang, opd=opd_name), True)
    here = paths.report(report_page.ref_of(report))
    agency = (report.get("opd") or {}).get("code")
    people = {p.username: p.name for p in People(services.store).of_agency(agency)} if agency else {}
    actions = report_actions.panel(allowed_actions(report, who), here, ctx.csrf_token, ctx.lang, opds, said, people)
    ctx = report_page.PageContext(
        **{
            **ctx.__dict__,
            "source_name": source[report["source"]].name if report["source"] in source else "",
            "actions": actions,
            "assignee_name": _name_of(report.get("assignee"), people, services),
        }
    )
    place = (report.get("kecamatan") or {}).get("code"), (report.get("kelurahan") or {}).get("code")
    drawing = sketch(services.boundaries, place[0], place[1], report["lon"], report["lat"])
    return html(report_page.page(report, ctx, drawing), status)


def _name_of(username: str | None, people: dict[str, str], services) -> str:
    """The assignee's name: one of the agency's people, or (moved or disabled since) whoever the name is."""
    if not username:
        return ""
    if username in people:
        return people[username]
    found = People(services.store).by_username(username)
    return found.name if found else username


def search_anything():
    """The header's search: an id (ours or the source's own, LKS-...) that names a report this reader may see opens
    its page; anything else opens the list filtered by those words."""
    who, words = viewer(), " ".join((flask.request.args.get("q") or "").split())[:200]
    if not words:
        return flask.redirect(paths.REPORTS, 303)
    if who is not None and who.sees_reports and " " not in words:
        try:
            reports = current().reports
            found = reports.get_for(reports.resolve(words, who), who)
            return flask.redirect(paths.report(found["human_id"]), 303)  # the id as pages spell it
        except Refusal:
            pass  # no such report: the words go to the list
    return flask.redirect(f"{paths.REPORTS}?{urlencode({'q': words})}", 303)


def report_page_view(ref: str):
    who = viewer()  # the sign-in guard has let only the signed-in this far
    return shown(ref[:MAX_REF], who, done=flask.request.args.get("selesai"))


def _action_asked(form) -> acting.Action:
    upload = flask.request.files.get("bukti")
    limit = current().settings.evidence_max_bytes + 1  # (one byte more: a file over the limit is refused by size)
    return acting.Action(
        form.get("aksi", ""),
        opd=(form.get("opd") or "").strip() or None,
        note=(form.get("catatan") or "").strip() or None,
        duplicate_of=(form.get("asli") or "").strip() or None,
        upload=upload.read(limit) if upload and upload.filename else None,
        evidence_url=(form.get("bukti_url") or "").strip() or None,
        assignee=(form.get("petugas") or "").strip()[:60] or None,
    )


def report_page_act(ref: str):
    """An action from the page's own forms (CSRF-checked by Flask-WTF like every form): taken, audited, then the
    page again (303, so a reload does not repeat it); refused, the page with the refusal in its words (422)."""
    services, who, lang, ref = current(), viewer(), current_lang(), ref[:MAX_REF]
    action = flask.request.form.get("aksi", "")
    if who is None or who.kind != "person" or action not in PERSON_ACTIONS:
        refused = t("act_refused", lang, reason=t("refusal_generic", lang))
        return shown(ref, who, report_actions.outcome(refused, False), 400)
    try:
        report = services.act(services.reports.resolve(ref, who), _action_asked(flask.request.form), who)
    except Refusal as exc:
        first = exc.errors[0]
        audit(f"act_{action}", "refused", who, report_id=ref[:32], detail=f"{first['field']}: {first['reason']}")
        refused = t("act_refused", lang, reason=refusal_text(exc.errors, lang))
        return shown(ref, who, report_actions.outcome(refused, False), 422)
    services.poker.poke()
    forwarded_to = (report.get("opd") or {}).get("code") if action == "forward" else None
    audit(f"act_{action}", "allowed", who, report_id=report["id"], detail=forwarded_to)
    return flask.redirect(f"{paths.report(report_page.ref_of(report))}?selesai={action}", 303)


def register(server: flask.Flask) -> None:
    server.before_request(nothing_deeper_than_a_report)
    server.add_url_rule(paths.SEARCH, "search_anything", search_anything, methods=["GET"])
    # Dash's own routes under /laporan/ (_dash-layout, _dash-update-component, ...) are fixed paths, which Flask
    # prefers over this one; a report's id never starts with "_".
    server.add_url_rule(paths.REPORTS + "<ref>", "report_page_view", report_page_view, methods=["GET"])
    server.add_url_rule(paths.REPORTS + "<ref>", "report_page_act", report_page_act, methods=["POST"])
