"""Numbers, dates, times and durations as the room reads them."""

from data_feeds.i18n import fmt_date, fmt_duration, fmt_int, fmt_time, t
from tests.helpers import sign_in


def test_numbers_and_dates_the_indonesian_way():
    assert fmt_int(2130166) == "2.130.166" and fmt_int(2130166, "en") == "2,130,166"
    assert fmt_int(13.475) == "13,475"
    assert fmt_date("2022-02-28") == "28 Februari 2022" and fmt_date("2022-02-28", "en") == "28 February 2022"


def test_times_are_wib():
    assert fmt_time("2026-11-23T17:05:09Z") == "00:05"  # UTC+7
    assert fmt_time("2026-11-23T17:05:09Z", seconds=True) == "00:05:09"


def test_durations_fit_a_tile():
    assert fmt_duration(None) == "–"
    assert [fmt_duration(s) for s in (40, 3394, 5100, 3600, 183600)] == [
        "40 detik",
        "56 menit",
        "1 jam 25 menit",
        "1 jam",
        "2 hari 3 jam",
    ]
    assert fmt_duration(5100, "en") == "1 h 25 min"


def test_every_string_has_both_languages():
    from data_feeds.i18n import STRINGS

    assert all(len(pair) == 2 and all(pair) for pair in STRINGS.values())
    assert t("kpi_today", "id") == "Laporan hari ini" and t("kpi_today", "en") == "Reports today"


def test_indicator_figures_in_indonesian_and_english():
    from data_feeds.i18n import fmt_figure

    assert fmt_figure(1_062_235.0) == "1.062.235" and fmt_figure(92.6) == "92,6"
    assert (
        fmt_figure(1e12, "id", compact=True) == "1 triliun" and fmt_figure(1.5e12, "en", compact=True) == "1.5 trillion"
    )
    assert fmt_figure(None) == "–"


def test_the_browser_gets_its_words_from_the_one_source(client, services):
    """The ticker, OPD table and map tooltips draw with words from data_feeds/i18n, served as a script
    that the page loads before assets/liveroom.js; liveroom.js itself holds none of them."""
    import json
    import re

    from data_feeds import paths
    from data_feeds.i18n import BROWSER_KEYS, STRINGS, browser_words

    sign_in(client, services, "pimpinan")
    page = client.get("/").get_data(as_text=True)
    src = re.search(r'<script src="(' + re.escape(paths.WORDS_SCRIPT) + r'\?v=[0-9a-f]+)"', page).group(1)
    assert page.index(src) < page.index("liveroom.js")
    served = client.get(src)
    assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]
    body = served.get_data(as_text=True)
    assert body.startswith("window.liveroomWords = ")
    words_line, paths_line = body.strip().split("\n")
    words = json.loads(words_line.removeprefix("window.liveroomWords = ").rstrip(";"))
    # the app's addresses too, from their one home, so no script spells them itself
    assert json.loads(paths_line.removeprefix("window.liveroomPaths = ").rstrip(";")) == paths.for_browser()
    for script_name in ("liveroom.js", "report_browser.js", "kiosk.js", "live_link.js"):
        code = open(f"assets/{script_name}", encoding="utf-8").read()
        assert not any(f'"{address}' in code for address in ("/laporan", "/indikator", "/lang/", "/_liveroom")), (
            script_name
        )
    assert words == json.loads(json.dumps(browser_words()))
    assert words["id"]["sla_breached"] == "LEWAT SLA" and words["en"]["status_diproses"] == "In progress"
    assert words["units"]["id"] == ["hari", "jam", "menit", "detik"] and words["glyphs"]["selesai"] == "✓"
    assert (
        words["timezone"] == "Asia/Jakarta"
        and "Asia/Jakarta" not in open("assets/liveroom.js", encoding="utf-8").read()
    )
    script = open("assets/liveroom.js", encoding="utf-8").read()
    for key in BROWSER_KEYS:
        for text in STRINGS[key]:
            if len(text) > 4:  # words, not glyph-length fragments
                assert f'"{text}"' not in script, f"{key}: {text!r} is written again in liveroom.js"
