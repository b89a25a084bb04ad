"""One report's page (/laporan/<id>): what happened, where, who acted and when, the citizen's photos beside
the closing evidence. Plain HTML and CSS, no script: it opens at once from a link on a phone, and prints
on a light background (`?cetak=1`, or the browser's print). Every value escaped."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup, escape

from data_feeds import paths
from data_feeds.i18n import STATUS_GLYPHS, fmt_datetime, t
from data_feeds.reports.lifecycle import NAMED_KINDS, OPEN
from geodata.sketch import Sketch
from layouts import search_box


@dataclass(frozen=True)
class PageContext:
    """Around the report: who is reading, in which language, at what time, and how to get back."""

    lang: str
    viewer_name: str
    viewer_role: str
    now_iso: str
    csrf_token: str = ""
    source_name: str = ""
    actions: Markup = Markup("")  # the actions panel (layouts/report_actions.py), already built for this reader
    print_view: bool = False
    boundary_kind: str = "schematic"
    demo: bool = False  # the demo feed is on: every page says so (a banner)
    assignee_name: str = ""  # the person of the agency it is assigned to (for those who read_internal)


def ref_of(report: dict) -> str:
    """The id people quote: the source's own (LKS-2026-000123), else the room's (LR-2026-000123)."""
    return report.get("human_id") or report.get("source_id") or report["id"]


def _status(status: str, lang: str) -> Markup:
    return Markup(
        '<span class="lr-rp-status lr-status-{s}"><span class="lr-rp-glyph" aria-hidden="true">{g}</span> {w}</span>'
    ).format(s=status, g=STATUS_GLYPHS.get(status, "?"), w=t(f"status_{status}", lang))


def _sla(label: str, due: str | None, met: bool | None, running: bool, state: str, lang: str) -> Markup:
    if met is not None:
        verdict, tone = (t("card_met", lang), "ok") if met else (t("card_missed", lang), "late")
    elif running and state == "breached":
        verdict, tone = t("card_running_late", lang), "late"
    elif running:
        verdict, tone = t("card_running", lang), "soon" if state == "soon" else "ok"
    else:
        verdict, tone = "–", "none"
    return Markup(
        '<div class="lr-rp-sla lr-rp-sla-{tone}"><dt>{label}</dt><dd>{due} · <strong>{verdict}</strong></dd></div>'
    ).format(tone=tone, label=label, due=t("card_due", lang, when=fmt_datetime(due, lang)), verdict=verdict)


def _media(items: list[dict], lang: str) -> Markup:
    out = []
    for n, item in enumerate(items, 1):
        url, kind = item["url"], item.get("type") or "photo"
        label = t(f"card_{kind}", lang, n=n) if kind in ("photo", "video") else url
        if kind == "video":
            preview = Markup('<video src="{u}" controls preload="metadata"></video>').format(u=url)
        else:
            preview = Markup('<img src="{u}" alt="{a}" loading="lazy" referrerpolicy="no-referrer">').format(
                u=url, a=label
            )
        out.append(
            Markup(
                '<figure><a href="{u}" target="_blank" rel="noopener '
                'noreferrer">{p}</a><figcaption>{a}</figcaption></figure>'
            ).format(u=url, p=preview, a=label)
        )
    return Markup("").join(out)


def _kind_of(url: str) -> str:
    path = url.split("?", 1)[0].lower()
    return "video" if path.endswith((".mp4", ".mov", ".webm", ".3gp", ".mkv")) else "photo"


def closing_evidence(report: dict) -> list[dict]:
    """The agency's evidence of the work, from the report's events (a comment's photo is no evidence of it)."""
    return [ev for e in report["events"] if e["kind"] != "comment" for ev in e.get("evidence") or []]


def citizen_media(report: dict) -> list[dict]:
    """The citizen's own photos and videos: the report's media, less the evidence a resolution added to it."""
    added = {ev["url"] for e in report["events"] for ev in e.get("evidence") or []}
    return [{"url": u, "type": _kind_of(u)} for u in report.get("media") or [] if u not in added]


def before_after(report: dict, lang: str) -> Markup:
    """The citizen's photos and videos beside the closing evidence."""
    before, after = citizen_media(report), closing_evidence(report)
    empty = lambda key: Markup('<p class="lr-rp-empty">{}</p>').format(t(key, lang))  # noqa: E731
    return Markup(
        '<section class="lr-rp-media" id="rp-media"><div class="lr-rp-before" id="rp-before"><h2>{bt}</h2>{b}</div>'
        '<div class="lr-rp-after" id="rp-after"><h2>{at}</h2>{a}</div></section>'
    ).format(
        bt=t("rp_before", lang),
        b=_media(before, lang) if before else empty("rp_no_media"),
        at=t("rp_after", lang),
        a=_media(after, lang) if after else empty("rp_no_evidence"),
    )


def _event(e: dict, lang: str) -> Markup:
    if e["kind"] in NAMED_KINDS:
        what = Markup(escape(t(f"event_{e['kind']}", lang)))
    else:
        what = Markup("{} → {}").format(_status(e["from"], lang) if e.get("from") else "", _status(e["to"], lang))
    who = " · ".join(x for x in (e.get("actor") or t("rp_actor_system", lang), e.get("opd") and e["opd"].upper()) if x)
    return Markup(
        '<li class="lr-rp-event lr-status-{to} lr-rp-event-{kind}"><time datetime="{iso}">{when} WIB</time><div '
        'class="lr-rp-what">{what}</div>'
        '<div class="lr-rp-who">{who}</div>{note}</li>'
    ).format(
        to=e["to"],
        kind=e["kind"],
        iso=e["at"],
        when=fmt_datetime(e["at"], lang),
        what=what,
        who=who,
        note=Markup('<p class="lr-rp-note">{}</p>').format(e["note"]) if e.get("note") else "",
    )


def map_sketch(drawing: Sketch | None, lang: str, boundary_kind: str) -> Markup:
    if drawing is None:
        return Markup('<p class="lr-rp-empty">{}</p>').format(t("rp_no_place", lang))
    kel = Markup("").join(
        Markup('<path d="{d}" class="{c}"/>').format(d=d, c="lr-rp-kel lr-rp-kel-here" if here else "lr-rp-kel")
        for _code, d, here in drawing.kelurahan
    )
    dot = (
        Markup(
            '<circle cx="{x:.1f}" cy="{y:.1f}" r="7" class="lr-rp-dot"/><circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" '
            'class="lr-rp-dot-core"/>'
        ).format(x=drawing.point[0], y=drawing.point[1])
        if drawing.point
        else ""
    )
    kind = t(f"rp_boundary_{'official' if boundary_kind == 'official' else 'schematic'}", lang)
    return Markup(
        '<figure class="lr-rp-map" id="rp-map"><svg viewBox="{vb}" role="img" aria-label="{title}">'
        '<path d="{kec}" class="lr-rp-kec"/>{kel}{dot}</svg><figcaption>{title}. {note}</figcaption></figure>'
    ).format(
        vb=drawing.view_box,
        title=t("rp_map", lang, name=drawing.kecamatan_name),
        kec=drawing.kecamatan,
        kel=kel,
        dot=dot,
        note=t("rp_map_note", lang, kind=kind),
    )


def _fact(label: str, value, fact_id: str = "") -> Markup:
    return Markup("<div{i}><dt>{l}</dt><dd>{v}</dd></div>").format(
        i=Markup(' id="{}"').format(fact_id) if fact_id else "", l=label, v=value
    )


def shell(ctx: PageContext, title: str, body: Markup, here: str) -> str:
    lang, other = ctx.lang, "en" if ctx.lang == "id" else "id"
    signout = (
        Markup(
            '<form method="post" action="{out}"><input type="hidden" name="csrf_token" value="{c}">'
            '<button type="submit">{s}</button></form>'
        ).format(out=paths.SIGNOUT, c=ctx.csrf_token, s=t("signout", lang))
        if ctx.csrf_token
        else ""
    )
    return str(
        Markup("""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {app}</title><link rel="stylesheet" href="/assets/report_page.css"></head>
<body class="lr-rp-body{print}"><header class="lr-rp-bar"><nav><a href="{reports}">{back}</a><a
href="{queue}">{queue_words}</a><a href="{wall_path}">{wall}</a></nav>{search}
<div class="lr-rp-bar-right"><span class="lr-rp-who-am-i">{who}</span>
<a class="lr-rp-lang" href="{lang_path}{other}?next={next}" title="Bahasa / Language">{switch}</a>{signout}</div>
</header>{demo}
<main class="lr-rp">{body}</main></body></html>""").format(
            demo=Markup('<div class="lr-rp-demo-banner" role="note">{}</div>').format(t("demo_banner", lang))
            if ctx.demo
            else "",
            reports=paths.REPORTS,
            queue=paths.QUEUE,
            queue_words=t("nav_queue", lang),
            wall_path=paths.WALL,
            lang_path=paths.LANG,
            lang=lang,
            title=title,
            app=t("app_title", lang),
            print=" lr-rp-print" if ctx.print_view else "",
            back=t("rp_back", lang),
            wall=t("nav_wall", lang),
            who=f"{ctx.viewer_name} · {t('role_' + ctx.viewer_role, lang)}",
            other=other,
            next=quote(here, safe="/"),
            switch=t("lang_switch", lang),
            signout=signout,
            search=search_box.html_box(lang) if ctx.csrf_token else "",
            body=body,
        )
    )


def page(report: dict, ctx: PageContext, drawing: Sketch | None) -> str:
    lang, status, sla = ctx.lang, report["status"], report["sla"]
    ref = ref_of(report)
    place = ", ".join(x["name"] for x in (report.get("kelurahan"), report.get("kecamatan")) if x)
    here = paths.report(ref)
    dup_of = report.get("duplicate_of")
    facts = [
        _fact(t("rp_id", lang), report["id"]),
        _fact(t("rp_source", lang), ctx.source_name or report["source"]),
        _fact(t("rp_reported", lang), f"{fmt_datetime(report['reported_at'], lang)} WIB"),
        _fact(t("rp_received", lang), f"{fmt_datetime(report['received_at'], lang)} WIB"),
        _fact(t("rp_category", lang), report["category_name"]),
        _fact(t("rp_place", lang), " · ".join(x for x in (place, report.get("address") or "") if x) or "–"),
        _fact(t("rp_opd", lang), report["opd"]["name"] if report.get("opd") else t("rp_no_opd", lang), "rp-opd"),
        *([_fact(t("rp_assignee", lang), ctx.assignee_name, "rp-assignee")] if ctx.assignee_name else []),
        _sla(
            t("card_sla_response", lang), sla["response_due"], sla["response_met"], status == "baru", sla["state"], lang
        ),
        _sla(
            t("card_sla_resolution", lang),
            sla["resolution_due"],
            sla["resolution_met"],
            status in OPEN,
            sla["state"],
            lang,
        ),
    ]
    if dup_of:
        facts.append(
            _fact(t("rp_duplicate_of", lang), Markup('<a href="{u}">{i}</a>').format(u=paths.report(dup_of), i=dup_of))
        )
    reporter = ""
    if "reporter" in report:
        r = report["reporter"]
        text = (
            t("card_reporter", lang, name=r.get("name") or "–", phone=r.get("phone") or "–")
            if r.get("name") or r.get("phone")
            else t("card_reporter_none", lang)
        )
        reporter = Markup('<p class="lr-rp-reporter" id="rp-reporter">{}</p>').format(text)
    duplicates = ""
    if report.get("duplicates"):
        duplicates = Markup(
            '<section class="lr-rp-dups" id="rp-duplicates"><h2>{h}</h2><ul>{items}</ul></section>'
        ).format(
            h=t("rp_duplicates", lang),
            items=Markup("").join(
                Markup('<li><a href="{u}">{r}</a> · {title} · {when} WIB</li>').format(
                    u=paths.report(d["id"]),
                    r=ref_of(d),
                    title=d["title"],
                    when=fmt_datetime(d["reported_at"], lang),
                )
                for d in report["duplicates"]
            ),
        )
    print_link = (
        Markup('<a class="lr-rp-print-link" href="{h}">{w}</a>').format(h=here, w=t("rp_screen", lang))
        if ctx.print_view
        else Markup('<a class="lr-rp-print-link" href="{h}?cetak=1">{w}</a>').format(h=here, w=t("rp_print", lang))
    )
    on_map = Markup('<a class="lr-rp-map-link" id="rp-on-map" href="{h}">{w}</a>').format(
        h=paths.on_map(ref), w=t("rp_on_map", lang)
    )
    body = Markup("""<article class="lr-rp-report" data-report-id="{rid}">
<div class="lr-rp-head"><p class="lr-rp-ref" id="rp-ref">{ref}</p>{status}{demo}{on_map}{print_link}</div>
<h1 id="rp-title">{title}</h1>
<p class="lr-rp-place">{category} · {place}</p>
{desc}{reporter}
{actions}
<div class="lr-rp-grid"><dl class="lr-rp-facts">{facts}</dl>{map}</div>
{media}
<section class="lr-rp-timeline" id="rp-timeline"><h2>{tl}</h2><ol>{events}</ol></section>
{duplicates}
<footer class="lr-rp-foot">{printed}</footer>
</article>""").format(
        rid=report["id"],
        ref=ref,
        status=_status(status, lang),
        demo=Markup('<span class="lr-tag-demo">DEMO</span>') if report["source"] == "demo" else "",
        print_link=print_link,
        on_map="" if ctx.print_view else on_map,
        title=report["title"],
        category=report["category_name"],
        place=place or "–",
        desc=Markup('<p class="lr-rp-desc">{}</p>').format(report["description"]) if report.get("description") else "",
        reporter=reporter,
        actions=ctx.actions,
        facts=Markup("").join(facts),
        map=map_sketch(drawing, lang, ctx.boundary_kind),
        media=before_after(report, lang),
        tl=t("rp_timeline", lang),
        events=Markup("").join(_event(e, lang) for e in report["events"]),
        duplicates=duplicates,
        printed=t("rp_printed", lang, when=fmt_datetime(ctx.now_iso, lang), name=ctx.viewer_name),
    )
    return shell(ctx, f"{ref} · {report['title']}", body, here)


def refusal(ctx: PageContext, message: str, ref: str) -> str:
    """The page for no such report (or not this reader's), and for a role that reads no single reports."""
    body = Markup('<article class="lr-rp-report"><h1>{m}</h1><p><a href="{u}">{b}</a></p></article>').format(
        u=paths.REPORTS, m=message, b=t("rp_back", ctx.lang)
    )
    return shell(ctx, ref, body, paths.report(ref))
