"""The documents' pictures, drawn with matplotlib (Agg: no display) as PNG: an indicator's trend, an agency table's
bars, and the city's choropleth from the same boundaries, measures, classes and colours as the wall's map
(geodata.choropleth), numbers written the Indonesian way."""

from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from data_feeds.i18n import fmt_figure, fmt_int, t  # noqa: E402
from geodata import choropleth  # noqa: E402

INK, MUTED, GRID = "#1b2430", "#5a6472", "#d9dee6"
BARS = {"reports": "#3b528b", "resolved": "#2a9d5c", "overdue": "#c0392b"}
plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 8,
        "axes.edgecolor": GRID,
        "axes.labelcolor": INK,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=170, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def _numbers(lang: str, compact: bool = False) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: fmt_figure(v, lang, compact))


def trend(
    points: list[tuple[date, float]], unit: str, lang: str, target: float | None = None, compact: bool = False
) -> bytes:
    """An indicator's figures over time (each as-of date), with its target as a dashed line where it has one."""
    fig, ax = plt.subplots(figsize=(5.2, 1.55))
    days = [d for d, _ in points]
    values = [v for _, v in points]
    ax.plot(days, values, color="#21618c", marker="o", markersize=3, linewidth=1.4)
    if target is not None:
        ax.axhline(target, color=MUTED, linestyle="--", linewidth=0.9)
        ax.annotate(
            f"target {fmt_figure(target, lang, compact)}",
            (days[0], target),
            textcoords="offset points",
            xytext=(2, 3),
            color=MUTED,
            fontsize=7,
        )
    ax.yaxis.set_major_formatter(_numbers(lang, compact))
    ax.set_ylabel(unit, fontsize=7)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_ylim(bottom=0)
    fig.autofmt_xdate(rotation=0, ha="center")
    return _png(fig)


def handling(rows: list[dict], lang: str) -> bytes:
    """Per agency: reports filed, resolved and overdue in the period, as grouped bars."""
    names = [r["short"] for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(5.6, 0.35 + 0.32 * max(1, len(rows))))
    height = 0.26
    for k, key in enumerate(("reports", "resolved", "overdue")):
        ys = [i + (1 - k) * height for i in range(len(names))]
        values = [r[key] for r in rows][::-1]
        ax.barh(ys, values, height=height, color=BARS[key], label=t(f"pack_col_{key}", lang))
        for y, v in zip(ys, values, strict=True):
            ax.annotate(fmt_int(v, lang), (v, y), textcoords="offset points", xytext=(2, -2.5), fontsize=6, color=INK)
    ax.set_yticks(range(len(names)), names)
    ax.xaxis.set_major_formatter(_numbers(lang))
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return _png(fig)


def city_map(kecamatan, values: dict[str, float | None], measure: str, lang: str, demo: bool = False) -> bytes:
    """The city coloured by `measure` in the wall's fixed classes and colours; an area without a figure hatched
    grey ("no data", never zero); each kecamatan named; the legend as the wall's."""
    gdf = kecamatan.copy()
    classes = choropleth.classes(measure)

    def colour(code: str) -> str | None:
        v = values.get(code)
        if v is None:
            return None
        for low, high, c in classes:
            if (low is None or v >= low) and (high is None or v < high):
                return c
        return classes[-1][2]

    gdf["colour"] = [colour(code) for code in gdf["kode_kec"]]
    fig, ax = plt.subplots(figsize=(5.4, 4.3))
    known, missing = gdf[gdf["colour"].notna()], gdf[gdf["colour"].isna()]
    if len(known):
        known.plot(ax=ax, color=list(known["colour"]), edgecolor="white", linewidth=0.8)
    if len(missing):
        missing.plot(ax=ax, color="#d5d9df", edgecolor="white", linewidth=0.8, hatch="///")
    for _, row in gdf.iterrows():
        p = row.geometry.representative_point()
        v = values.get(row["kode_kec"])
        label = row["kecamatan"] + ("" if v is None else f"\n{fmt_figure(round(v, 1), lang)}")
        ax.annotate(
            label,
            (p.x, p.y),
            ha="center",
            va="center",
            fontsize=6.2,
            color=INK,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75, "linewidth": 0},
        )
    m = choropleth.MEASURES[measure]
    unit = m.unit_id if lang == "id" else m.unit_en
    handles = [
        Patch(
            facecolor=c,
            edgecolor="white",
            label=(
                f"< {fmt_int(high, lang)}"
                if low is None
                else f"≥ {fmt_int(low, lang)}"
                if high is None
                else f"{fmt_int(low, lang)} – {fmt_int(high, lang)}"
            )
            + (f" {unit}" if unit else ""),
        )
        for low, high, c in classes
    ]
    handles.append(Patch(facecolor="#d5d9df", hatch="///", edgecolor="white", label=t("no_data_area", lang)))
    ax.legend(
        handles=handles,
        fontsize=6.5,
        frameon=False,
        loc="lower left",
        title=m.label(lang) + (" (DEMO)" if demo else ""),
        title_fontsize=7,
    )
    ax.set_axis_off()
    return _png(fig)
