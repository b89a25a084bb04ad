"""One report, opened from its marker: status, place, agency, SLA clocks, history and evidence."""

from __future__ import annotations

from dash import dcc, html

from data_feeds import paths
from data_feeds.i18n import STATUS_GLYPHS, dropdown_labels, fmt_datetime, t
from data_feeds.reports.lifecycle import NAMED_KINDS, OPEN

from . import ids
from .report_page import citizen_media, closing_evidence


def shell(lang: str, opds: dict[str, str] | None = None) -> html.Aside:
    """The empty card on the map; filled when a marker is clicked. The action panel is in every card, hidden;
    the card's callback shows the rows this viewer may use on this report."""
    return html.Aside(
        id=ids.REPORT_CARD,
        className="lr-report-card",
        hidden=True,
        children=[
            html.Button(t("card_close", lang), id=ids.REPORT_CARD_CLOSE, className="lr-card-close", n_clicks=0),
            html.Div(id=ids.REPORT_CARD_BODY),
            actions(lang, opds or {}),
            dcc.Store(id=ids.CARD_REPORT),
        ],
    )


def actions(lang: str, opds: dict[str, str]) -> html.Section:
    """What an operator or the report's agency may do; each row shown only to those who may (and the server
    checks again: a hidden button is no access control)."""

    def button(key: str, bid: str, tone: str = "") -> html.Button:
        return html.Button(t(key, lang), id=bid, n_clicks=0, className=f"lr-act-btn {tone}".strip())

    return html.Section(
        id=ids.CARD_ACTIONS,
        className="lr-card-actions",
        hidden=True,
        children=[
            html.H4(t("act_title", lang)),
            dcc.Textarea(id=ids.ACT_NOTE, placeholder=t("act_note", lang), className="lr-act-note", maxLength=2000),
            html.Div(
                id=ids.ACT_FORWARD_ROW,
                className="lr-act-row",
                hidden=True,
                children=[
                    dcc.Dropdown(
                        id=ids.ACT_OPD,
                        options=[{"label": name, "value": code} for code, name in opds.items()],
                        placeholder=t("act_opd", lang),
                        clearable=False,
                        className="lr-act-opd",
                        labels=dropdown_labels(lang),
                    ),
                    button("act_forward", ids.ACT_FORWARD, "lr-act-primary"),
                ],
            ),
            html.Div(
                id=ids.ACT_OPERATOR_ROW,
                className="lr-act-row",
                hidden=True,
                children=[
                    dcc.Input(
                        id=ids.ACT_DUP_OF, placeholder=t("act_dup_of", lang), className="lr-act-input", maxLength=32
                    ),
                    button("act_duplicate", ids.ACT_DUPLICATE),
                    button("act_reject", ids.ACT_REJECT),
                    button("act_escalate", ids.ACT_ESCALATE),
                ],
            ),
            html.Div(
                id=ids.ACT_PROGRESS_ROW,
                className="lr-act-row",
                hidden=True,
                children=[
                    button("act_process", ids.ACT_PROCESS),
                    dcc.Upload(
                        id=ids.ACT_UPLOAD,
                        accept="image/jpeg,image/png,image/webp,video/mp4,video/webm,video/quicktime",
                        className="lr-act-upload",
                        children=html.Span(t("act_upload", lang), id=ids.ACT_UPLOAD_NAME),
                    ),
                    dcc.Input(
                        id=ids.ACT_EVIDENCE_URL,
                        placeholder=t("act_evidence_url", lang),
                        className="lr-act-input",
                        maxLength=2000,
                    ),
                    button("act_resolve", ids.ACT_RESOLVE, "lr-act-primary"),
                ],
            ),
            html.Div(id=ids.ACT_RESULT, className="lr-act-result", role="status"),
        ],
    )


def _sla_line(label: str, due: str | None, met: bool | None, running: bool, state: str, lang: str) -> html.Div:
    if met is not None:
        verdict, tone = (t("card_met", lang), "ok") if met else (t("card_missed", lang), "late")
    elif running and state == "breached":
        verdict, tone = t("card_running_late", lang), "late"
    else:
        verdict, tone = t("card_running", lang), "soon" if state == "soon" else "ok"
    return html.Div(
        className=f"lr-card-sla lr-card-sla-{tone}",
        children=[
            html.Span(label, className="lr-card-sla-label"),
            html.Span(t("card_due", lang, when=fmt_datetime(due, lang))),
            html.Span(verdict, className="lr-card-verdict"),
        ],
    )


def _event(e: dict, lang: str) -> html.Li:
    if e["kind"] in NAMED_KINDS:
        what = t(f"event_{e['kind']}", lang)
    else:
        what = f"{t('status_' + e['from'], lang)} → {t('status_' + e['to'], lang)}"
    details = [x for x in (e.get("opd") and e["opd"].upper(), e.get("actor"), e.get("note")) if x]
    return html.Li(
        className=f"lr-card-event lr-status-{e['to']}",
        children=[
            html.Span(fmt_datetime(e["at"], lang), className="lr-card-event-time"),
            html.Span(what, className="lr-card-event-what"),
            html.Div(" · ".join(details), className="lr-card-event-note") if details else None,
        ],
    )


def _media(media: list[dict], lang: str) -> list:
    items, counts = [], {"photo": 0, "video": 0}
    for ev in media:
        kind = ev.get("type") or "photo"
        counts[kind] = counts.get(kind, 0) + 1
        label = t(f"card_{kind}", lang, n=counts[kind]) if kind in ("photo", "video") else ev["url"]
        preview = (
            html.Video(src=ev["url"], controls=True, preload="metadata", className="lr-card-media")
            if kind == "video"
            else html.Img(src=ev["url"], alt=label, className="lr-card-media", referrerPolicy="no-referrer")
        )
        items.append(
            html.A(
                href=ev["url"],
                target="_blank",
                rel="noopener noreferrer",
                className="lr-card-evidence",
                children=[preview, html.Span(label)],
            )
        )
    return items


def _reporter(reporter: dict, lang: str) -> html.Div:
    """The citizen's contact, for those who call back (operators; agencies with the grant): each read audited."""
    if not reporter.get("name") and not reporter.get("phone"):
        return html.Div(t("card_reporter_none", lang), className="lr-card-reporter")
    return html.Div(
        t("card_reporter", lang, name=reporter.get("name") or "–", phone=reporter.get("phone") or "–"),
        className="lr-card-reporter",
        id="card-reporter",
    )


def body(report: dict | None, lang: str, source_name: str = "") -> list:
    """The card's content from the API's view of a report (public fields only)."""
    if report is None:
        return [html.P(t("card_missing", lang))]
    place = ", ".join(x["name"] for x in (report.get("kelurahan"), report.get("kecamatan")) if x)
    sla = report["sla"]
    status = report["status"]
    evidence = _media(closing_evidence(report), lang)
    citizen = citizen_media(report)
    return [
        html.Div(
            className=f"lr-card-status lr-status-{status}",
            children=[
                html.Span(STATUS_GLYPHS.get(status, "?"), className="lr-dot"),
                html.Span(t(f"status_{status}", lang)),
                html.Span(report.get("human_id") or "", className="lr-card-ref", id="card-ref"),
                html.Span("DEMO", className="lr-tag-demo") if report["source"] == "demo" else None,
            ],
        ),
        html.H3(report["title"], className="lr-card-title"),
        html.A(
            t("rp_open_page", lang) + " →", href=paths.report(report["id"]), className="lr-card-page", id="card-page"
        ),
        html.Div(f"{report['category_name']} · {place}", className="lr-card-place"),
        html.Div(report["address"], className="lr-card-place") if report.get("address") else None,
        html.Div(
            t(
                "card_reported",
                lang,
                when=fmt_datetime(report["reported_at"], lang),
                source=source_name or report["source"],
            ),
            className="lr-card-meta",
        ),
        html.Div(t("card_opd", lang, opd=report["opd"]["name"]), className="lr-card-meta")
        if report.get("opd")
        else None,
        html.Div(report["description"], className="lr-card-desc") if report.get("description") else None,
        _reporter(report["reporter"], lang) if "reporter" in report else None,
        _sla_line(
            t("card_sla_response", lang), sla["response_due"], sla["response_met"], status == "baru", sla["state"], lang
        ),
        _sla_line(
            t("card_sla_resolution", lang),
            sla["resolution_due"],
            sla["resolution_met"],
            status in OPEN,
            sla["state"],
            lang,
        ),
        html.H4(t("rp_before", lang)) if citizen else None,
        html.Div(_media(citizen, lang), className="lr-card-evidence-list", id="card-citizen-media")
        if citizen
        else None,
        html.H4(t("card_evidence", lang)) if evidence else None,
        html.Div(evidence, className="lr-card-evidence-list") if evidence else None,
        html.H4(t("card_history", lang)),
        html.Ol([_event(e, lang) for e in reversed(report["events"])], className="lr-card-events"),
    ]
