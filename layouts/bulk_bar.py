"""The report list's bulk bar: one action (forward, start, escalate) on the rows ticked in the table, each report
then checked, evented and audited on its own (callbacks/bulk.py), with what was refused said row by row."""

from __future__ import annotations

from dash import dcc, html

from data_feeds import paths
from data_feeds.i18n import dropdown_labels, fmt_int, t
from layouts import ids


def bar(actions: tuple[str, ...], opds: dict[str, str], lang: str) -> html.Div:
    """`actions`: those the reader's role has (none: the bar is there, hidden: its callback's parts exist on every
    page); `opds`: code -> name, for forwarding."""
    return html.Div(
        id=ids.LB_BULK,
        hidden=not actions,
        className="lr-lb-bulk",
        role="group",
        **{"aria-label": t("q_bulk_say", lang)},
        children=[
            html.Span(t("lb_bulk_none", lang), id=ids.LB_BULK_COUNT, className="lr-lb-bulk-count", role="status"),
            dcc.Dropdown(
                id=ids.LB_BULK_ACTION,
                options=[{"label": t(f"q_bulk_{a}", lang), "value": a} for a in actions],
                value=actions[0] if actions else None,
                clearable=False,
                searchable=False,
                className="lr-lb-bulk-action",
                labels=dropdown_labels(lang),
            ),
            dcc.Dropdown(
                id=ids.LB_BULK_OPD,
                options=[{"label": name, "value": code} for code, name in opds.items()],
                placeholder=t("act_opd", lang),
                className="lr-lb-bulk-opd",
                labels=dropdown_labels(lang),
            ),
            dcc.Input(
                id=ids.LB_BULK_NOTE,
                type="text",
                maxLength=2000,
                placeholder=t("act_note", lang),
                className="lr-lb-bulk-note",
                debounce=True,
            ),
            html.Button(t("lb_bulk_apply", lang), id=ids.LB_BULK_APPLY, className="lr-lb-bulk-apply", n_clicks=0),
            html.Div(id=ids.LB_BULK_RESULT, className="lr-lb-bulk-result", role="status"),
        ],
    )


def refused(text: str) -> html.P:
    """A bulk action refused as a whole (nothing ticked, a field missing), where the person is looking."""
    return html.P(text, className="lr-lb-bulk-refused-all", role="alert")


def outcome(action: str, done: list[str], refused: list[tuple[str, str]], lang: str) -> list:
    """What became of a bulk action: how many were done, each refused report (a link to it) with why."""
    out = [
        html.P(
            t("q_done", lang, action=t(f"q_bulk_{action}", lang), n=fmt_int(len(done), lang)),
            className="lr-lb-bulk-done",
        )
    ]
    if refused:
        out.append(html.P(t("q_refused", lang, n=fmt_int(len(refused), lang))))
        out.append(
            html.Ul(
                className="lr-lb-bulk-refused",
                children=[html.Li([html.A(ref, href=paths.report(ref)), f": {why}"]) for ref, why in refused],
            )
        )
    return out
