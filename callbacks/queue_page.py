"""Serving the queue, /antrian (layouts/queue_page.py): the reader's open reports by due time, a page at a time by
the store's (due_at, id) keyset; and its bulk actions, posted back to the same address, each report checked and
audited on its own (callbacks/bulk.py), then the queue again with what was done and what was refused (303: a
reload repeats nothing; the outcome waits in Redis for ten minutes, for that reader only)."""

from __future__ import annotations

import json
import secrets

import flask
import redis

from callbacks import bulk
from callbacks.report_page import context, html
from data_feeds import paths
from data_feeds.access.people import People
from data_feeds.api.signin import current_lang, viewer
from data_feeds.clock import utcnow
from data_feeds.i18n import t
from data_feeds.refusal import Refusal
from data_feeds.reports import acting, search
from data_feeds.services import current
from layouts import queue_page, report_actions

PAGE = 50
OUTCOME_S = 600


def _scope_words(who, services, lang: str) -> str:
    if who.scope is None:
        return t("q_scope_all", lang)
    names = ", ".join(services.routing.opds[c].short for c in sorted(who.scope) if c in services.routing.opds)
    return t("q_scope_opd", lang, opds=names or "–")


def _outcome_key(services, who, token: str) -> str:
    return f"{services.settings.key_prefix}:bulk:{who.id}:{token}"


def queue_view(outcome=None, status_code: int = 200):
    services, who, lang = current(), viewer(), current_lang()
    ctx = context(who)
    if not who.works_queue:
        return html(queue_page.refused(ctx, t("q_not_for_role", lang)), 403)
    args = flask.request.args
    mine, status = args.get("saya") == "1", args.get("status") or ""
    if status not in ("", "baru", "diproses"):
        status = ""
    query = search.ReportQuery(order="due", statuses=(status,) if status else (), assignee=who.id if mine else None)
    try:
        after = search.decode_cursor(args.get("cursor"), by_due=True)
    except Refusal:
        after = None  # a cursor from elsewhere: the first page
    items, cursor = services.reports.search(query, who, PAGE, after)
    counts = services.reports.queue_counts(query, who)
    token = (args.get("hasil") or "")[:32]
    if outcome is None and token:
        try:
            saved = services.redis.get(_outcome_key(services, who, token))
        except (redis.RedisError, OSError):  # Redis down: the queue still, without the outcome
            saved = None
        if saved:
            outcome = bulk.Outcome.of_data(json.loads(saved))
    names = {p.username: p.name for code in (who.scope or ()) for p in People(services.store).of_agency(code)}
    missing = {r.get("assignee") for r in items} - set(names) - {None}
    for username in missing:  # (an operator's queue: people of every agency)
        found = People(services.store).by_username(username)
        names[username] = found.name if found else username
    view = queue_page.QueueView(
        reports=items,
        counts=counts,
        mine=mine,
        status=status,
        next_cursor=cursor,
        now=utcnow(),
        bulk=bulk.offered(who),
        opds={code: o.name for code, o in services.routing.opds.items()},
        names=names,
        scope=_scope_words(who, services, lang),
        outcome=queue_page.outcome(outcome.action, outcome.done, outcome.refused, lang)
        if isinstance(outcome, bulk.Outcome)
        else outcome or "",
    )
    return html(queue_page.page(view, ctx), status_code)


def queue_act():
    """A bulk action on the selected rows (CSRF-checked by Flask-WTF like every form)."""
    services, who, lang = current(), viewer(), current_lang()
    if not who.works_queue:
        return html(queue_page.refused(context(who), t("q_not_for_role", lang)), 403)
    form = flask.request.form
    action = form.get("aksi", "")
    if action not in bulk.offered(who):
        said = report_actions.outcome(t("act_refused", lang, reason=t("refusal_generic", lang)), False)
        return queue_view(said, 400)
    refs = form.getlist("pilih")[: bulk.MAX_ROWS + 1]
    values = {name: (form.get(f"{action}.{name}") or "").strip() or None for name, *_ in report_actions.FIELDS[action]}
    reason = bulk.unfit(refs, action, values, lang)
    if reason:
        return queue_view(report_actions.outcome(t("act_refused", lang, reason=reason), False), 422)
    asked = acting.Action(action, opd=values.get("opd"), note=values.get("catatan"))
    outcome = bulk.act_each(services, refs, asked, who, lang)
    if outcome.done:
        services.poker.poke()
    token = secrets.token_urlsafe(12)
    try:
        services.redis.set(_outcome_key(services, who, token), json.dumps(outcome.as_data()), ex=OUTCOME_S)
    except (redis.RedisError, OSError):  # the actions are stored: say what became of them here, without the 303
        return queue_view(outcome)
    return flask.redirect(f"{paths.QUEUE}?hasil={token}", 303)


def register(server: flask.Flask) -> None:
    server.add_url_rule(paths.QUEUE, "queue_view", lambda: queue_view(), methods=["GET"])
    server.add_url_rule(paths.QUEUE, "queue_act", queue_act, methods=["POST"])
