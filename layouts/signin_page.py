"""The sign-in page: a plain HTML form (no script), served before anyone is known, in Indonesian or English."""

from __future__ import annotations

from markupsafe import Markup, escape

from data_feeds import paths
from data_feeds.i18n import t


def page(lang: str, csrf_token: str, next_path: str, message: str = "", error: bool = False, username: str = "") -> str:
    other = "en" if lang == "id" else "id"
    note = (
        Markup(f'<p class="lr-signin-msg{" lr-signin-error" if error else ""}" role="alert">{escape(message)}</p>')
        if message
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("signin_title", lang))} · {escape(t("app_title", lang))}</title>
<link rel="stylesheet" href="/assets/signin.css"></head>
<body class="lr-signin-body"><main class="lr-signin">
<p class="lr-signin-brand">{escape(t("app_title", lang))} · {escape(t("city", lang))}</p>
<h1>{escape(t("signin_title", lang))}</h1>
{note}
<form method="post" action="{paths.SIGNIN}" autocomplete="on">
<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">
<input type="hidden" name="next" value="{escape(next_path)}">
<label for="username">{escape(t("signin_user", lang))}</label>
<input id="username" name="username" autocomplete="username" required maxlength="60" value="{escape(username)}"
autofocus>
<label for="password">{escape(t("signin_password", lang))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
<button type="submit">{escape(t("signin_submit", lang))}</button>
</form>
<p class="lr-signin-foot">{escape(t("signin_note", lang))}
<a class="lr-signin-lang" href="{paths.lang_switch(other, paths.SIGNIN)}">{escape(t("lang_switch", lang))}</a></p>
</main></body></html>"""
