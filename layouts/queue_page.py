"""The queue, /antrian: the open reports in the reader's scope, nearest SLA due first (overdue first), with how many
are overdue, due within two hours and due later today; rows to select and act on together (forward, start,
escalate). Plain HTML like the report's page: quick on a phone over 4G, and it works with no script."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from data_feeds import paths
from data_feeds.i18n import STATUS_GLYPHS, fmt_datetime, fmt_duration, fmt_int, t
from layouts.report_actions import FIELDS, field
from layouts.report_page import PageContext, ref_of, shell


@dataclass(frozen=True)
class QueueView:
    """What the queue shows: a page of reports (the API's public shape, with `assignee`), its counts, the filters."""

    reports: list[dict]
    counts: dict[str, int]  # overdue, two_hours, today
    mine: bool  # only those assigned to the reader
    status: str  # "" (all open) | baru | diproses
    next_cursor: str | None
    now: datetime
    bulk: tuple[str, ...]  # the bulk actions the reader may take (the lifecycle checks each report again)
    opds: dict[str, str]  # code -> name, for forwarding
    names: dict[str, str]  # assignee id -> name
    scope: str  # whose reports these are, in words
    outcome: Markup | str = ""


def _due(report: dict, now: datetime, lang: str) -> Markup:
    if report.get("review"):  # resolved, but the citizen rated it low: the room reviews it
        return Markup('<span class="lr-q-due lr-q-due-late"><strong>{w}</strong></span>').format(
            w=t("q_review", lang, score=report.get("rating"))
        )
    due = report["sla"].get("next_due")
    if not due:
        return Markup("–")
    at = datetime.fromisoformat(due.replace("Z", "+00:00"))
    left = (at - now).total_seconds()
    words = (
        t("q_overdue_by", lang, d=fmt_duration(-left, lang))
        if left < 0
        else t("q_due_in", lang, d=fmt_duration(left, lang))
    )
    tone = "late" if left < 0 else "soon" if report["sla"]["state"] == "soon" else "ok"
    return Markup('<span class="lr-q-due lr-q-due-{tone}"><strong>{w}</strong><small>{at} WIB</small></span>').format(
        tone=tone, w=words, at=fmt_datetime(due, lang)
    )


def _row(report: dict, view: QueueView, lang: str) -> Markup:
    ref = ref_of(report)
    place = " / ".join(x["name"] for x in (report.get("kecamatan"), report.get("kelurahan")) if x) or "–"
    status = report["status"]
    assignee = view.names.get(report.get("assignee") or "", "")
    return Markup(
        '<tr class="lr-q-row lr-status-{s}" data-report-id="{rid}">'
        '<td class="lr-q-pick"><input type="checkbox" name="pilih" value="{ref}" form="q-bulk" '
        'aria-label="{pick}"></td>'
        "<td>{due}</td>"
        '<td class="lr-q-what"><a class="lr-q-ref" href="{href}">{ref}</a> <span class="lr-q-status">{g} {sw}</span>'
        '{demo}<br><span class="lr-q-title">{title}</span></td>'
        '<td class="lr-q-place">{place}</td><td class="lr-q-opd">{opd}{assignee}</td></tr>'
    ).format(
        s=status,
        rid=report["id"],
        ref=ref,
        pick=t("q_pick", lang, ref=ref),
        due=_due(report, view.now, lang),
        href=paths.report(ref),
        g=STATUS_GLYPHS.get(status, "?"),
        sw=t(f"status_{status}", lang),
        demo=Markup(' <span class="lr-tag-demo">DEMO</span>') if report["source"] == "demo" else "",
        title=report["title"],
        place=place,
        opd=(report.get("opd") or {}).get("name", "–"),
        assignee=Markup('<br><span class="lr-q-assignee">{a}: {n}</span>').format(a=t("rp_assignee", lang), n=assignee)
        if assignee
        else "",
    )


def _link(view: QueueView, lang: str, mine: bool, status: str, label: str) -> Markup:
    args = "&".join(x for x in ("saya=1" if mine else "", f"status={status}" if status else "") if x)
    here = (view.mine, view.status) == (mine, status)
    return Markup('<a class="lr-q-filter{c}" href="{h}"{cur}>{l}</a>').format(
        c=" lr-q-filter-on" if here else "",
        h=paths.QUEUE + (f"?{args}" if args else ""),
        cur=Markup(' aria-current="page"') if here else "",
        l=label,
    )


def _bulk_bar(view: QueueView, csrf_token: str, lang: str) -> Markup:
    if not view.bulk or not view.reports:
        return Markup("")
    choices = {"opd": view.opds, "person": {}}
    forms = Markup("").join(
        Markup(
            '<div class="lr-q-bulk-act">{fields}<button type="submit" name="aksi" value="{a}">{b}</button></div>'
        ).format(
            a=action,
            fields=Markup("").join(
                field(f"{action}.{name}", kind, words, False, lang, choices)  # (one form: named per action)
                for name, kind, words, _need in FIELDS[action]
            ),
            b=t(f"q_bulk_{action}", lang),
        )
        for action in view.bulk
    )
    return Markup(
        '<form id="q-bulk" class="lr-q-bulk" method="post" action="{u}"><input type="hidden" name="csrf_token" '
        'value="{c}"><p class="lr-q-bulk-say">{say}</p>{forms}</form>'
    ).format(u=paths.QUEUE, c=csrf_token, say=t("q_bulk_say", lang), forms=forms)


def outcome(action: str, done: list[str], refused: list[tuple[str, str]], lang: str) -> Markup:
    """What became of a bulk action: how many were done, and each refused report with why."""
    items = Markup("").join(
        Markup('<li><a href="{h}">{r}</a>: {w}</li>').format(h=paths.report(ref), r=ref, w=why) for ref, why in refused
    )
    return Markup('<section class="lr-q-outcome" id="q-outcome" role="{role}"><p>{d}</p>{r}{items}</section>').format(
        role="alert" if refused else "status",
        d=t("q_done", lang, action=t(f"q_bulk_{action}", lang), n=fmt_int(len(done), lang)),
        r=Markup("<p>{}</p>").format(t("q_refused", lang, n=fmt_int(len(refused), lang))) if refused else "",
        items=Markup('<ul class="lr-q-refused">{}</ul>').format(items) if refused else "",
    )


def page(view: QueueView, ctx: PageContext) -> str:
    lang = ctx.lang
    tiles = Markup("").join(
        Markup(
            '<div class="lr-q-count lr-q-count-{k}" id="q-count-{k}"><strong>{n}</strong><span>{w}</span></div>'
        ).format(k=key, n=fmt_int(view.counts.get(key, 0), lang), w=t(f"q_count_{key}", lang))
        for key in ("overdue", "two_hours", "today")
    )
    filters = Markup(" ").join(
        [
            _link(view, lang, False, "", t("q_all", lang)),
            _link(view, lang, True, "", t("q_mine", lang)),
            _link(view, lang, view.mine, "baru", t("status_baru", lang)),
            _link(view, lang, view.mine, "diproses", t("status_diproses", lang)),
        ]
    )
    rows = Markup("").join(_row(r, view, lang) for r in view.reports)
    more = ""
    if view.next_cursor:
        args = "&".join(x for x in ("saya=1" if view.mine else "", f"status={view.status}" if view.status else "") if x)
        more = Markup('<p class="lr-q-more"><a href="{h}">{w} →</a></p>').format(
            h=f"{paths.QUEUE}?{args + '&' if args else ''}cursor={view.next_cursor}", w=t("q_next", lang)
        )
    table = (
        Markup(
            '<table class="lr-q-table" id="q-table"><thead><tr><th><span class="lr-sr">{pick}</span></th><th>{due}</th>'
            "<th>{rep}</th><th>{place}</th><th>{opd}</th></tr></thead><tbody>{rows}</tbody></table>{more}"
        ).format(
            pick=t("q_pick_col", lang),
            due=t("q_col_due", lang),
            rep=t("q_col_report", lang),
            place=t("rp_place", lang),
            opd=t("rp_opd", lang),
            rows=rows,
            more=more,
        )
        if view.reports
        else Markup('<p class="lr-rp-empty" id="q-empty">{}</p>').format(t("q_empty", lang))
    )
    body = Markup(
        '<section class="lr-q" id="queue"><h1>{h}</h1><p class="lr-q-scope">{scope}</p>'
        '<div class="lr-q-counts">{tiles}</div>{outcome}<nav class="lr-q-filters">{filters}</nav>{bulk}{table}'
        "</section>"
    ).format(
        h=t("nav_queue", lang),
        scope=view.scope,
        tiles=tiles,
        outcome=view.outcome,
        filters=filters,
        bulk=_bulk_bar(view, ctx.csrf_token, lang),
        table=table,
    )
    return shell(ctx, t("nav_queue", lang), body, paths.QUEUE)


def refused(ctx: PageContext, message: str) -> str:
    """The queue's page for one who may not work it (an assessor, an admin, a wall screen), in words."""
    body = Markup('<section class="lr-q" id="queue"><h1>{h}</h1><p id="q-refused">{m}</p></section>').format(
        h=t("nav_queue", ctx.lang), m=message
    )
    return shell(ctx, t("nav_queue", ctx.lang), body, paths.QUEUE)
