"""The wall's side panels: vaccination by dose, and the agencies' SLA table."""

from __future__ import annotations

from typing import TypedDict

from dash import dcc, html

from data_feeds.i18n import (
    fmt_date,
    fmt_int,
    fmt_pct,
    population_period,
    t,
)
from data_feeds.live.shapes import OpdRow, SlaPanel
from data_feeds.live.view import opd_row
from geodata.gazetteer import CITY_CODE

from . import ids
from .indicators_page import spark

VACC_CODES = ("vaccination_dose_1", "vaccination_dose_2", "vaccination_dose_3")


def vaccination_children(indicators: dict, place: str | None, lang: str) -> list:
    """The vaccination panel for the city or, where a feed gives them, one kecamatan's figures."""
    have_place = place and all(place in indicators.get(c, {}) for c in VACC_CODES)
    key = place if have_place else CITY_CODE
    entries = [indicators.get(c, {}).get(key) for c in VACC_CODES]
    if not all(entries):
        return [html.H2(t("vacc_title", lang)), html.Div(t("no_data", lang), className="lr-asof")]
    rows = []
    for n, e in enumerate(entries, 1):
        change = ""
        if e["change"] is not None:
            change = t(
                "vacc_change",
                lang,
                sign="+" if e["change"] >= 0 else "−",
                value=fmt_int(abs(e["change"]), lang),
                date=fmt_date(e["prev_as_of"], lang),
            )
        rows.append(
            html.Div(
                className=f"lr-vacc-row lr-state-{e['state'] or 'none'}",
                children=[
                    html.Span(t(f"dose_{n}", lang), className="lr-vacc-label"),
                    spark(e["spark"] if len(e["spark"]) > 1 else []),  # one figure is not a trend
                    html.Span(fmt_int(e["value"], lang), className="lr-vacc-value", id=f"vacc-dose-{n}"),
                    html.Span(
                        [
                            html.Span(
                                t("vacc_coverage", lang, pct=fmt_pct(e["progress"], lang))
                                if e["denominator"]
                                else t("vacc_no_population", lang),
                                className="lr-vacc-pct",
                            ),
                            html.Span(change, className="lr-vacc-change") if change else None,
                        ],
                        className="lr-vacc-sub",
                    ),
                ],
            )
        )
    first = entries[0]
    notes = []
    if first["denominator"]:
        notes.append(
            t(
                "vacc_denominator",
                lang,
                value=fmt_int(first["denominator"]["value"], lang),
                period=population_period(first["denominator"]["label"], lang),
            )
        )
    if any((e["progress"] or 0) > 1 for e in entries):
        notes.append(t("vacc_over_100", lang))
    stale = any(e["stale"] for e in entries)
    return [
        html.H2(t("vacc_title", lang)),
        *rows,
        html.Div(
            [t("as_of", lang, date=fmt_date(first["as_of"], lang)), " · ", t("source", lang, source=first["source"])],
            className="lr-asof" + (" lr-stale" if stale else ""),
            id="vacc-asof",
        ),
        html.Div(
            t("figure_stale", lang, days=fmt_int(first["age_days"], lang)), className="lr-stale-note", id="vacc-stale"
        )
        if stale
        else None,
        html.Div(t("figure_demo", lang), className="lr-asof lr-demo-note") if any(e["demo"] for e in entries) else None,
        html.Div(" · ".join(notes), className="lr-asof lr-vacc-notes") if notes else None,
        html.Div(t("vacc_city_only", lang), className="lr-asof lr-vacc-scope", id="vacc-scope")
        if place and not have_place
        else None,
    ]


class OpdTable(TypedDict):
    rows: list[OpdRow]  # live.shapes.OpdRow
    b: int
    w: int
    days: int  # the window of the times
    a: str | None  # the kecamatan the figures are of (None: the city), for the indicators page's titles


def opd_data(panel: SlaPanel, area: str | None = None) -> OpdTable:
    """The OPD table as compact rows, drawn in the browser (assets/liveroom.js opdTable): the first paint's; the
    live view carries the same rows (live.view.opd_row)."""
    return {
        "rows": [opd_row(r) for r in panel["rows"]],
        "b": panel["breached"],
        "w": panel["soon"],
        "days": panel["window_days"],
        "a": area,
    }


def opd_panel(panel: dict, lang: str) -> html.Section:
    head = [t("opd_col_opd", lang), t("opd_col_open", lang), t("opd_col_breached", lang), t("opd_col_soon", lang)]
    return html.Section(
        className="lr-panel lr-opd",
        children=[
            dcc.Store(id=ids.OPD_DATA, data=opd_data(panel)),
            html.Div(
                className="lr-opd-head",
                children=[html.H2(t("opd_title", lang)), html.Span(id=ids.OPD_NOTE, className="lr-opd-note")],
            ),
            html.Div(
                className="lr-opd-scroll",
                children=html.Table(
                    className="lr-opd-table",
                    children=[
                        html.Thead(
                            html.Tr(
                                [
                                    *[html.Th(h) for h in head],
                                    *[
                                        html.Th(
                                            [
                                                t(k, lang),
                                                html.Br(),
                                                html.Span(t("opd_med_p90", lang), className="lr-opd-sub"),
                                            ]
                                        )
                                        for k in ("opd_col_response", "opd_col_resolution")
                                    ],
                                ]
                            )
                        ),
                        html.Tbody(id=ids.OPD_BODY),  # drawn in the browser from opd-data
                    ],
                ),
            ),
        ],
    )
