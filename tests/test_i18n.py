"""Numbers, dates, times and durations as the room reads them."""
from layouts.i18n import fmt_date, fmt_duration, fmt_int, fmt_time, t


def test_numbers_and_dates_the_indonesian_way():
    assert fmt_int(2130166) == "2.130.166" and fmt_int(2130166, "en") == "2,130,166"
    assert fmt_int(13.475) == "13,475"
    assert fmt_date("2022-02-28") == "28 Februari 2022" and fmt_date("2022-02-28", "en") == "28 February 2022"


def test_times_are_wib():
    assert fmt_time("2026-11-23T17:05:09Z") == "00:05"  # UTC+7
    assert fmt_time("2026-11-23T17:05:09Z", seconds=True) == "00:05:09"


def test_durations_fit_a_tile():
    assert fmt_duration(None) == "–"
    assert [fmt_duration(s) for s in (40, 3394, 5100, 3600, 183600)] == ["40 detik", "56 menit", "1 jam 25 menit", "1 jam", "2 hari 3 jam"]
    assert fmt_duration(5100, "en") == "1 h 25 min"


def test_every_string_has_both_languages():
    from layouts.i18n import STRINGS
    assert all(len(pair) == 2 and all(pair) for pair in STRINGS.values())
    assert t("kpi_today", "id") == "Laporan hari ini" and t("kpi_today", "en") == "Reports today"


def test_indicator_figures_in_indonesian_and_english():
    from layouts.i18n import fmt_figure
    assert fmt_figure(1_062_235.0) == "1.062.235" and fmt_figure(92.6) == "92,6"
    assert fmt_figure(1e12, "id", compact=True) == "1 triliun" and fmt_figure(1.5e12, "en", compact=True) == "1.5 trillion"
    assert fmt_figure(None) == "–"
