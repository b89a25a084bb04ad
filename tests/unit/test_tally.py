"""The snapshot's pure tally: counts and first-response times per (OPD, area), summed for the city and for each
agency's view."""

from __future__ import annotations

from datetime import timedelta

from data_feeds.live.tally import kecamatan_counts, tally

KEC = ["36.71.01", "36.71.02"]
WINDOW = timedelta(days=7)


def counted():
    return tally(
        KEC,
        per_kec=[("36.71.01", "dpupr", "baru", 3), ("36.71.02", "dlh", "diproses", 2), (None, "dpupr", "baru", 1)],
        today_kec=[(("36.71.01", "dpupr"), 4), (("36.71.99", "dlh"), 1)],
        done_kec=[(("36.71.02", "dlh"), 5)],
        responded=[
            ("36.71.01", "dpupr", 60.0, True),
            ("36.71.01", "dpupr", 180.0, True),
            ("36.71.02", "dlh", 600.0, False),  # outside the tile's window
            ("36.71.02", "dlh", -5.0, True),  # a clock that ran backwards is no wait
        ],
        ttfr_window=WINDOW,
    )


def test_the_city_sums_every_area_and_the_unplaced():
    city = counted().kpis(None)["city"]
    assert (city["baru"], city["diproses"], city["today"], city["selesai_today"]) == (4, 2, 5, 5)
    assert city["ttfr_median_s"] == 120.0 and city["ttfr_n"] == 2 and city["ttfr_window_days"] == 7


def test_each_kecamatan_counts_its_own_and_an_unknown_one_only_the_city():
    kpi = counted().kpis(None)
    assert kpi["36.71.01"]["baru"] == 3 and kpi["36.71.01"]["today"] == 4
    assert kpi["36.71.02"]["selesai_today"] == 5 and kpi["36.71.02"]["ttfr_median_s"] is None
    assert set(kpi) == {"city", *KEC}


def test_an_agencys_view_counts_its_reports_only():
    own = counted().kpis(frozenset({"dlh"}))
    assert (own["city"]["baru"], own["city"]["diproses"], own["city"]["today"]) == (0, 2, 1)
    assert own["city"]["ttfr_n"] == 0


def test_the_maps_count_points():
    counts = kecamatan_counts(counted().kpis(None), KEC)
    assert counts == {
        "36.71.01": {"baru": 3, "diproses": 0, "selesai_today": 0},
        "36.71.02": {"baru": 0, "diproses": 2, "selesai_today": 5},
    }
