"""Numbers, dates, times and durations as the room reads them; the words table complete in both languages."""

from __future__ import annotations

import pytest

from data_feeds.i18n import (
    LANGS,
    STRINGS,
    browser_words,
    dropdown_labels,
    fmt_date,
    fmt_duration,
    fmt_int,
    fmt_pct,
    fmt_time,
    t,
)
from data_feeds.i18n import documents as document_words
from data_feeds.i18n import screens as screen_words


@pytest.mark.parametrize(
    "n,id_form,en_form",
    [(2130166, "2.130.166", "2,130,166"), (0, "0", "0"), (999, "999", "999"), (1000, "1.000", "1,000")],
)
def test_whole_numbers(n, id_form, en_form):
    assert (fmt_int(n), fmt_int(n, "en")) == (id_form, en_form)


@pytest.mark.parametrize(
    "day,id_form,en_form",
    [("2022-02-28", "28 Februari 2022", "28 February 2022"), ("2026-08-17", "17 Agustus 2026", "17 August 2026")],
)
def test_dates(day, id_form, en_form):
    assert (fmt_date(day), fmt_date(day, "en")) == (id_form, en_form)


@pytest.mark.parametrize("utc,wib", [("2026-11-23T17:05:09Z", "00:05"), ("2026-11-23T00:00:00Z", "07:00")])
def test_times_are_shown_in_wib(utc, wib):
    assert fmt_time(utc) == wib


@pytest.mark.parametrize(
    "seconds,id_form",
    [(40, "40 detik"), (3394, "56 menit"), (5100, "1 jam 25 menit"), (3600, "1 jam"), (183600, "2 hari 3 jam")],
)
def test_durations_fit_a_tile(seconds, id_form):
    assert fmt_duration(seconds) == id_form


def test_a_missing_figure_is_a_dash_not_a_zero():
    assert fmt_duration(None) == "–" and fmt_int(None) != "0"


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0, 1.234])
def test_shares_as_percentages(share):
    assert fmt_pct(share).endswith("%") and fmt_pct(share, "en").endswith("%")


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_word_in_both_languages(key):
    indonesian, english = STRINGS[key]
    assert indonesian.strip() and english.strip()
    # the same placeholders on both sides: a sentence never loses its figure in translation
    import string

    names = [{f for _, f, _, _ in string.Formatter().parse(s) if f} for s in (indonesian, english)]
    assert names[0] == names[1], key


def test_the_two_tables_share_no_key():
    assert not set(screen_words.WORDS) & set(document_words.WORDS)


@pytest.mark.parametrize("lang", LANGS)
def test_the_browser_and_the_dropdowns_get_words_in_each_language(lang):
    assert browser_words()[lang] and all(dropdown_labels(lang).values())
    assert t("status_baru", lang) == STRINGS["status_baru"][LANGS.index(lang)]
