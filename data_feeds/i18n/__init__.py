"""Words and numbers as the room reads them: Bahasa Indonesia first, English on request.

The one source of the interface's words (the tables in screens.py and documents.py): the server renders with `t`,
and the browser's
drawing functions (assets/liveroom.js) get `browser_words()` from /_liveroom/words.js.
Numbers and dates go through Babel (2.130.166; 28 Februari 2022), times are shown in WIB.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from babel.dates import format_date, format_time
from babel.numbers import format_compact_decimal, format_decimal, format_percent

from data_feeds.clock import WIB
from data_feeds.i18n import documents, refusals, screens

LANGS = ("id", "en")
LOCALES = {"id": "id_ID", "en": "en_GB"}


STRINGS: dict[str, tuple[str, str]] = {**screens.WORDS, **documents.WORDS, **refusals.WORDS}
assert len(STRINGS) == len(screens.WORDS) + len(documents.WORDS) + len(refusals.WORDS), "a key is in two tables"

# A report's status is told by glyph and word, never by colour alone.
STATUS_GLYPHS = {"baru": "!", "diproses": "…", "selesai": "✓", "ditolak": "×", "duplikat": "="}

DURATION_UNITS = {"id": ("hari", "jam", "menit", "detik"), "en": ("d", "h", "min", "s")}


# The words the browser draws with (ticker, OPD table, map tooltips, the pillars' complaint tables).
BROWSER_KEYS = (
    "status_baru",
    "status_diproses",
    "status_selesai",
    "status_ditolak",
    "status_duplikat",
    "ticker_empty",
    "demo_tag",
    "sla_breached",
    "sla_soon",
    "opd_empty",
    "opd_note",
    "pillar_opd_area",
    "area_city",
    "area_kecamatan",
    "pillar_col_opd",
    "pillar_col_open",
    "pillar_col_breached",
    "pillar_col_resolution",
    "pillar_none",
    "kpi_ttfr_window",
    "no_data",
    "markers_capped",
    "updated",
    "live_ok",
    "live_redis_down",
    "live_worker_down",
    "feed_stale",
    "live_cut",
    "scene_peta",
    "scene_opd",
    "scene_vaksin",
    "scene_indikator",
    "scene_pinned",
    "clock_local",
    "data_age",
    "replay_banner",
    "replay_done",
    "replay_error",
    "replay_live",
    "replay_ttfr",
    "lb_bulk_none",
    "lb_bulk_some",
)


def browser_words() -> dict:
    """{"id": {key: text}, "en": {...}, "units": {lang: [day, hour, minute, second]}, "glyphs": {status: glyph},
    "timezone": the IANA name of WIB}."""
    words = {lang: {key: t(key, lang) for key in BROWSER_KEYS} for lang in LANGS}
    return {**words, "units": DURATION_UNITS, "glyphs": STATUS_GLYPHS, "timezone": WIB.key}


def dropdown_labels(lang: str) -> dict[str, str]:
    """What dcc.Dropdown says of its own ("2 selected", "Select All"), in the page's language (its `labels`)."""
    keys = {
        "select_all": "dd_select_all",
        "deselect_all": "dd_deselect_all",
        "selected_count": "dd_selected_count",
        "search": "dd_search",
        "clear_search": "dd_clear_search",
        "clear_selection": "dd_clear_selection",
        "no_options_found": "dd_no_options",
    }
    return {label: t(key, lang) for label, key in keys.items()}


def t(key: str, lang: str, **kwargs) -> str:
    text = STRINGS[key][1 if lang == "en" else 0]
    return text.format(**kwargs) if kwargs else text


def fmt_int(n: int | float | None, lang: str = "id") -> str:
    if n is None:
        return "–"
    if not math.isfinite(n) or abs(n) >= 1e21:  # beyond what Babel's decimal context formats: never a screen's error
        return f"{n:.3g}"
    return format_decimal(n, locale=LOCALES.get(lang, "id_ID"), decimal_quantization=False)


def fmt_figure(n: int | float | None, lang: str = "id", compact: bool = False) -> str:
    """An indicator figure: every digit (2.130.166; 92,6), or in words for money-sized ones (1 triliun)."""
    if n is None or not compact:
        return fmt_int(n, lang)
    return format_compact_decimal(n, format_type="long", locale=LOCALES.get(lang, "id_ID"), fraction_digits=1)


def fmt_date(value: str | date, lang: str = "id") -> str:
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(d, format="long", locale=LOCALES.get(lang, "id_ID"))


def fmt_time(value: str | datetime | None, lang: str = "id", seconds: bool = False) -> str:
    if value is None:
        return "–"
    dt = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return format_time(dt.astimezone(WIB), "HH:mm:ss" if seconds else "HH:mm", locale=LOCALES.get(lang, "id_ID"))


def fmt_pct(share: float | None, lang: str = "id") -> str:
    """110,5 % (Babel's percent format for the locale, one decimal)."""
    if share is None:
        return "–"
    if not math.isfinite(share) or abs(share) >= 1e18:
        return f"{share * 100:.3g} %"
    return format_percent(share, format="#,##0.0 %", locale=LOCALES.get(lang, "id_ID"))


def population_period(label: str | None, lang: str = "id") -> str:
    """The population table's reference period, in the reader's language."""
    label = label or ""
    if m := re.match(r"mid-(\d{4}) \(BPS projection\)", label):
        return f"proyeksi BPS pertengahan {m[1]}" if lang == "id" else f"BPS projection, mid-{m[1]}"
    if m := re.match(r"SP(\d{4})", label):
        return f"Sensus Penduduk {m[1]}" if lang == "id" else f"{m[1]} census"
    return label


def fmt_datetime(value: str | datetime | None, lang: str = "id") -> str:
    """'23 Nov 2026 08.30' in WIB: for a report's own times, which may be days old."""
    if value is None:
        return "–"
    dt = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    local = dt.astimezone(WIB)
    return f"{format_date(local, format='medium', locale=LOCALES.get(lang, 'id_ID'))} {fmt_time(local, lang)}"


def fmt_duration(seconds: float | None, lang: str = "id") -> str:
    """Short enough for a tile: '2 hari 3 jam', '1 jam 25 menit', '56 menit', '40 detik'.
    assets/liveroom.js `duration` writes the same form in the browser (the OPD table)."""
    if seconds is None:
        return "–"
    d_, h_, m_, s_ = DURATION_UNITS.get(lang, DURATION_UNITS["id"])
    total = int(round(seconds))
    days, hours, minutes = total // 86400, total % 86400 // 3600, total % 3600 // 60
    if days:
        parts = [(days, d_), (hours, h_)]
    elif hours:
        parts = [(hours, h_), (minutes, m_)]
    elif minutes:
        parts = [(minutes, m_)]
    else:
        parts = [(total, s_)]
    return " ".join(f"{v} {u}" for v, u in parts if v or len(parts) == 1)


def _param(name: str, value, lang: str):
    """A refusal's parameter as a person reads it: a status in the page's words, a count the page's way."""
    if name.endswith("_status") and f"status_{value}" in STRINGS:
        return t(f"status_{value}", lang)
    if isinstance(value, int) and not isinstance(value, bool):
        return fmt_int(value, lang)
    return value


def refusal_text(problems: list[dict], lang: str) -> str:
    """A refusal's problems (Refusal.errors) as a person reads them in `lang`: by the words the domain named (a
    parameter named *_status is a status, said in the page's words), else by the field's label, else in general."""
    said = []
    for problem in problems:
        if problem.get("words") in STRINGS:
            params = {k: _param(k, v, lang) for k, v in (problem.get("params") or {}).items()}
            said.append(t(problem["words"], lang, **params))
        elif problem.get("field") in refusals.FIELD_LABELS:
            said.append(t("refusal_field", lang, field=t(refusals.FIELD_LABELS[problem["field"]], lang)))
        else:
            said.append(t("refusal_generic", lang))
    return "; ".join(dict.fromkeys(said)) or t("refusal_generic", lang)
