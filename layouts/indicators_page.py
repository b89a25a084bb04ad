"""The indicators page (/indikator): every indicator as a KPI card, grouped by the six smart-city pillars,
with target against realisation per year and per area, and an export for assessors.

Cards are built from the snapshot's indicator summary (computed once per data change); each pillar also
shows how its agencies handle complaints, drawn in the browser from the OPD figures the wall already
receives (assets/liveroom.js pillarOpd), so that part costs no extra bytes.
"""

from __future__ import annotations

from dash import dcc, html

from data_feeds.i18n import fmt_date, fmt_figure, fmt_int, fmt_pct, population_period, t
from data_feeds.indicators.config import PILLARS
from geodata.gazetteer import CITY_CODE

from . import ids

PERIOD_TABLE_MIN = 1  # a per-period indicator shows its target/realisation table from one period on


def spark(values: list[float]) -> html.Span:
    """A small bar trend of the last figures (CSS bars: no chart library for a dozen numbers)."""
    top = max(values) if values else 0
    return html.Span(
        className="lr-spark",
        children=[
            html.Span(className="lr-spark-bar", style={"height": f"{max(8, round(100 * v / top)) if top else 8}%"})
            for v in values
        ],
    )


def _progress(entry: dict, ind, lang: str) -> html.Div | None:
    """Progress to target (or coverage of the population): a bar that shows >100 % as such, and words."""
    if entry["progress"] is None:
        if entry["value"] is None and entry["target"] is not None:
            return html.Div(
                t(
                    "ind_not_reported",
                    lang,
                    period=entry["period"],
                    target=fmt_figure(entry["target"], lang, ind.compact),
                ),
                className="lr-ind-progress-text lr-ind-pending",
            )
        return None
    pct = entry["progress"]
    if entry["denominator"]:
        words = t(
            "ind_coverage",
            lang,
            pct=fmt_pct(pct, lang),
            value=fmt_int(entry["denominator"]["value"], lang),
            period=population_period(entry["denominator"]["label"], lang),
        )
    else:
        words = t(
            "ind_of_target",
            lang,
            pct=fmt_pct(pct, lang),
            target=fmt_figure(entry["target"], lang, ind.compact),
            period=f" ({entry['period']})" if entry["period"] else "",
        )
    return html.Div(
        className="lr-ind-progress",
        children=[
            html.Div(
                className="lr-bar",
                children=[
                    html.Div(className="lr-bar-fill", style={"width": f"{min(100, round(100 * pct))}%"}),
                    html.Div(className="lr-bar-over") if pct > 1 else None,
                ],
            ),
            html.Div(words, className="lr-ind-progress-text"),
            # over 100 % of the residents is not an error: said, not clipped
            html.Div(t("vacc_over_100", lang), className="lr-asof") if pct > 1 and entry["denominator"] else None,
        ],
    )


def _periods_table(entry: dict, ind, lang: str) -> html.Table | None:
    rows = entry.get("periods") or []
    if len(rows) < PERIOD_TABLE_MIN or not any(r["target"] is not None for r in rows):
        return None
    return html.Table(
        className="lr-ind-table",
        children=[
            html.Thead(
                html.Tr(
                    [
                        html.Th(t("ind_col_period", lang)),
                        html.Th(t("ind_col_target", lang)),
                        html.Th(t("ind_col_value", lang)),
                        html.Th("%"),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(r["period"]),
                            html.Td(fmt_figure(r["target"], lang, ind.compact)),
                            html.Td(fmt_figure(r["value"], lang, ind.compact)),
                            html.Td(fmt_pct(r["progress"], lang)),
                        ]
                    )
                    for r in reversed(rows)
                ]
            ),
        ],
    )


def _rows_table(head: str, rows: list[tuple[str, dict]], ind, lang: str) -> html.Table:
    """Area or subject rows: name, realisation, target or coverage, progress, as-of (demo rows marked)."""
    show_target = any(e["target"] is not None for _, e in rows)
    show_pct = any(e["progress"] is not None for _, e in rows) or show_target
    return html.Table(
        className="lr-ind-table",
        children=[
            html.Thead(
                html.Tr(
                    [
                        html.Th(head),
                        html.Th(t("ind_col_value", lang)),
                        html.Th(t("ind_col_target", lang)) if show_target else None,
                        html.Th("%") if show_pct else None,
                        html.Th(t("ind_col_as_of", lang)),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        className=f"lr-state-{e['state'] or 'none'}" + (" lr-row-demo" if e["demo"] else ""),
                        children=[
                            html.Td([name, html.Span(" DEMO", className="lr-demo-tag") if e["demo"] else None]),
                            html.Td(fmt_figure(e["value"], lang, ind.compact)),
                            html.Td(fmt_figure(e["target"], lang, ind.compact)) if show_target else None,
                            html.Td(fmt_pct(e["progress"], lang)) if show_pct else None,
                            html.Td(fmt_date(e["as_of"], lang), className="lr-stale" if e["stale"] else None),
                        ],
                    )
                    for name, e in rows
                ]
            ),
        ],
    )


def indicator_card(
    ind, city: dict | None, areas: list[tuple[str, dict]], subjects: list[tuple[str, dict]], opd_short: str, lang: str
) -> html.Article:
    """One indicator: big number, change, progress to target, trend, threshold colour, freshness, source."""
    everything = [e for e in (city, *(e for _, e in areas), *(e for _, e in subjects)) if e]
    # the city figure leads; a card of subjects or areas only is as fresh as its newest figure
    lead = city or max((e for _, e in (subjects or areas)), key=lambda e: e["as_of"])
    stale = lead["stale"]
    body = []
    if city is not None:
        change = None
        if city["change"] is not None:
            change = t(
                "vacc_change",
                lang,
                sign="+" if city["change"] >= 0 else "−",
                value=fmt_figure(abs(city["change"]), lang, ind.compact),
                date=fmt_date(city["prev_as_of"], lang),
            )
        body += [
            html.Div(
                className="lr-ind-main",
                children=[
                    html.Span(
                        fmt_figure(city["value"], lang, ind.compact) if city["value"] is not None else "–",
                        className="lr-ind-value",
                        id=f"ind-value-{ind.code}",
                    ),
                    html.Span(
                        ind.unit(lang) + (f" · {city['period']}" if city["period"] else ""), className="lr-ind-unit"
                    ),
                    spark(city["spark"]) if len(city["spark"]) > 1 else None,
                ],
            ),
            html.Div(change, className="lr-ind-change") if change else None,
            _progress(city, ind, lang),
            _periods_table(city, ind, lang),
        ]
    if subjects:
        label = (ind.subject_label_en if lang == "en" else ind.subject_label_id) or t("ind_col_subject", lang)
        body.append(_rows_table(label, subjects, ind, lang))
    if areas:
        body.append(
            html.Details(
                className="lr-ind-areas",
                open=city is None,
                children=[
                    html.Summary(t("ind_by_area", lang, n=len(areas))),
                    _rows_table(t("ind_col_area", lang), areas, ind, lang),
                ],
            )
        )
    state = lead["state"] or "none"
    return html.Article(
        className=f"lr-ind lr-state-{state}" + (" lr-ind-stale" if stale else ""),
        id=f"ind-{ind.code}",
        children=[
            # the pillar on every card: a long pillar flows on into the next column, past its title
            html.Header(
                className="lr-ind-head",
                children=[
                    html.H3(ind.name(lang)),
                    html.Span(f"{t('pillar_short_' + ind.pillar, lang)} · {opd_short}", className="lr-ind-opd"),
                ],
            ),
            *body,
            html.Div(
                [t("as_of", lang, date=fmt_date(lead["as_of"], lang)), " · ", t("source", lang, source=lead["source"])],
                className="lr-asof" + (" lr-stale" if stale else ""),
                id=f"ind-asof-{ind.code}",
            ),
            html.Div(
                t(
                    "figure_stale_cadence",
                    lang,
                    days=fmt_int(lead["age_days"], lang),
                    cadence=fmt_int(ind.cadence_days, lang),
                ),
                className="lr-stale-note",
                id=f"ind-stale-{ind.code}",
            )
            if stale
            else None,
            html.Div(t("ind_demo", lang), className="lr-asof lr-demo-note")
            if any(e["demo"] for e in everything)
            else None,
        ],
    )


def pillar_bodies(
    config: dict, places: dict, subjects: dict, opd_short: dict, place_names: dict, lang: str
) -> list[list]:
    """The cards of each pillar, in PILLARS order (one list of children per pillar)."""
    out = []
    for pillar in PILLARS:
        cards = []
        for code, ind in config.items():
            if ind.pillar != pillar:
                continue
            by_place = places.get(code, {})
            # in Kemendagri order: each kecamatan, then its kelurahan beneath it
            areas = [(place_names.get(p, p), by_place[p]) for p in sorted(by_place) if p != CITY_CODE]
            subs = [
                (ind.subject_name(s, lang), e) for s, e in sorted(subjects.get(code, {}).get(CITY_CODE, {}).items())
            ]
            if not (by_place or subs):
                continue
            cards.append(
                indicator_card(ind, by_place.get(CITY_CODE), areas, subs, opd_short.get(ind.owner, ind.owner), lang)
            )
        out.append(cards or [html.Div(t("pillar_no_indicators", lang), className="lr-asof")])
    return out


def build(lang: str, pillar_opds: dict[str, list[str]]) -> html.Section:
    """The page's frame; the cards arrive with the first poll on this page (and whenever a figure changes)."""
    return html.Section(
        id=ids.IND_PAGE,
        className="lr-indpage",
        hidden=True,
        children=[
            html.Div(
                className="lr-indpage-head",
                children=[
                    html.H2(t("ind_title", lang)),
                    html.Span(t("ind_scope", lang), className="lr-asof"),
                    html.Div(
                        className="lr-export",
                        children=[
                            html.A(
                                t("export_csv", lang),
                                href=f"/api/v1/export/indicators.csv?lang={lang}",
                                id="export-csv",
                                download="",
                            ),
                            html.A(
                                t("export_xlsx", lang),
                                href=f"/api/v1/export/indicators.xlsx?lang={lang}",
                                id="export-xlsx",
                                download="",
                            ),
                            html.A(
                                t("export_history", lang),
                                href=f"/api/v1/export/indicators.csv?lang={lang}&history=1",
                                id="export-history",
                                download="",
                            ),
                        ],
                    ),
                ],
            ),
            html.Div(
                className="lr-pillars",
                children=[
                    html.Section(
                        className=f"lr-pillar lr-pillar-{p}",
                        id=f"pillar-{p}",
                        children=[
                            html.H3(t(f"pillar_{p}", lang), className="lr-pillar-title"),
                            html.Div(t("loading", lang), id=ids.pillar_body(p), className="lr-pillar-body"),
                            html.Div(
                                id=ids.pillar_opd(p), className="lr-pillar-opd"
                            ),  # drawn in the browser from opd-data
                        ],
                    )
                    for p in PILLARS
                ],
            ),
            dcc.Store(id=ids.PILLAR_OPDS, data=pillar_opds),
        ],
    )
