"""The list of morning briefings a person may read (/briefing/): days newest first, each with its PDFs. Plain HTML,
no script; every value escaped."""

from __future__ import annotations

from datetime import date

from markupsafe import escape

from data_feeds.i18n import fmt_date, t


def page(lang: str, days: list[tuple[date, list[tuple[str, str]]]], at: str) -> str:
    """days: [(day, [(label, href)])], newest first."""
    items = "".join(
        f'<li><span class="lr-brief-day">{escape(fmt_date(day, lang))}</span> '
        + " · ".join(f'<a href="{escape(href)}">{escape(label)}</a>' for label, href in files)
        + "</li>"
        for day, files in days
    )
    body = (
        f'<ul id="briefings">{items}</ul>' if items else f'<p id="briefings-none">{escape(t("brief_none", lang))}</p>'
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("brief_title", lang))} · {escape(t("app_title", lang))}</title><link rel="stylesheet"
href="/assets/signin.css"></head>
<body class="lr-admin-body"><main class="lr-admin">
<header><a href="/">← {escape(t("nav_wall", lang))}</a> <h1>{escape(t("brief_title", lang))}</h1></header>
<p>{escape(t("brief_intro", lang, at=at or "–"))}</p>
{body}
</main></body></html>"""
