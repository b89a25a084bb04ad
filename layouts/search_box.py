"""The search field in every page's header: an id opens its report, words the filtered list (GET /cari, served by
callbacks/report_page.py). A plain form: Enter submits it, on the wall's Dash pages and the plain report page alike."""

from __future__ import annotations

from dash import dcc, html
from markupsafe import Markup

from data_feeds import paths
from data_feeds.i18n import t

FIELD_ID = "header-search"


def dash_box(lang: str) -> html.Form:
    return html.Form(
        dcc.Input(
            type="search",
            name="q",
            id=FIELD_ID,
            placeholder=t("search_placeholder", lang),
            maxLength=200,
            autoComplete="off",
            className="lr-search-field",
        ),
        action=paths.SEARCH,
        method="get",
        role="search",
        title=t("search_label", lang),
        className="lr-search",
    )


def html_box(lang: str) -> Markup:
    return Markup(
        '<form class="lr-rp-search" role="search" action="{a}" method="get"><input type="search" name="q" id="{i}" '
        'maxlength="200" autocomplete="off" placeholder="{p}" aria-label="{l}"></form>'
    ).format(a=paths.SEARCH, i=FIELD_ID, p=t("search_placeholder", lang), l=t("search_label", lang))
