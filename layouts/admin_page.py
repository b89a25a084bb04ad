"""The admin's page: the audit log, people, screens and keys, read-only (changes are made with
`python -m data_feeds users|devices|keys`). Plain HTML, no script; every value escaped."""

from __future__ import annotations

from datetime import datetime

from markupsafe import escape

from data_feeds import paths
from data_feeds.clock import WIB
from data_feeds.i18n import fmt_datetime, fmt_figure, fmt_int, t


def _cell(value) -> str:
    if isinstance(value, datetime):
        return f"{value.astimezone(WIB):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _table(title: str, columns: list[str], rows: list[dict], table_id: str) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(r.get(c)))}</td>" for c in columns) + "</tr>" for r in rows)
    return (
        f'<section><h2>{escape(title)} ({len(rows)})</h2><div class="lr-admin-scroll"><table id="{table_id}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></section>"
    )


def page(
    lang: str,
    csrf_token: str,
    audit: list[dict],
    people: list[dict],
    devices: list[dict],
    keys: list[dict],
    backups: dict,
) -> str:
    en = lang == "en"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Admin · {escape(t("app_title", lang))}</title><link rel="stylesheet" href="/assets/signin.css"></head>
<body class="lr-admin-body"><main class="lr-admin">
<header><a href="/">← {escape(t("nav_wall", lang))}</a> <h1>Admin · {escape(t("app_title", lang))}</h1>
<form method="post" action="{paths.SIGNOUT}"><input type="hidden" name="csrf_token" value="{escape(csrf_token)}">
<button type="submit">{escape(t("signout", lang))}</button></form></header>
<p>{
        "Times in WIB. Changes: python -m data_feeds users | devices | keys."
        if en
        else "Waktu dalam WIB. Perubahan: python -m data_feeds users | devices | keys."
    }</p>
{_backup_line(backups, lang)}
{
        _table(
            "Audit" if en else "Jejak audit",
            ["at", "actor_kind", "actor", "action", "outcome", "report_id", "address", "detail"],
            audit,
            "audit-log",
        )
    }
{
        _table(
            "People" if en else "Akun",
            ["username", "name", "role", "opds", "personal", "disabled_at"],
            people,
            "people",
        )
    }
{_table("Screens" if en else "Layar", ["id", "name", "paired_at", "last_seen_at", "revoked_at"], devices, "devices")}
{
        _table(
            "API keys" if en else "Kunci API",
            ["id", "source", "opds", "roles", "label", "created_at", "revoked_at"],
            keys,
            "keys",
        )
    }
</main></body></html>"""


def _backup_line(state: dict, lang: str) -> str:
    """The newest backup and its age (api/health.py's `backup`), flagged when overdue."""
    if not state.get("daily"):
        return f'<p class="lr-admin-backup">{escape(t("admin_backup_off", lang))}</p>'
    last = state.get("last")
    if last is None:
        return f'<p class="lr-admin-backup lr-admin-warn" role="alert">{escape(t("admin_backup_none", lang))}</p>'
    said = t(
        "admin_backup_last",
        lang,
        time=fmt_datetime(last["at"], lang),
        hours=fmt_figure(state["age_hours"], lang),
        reports=fmt_int(last.get("reports"), lang),
        file=last["file"],
    )
    warn = ' lr-admin-warn" role="alert' if state.get("overdue") else ""
    return f'<p class="lr-admin-backup{warn}">{escape(said)}</p>'
