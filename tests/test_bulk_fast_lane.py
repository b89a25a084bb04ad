"""Bulk import's fast lane vouches only for rows the per-row path accepts, and builds them exactly as it does.

The per-row path (`Importer.check`: the contract's models, placement, the lifecycle) is the rule book; the fast
lane (`reports.bulk_fast_lane`) checks common rows a column at a time. Generated rows (plain ones, and ones with
every odd value a file can hold) go through both: whatever the fast lane accepts, the per-row path accepts with
the same report and the same events (only the new ids differ); whatever it doubts goes the per-row way.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from data_feeds.refusal import Refusal
from data_feeds.reports.batch import ReportColumns
from data_feeds.reports.bulk_fast_lane import FastLane
from data_feeds.reports.bulk_import import Importer, csv_row

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc)
HEADER = [
    "id",
    "source",
    "category",
    "title",
    "description",
    "lat",
    "lon",
    "address",
    "reporter_name",
    "reporter_phone",
    "reported_at",
    "status",
    "opd",
    "responded_at",
    "resolved_at",
    "evidence",
    "note",
    "actor",
]

ODD_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abc Z9-_.:")
        + ["\t", "\n", "\r", "\x00", "\x1b", "\x85", "\u200b", "\u202e", "\ufeff", "\u00a0", "é", "\u3000"]
    ),
    max_size=12,
)


MOMENTS = [
    "2026-10-01T01:00:00Z",
    "2026-10-01T08:00:00.123456+07:00",
    "2026-10-01T08:00+07:00",
    "2026-10-01",
    "2026-10-01 08:00:00+07:00",
    "2026-02-30T08:00:00+07:00",
    "1999-12-31T23:00:00Z",
    "2026-10-01T08:00:00+24:00",
    "2026-10-01T08:00:00-00:00",
    "2026-10-01T24:00:00Z",
    "2027-01-01T00:00:00Z",
    "2026-11-30T12:04:59+07:00",
    "2026-11-30T12:06:00+07:00",
    "",
    "2026-10-01T08:00:00.1234567+07:00",
    "1700000000",
    "2026-10-01t08:00:00z",
    "2026-10-03T08:00:00+07:00",
    "2026-09-30T08:00:00+07:00",
    "\u0662\u0660\u0662\u0666-10-01T08:00:00Z",
    "2026-10-01T08:00:00+07:00\n",
]
# Odd values a file's cells can hold, per column (each is also tried alone in a common row, below).
ODD = {
    "id": ["", "a b", "x" * 80, "x" * 81, "ok:1.2_3", "é1", "\u200bID"],
    "source": ["112", "", "unknown", "LAKSA"],
    "category": ["banjir", "jalan_rusak", "", "nope", "Sampah"],
    "title": ["ab", "abc", "x" * 200, "x" * 201, "a\tb", "a\x00b", "a\u202eb", "a\x85b", "a\u00a0b"],
    "description": ["", "baris\r\nbaru", "baris\nbaru", "y" * 5000, "y" * 5001, "a\x1bb", "\ufeffa"],
    "lat": ["-6,1805", "-6.2", "abc", "nan", "inf", "-91", "1e400", "", "-6.18.05", "-6_1805", "-5.0", "-6.1805e0"],
    "lon": ["106,6297", "106.65", "181", "-inf", "", "106.6297x", "120.0"],
    "address": ["Jl. Sudirman 1", "z" * 300, "z" * 301, "a\nb"],
    "reporter_name": ["Ani", "n" * 120, "n" * 121, "a\u200bb"],
    "reporter_phone": [
        "0812345678",
        "+62 812-345 (678)",
        "12345",
        "0812x",
        "1" * 32,
        "1" * 33,
        "+" + "1" * 31,
        "+" + "1" * 32,
    ],
    "reported_at": MOMENTS,
    "status": ["", "baru", "diproses", "selesai", "ditolak", "duplikat", "Selesai", "done"],
    "opd": ["", "dlh", "bpbd", "nope", "DLH", "x" * 41],
    "responded_at": MOMENTS,
    "resolved_at": MOMENTS,
    "evidence": [
        "",
        "https://laksa.example/a.jpg|https://x.example/v.mp4",
        "https://laksa.example/a.txt",
        "ftp://laksa.example/a.jpg",
        "http://a.jp",
        "/bukti/01ABC/0123456789abcdef0123456789abcdef.jpg",
        "/bukti/x/y.jpg",
        "https://laksa.example/a.jpg?size=1",
        "https://laksa.example/\u200ba.jpg",
        " ".join(["https://laksa.example/p.png"] * 20),
        " ".join(["https://laksa.example/p.png"] * 21),
        "https://laksa.example/" + "p" * 1974 + ".jpg",
        "https://laksa.example/" + "p" * 1975 + ".jpg",
        "https://laksa.example/a.JPG",
    ],
    "note": ["", "alasan\r\nbaris", "n" * 2000, "n" * 2001, "a\x07b"],
    "actor": ["", "a" * 120, "a" * 121, "a\u2066b"],
}
ODD_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abc Z9-_.:")
        + ["\t", "\n", "\r", "\x00", "\x1b", "\x85", "\u200b", "\u202e", "\ufeff", "\u00a0", "é", "\u3000"]
    ),
    max_size=12,
)
TIMES = st.datetimes(min_value=datetime(2026, 9, 1), max_value=datetime(2026, 12, 1)).map(
    lambda d: d.replace(microsecond=0).isoformat() + "+07:00"
)
GENERATED = {
    "id": st.integers(0, 10**6).map(lambda n: f"LKS-{n}"),
    "title": ODD_TEXT,
    "description": ODD_TEXT,
    "address": ODD_TEXT,
    "reporter_name": ODD_TEXT,
    "note": ODD_TEXT,
    "actor": ODD_TEXT,
    "reported_at": TIMES,
    "responded_at": TIMES,
    "resolved_at": TIMES,
}
PLAIN = {
    name: st.one_of(st.sampled_from(values), *([GENERATED[name]] if name in GENERATED else []))
    for name, values in ODD.items()
}

# A row the fast lane should take: each field from its common values.
COMMON = {
    "id": st.integers(0, 10**6).map(lambda n: f"LKS-{n}"),
    "source": st.just("laksa"),
    "category": st.sampled_from(["sampah", "banjir"]),
    "title": st.just("Sampah menumpuk di jalan"),
    "description": st.sampled_from(["", "Sudah tiga hari"]),
    "lat": st.sampled_from(["-6.1805", "-6.2"]),
    "lon": st.sampled_from(["106.6297", "106.65"]),
    "address": st.just(""),
    "reporter_name": st.just(""),
    "reporter_phone": st.just(""),
    "reported_at": st.just("2026-10-01T08:00:00+07:00"),
    "status": st.sampled_from(["baru", "diproses", "selesai", "ditolak"]),
    "opd": st.sampled_from(["", "dlh"]),
    "responded_at": st.just("2026-10-01T09:00:00+07:00"),
    "resolved_at": st.just("2026-10-02T10:00:00+07:00"),
    "evidence": st.just("https://laksa.example/a.jpg"),
    "note": st.just("Sudah diangkut"),
    "actor": st.just("Petugas"),
}


@st.composite
def mostly_common(draw) -> list[str]:
    """A common row with up to three of its cells given odd values (a row odd everywhere tells little)."""
    cells = {name: draw(COMMON[name]) for name in HEADER}
    for name in draw(st.lists(st.sampled_from(HEADER), max_size=3, unique=True)):
        cells[name] = draw(PLAIN[name])
    return [cells[name] for name in HEADER]


def rows_of(fields: dict | None) -> st.SearchStrategy[list[list[str]]]:
    row = (
        mostly_common() if fields is None else st.fixed_dictionaries(fields).map(lambda r: [r[name] for name in HEADER])
    )
    return st.lists(row, min_size=1, max_size=12)


def both_ways(services, cells_list: list[list[str]]):
    """-> (what the fast lane built per accepted position, the per-row path's outcome per position)."""
    records = [(n + 2, cells) for n, cells in enumerate(cells_list)]
    fast, doubted = FastLane(services.routing, services.reports.locator, HEADER, None, services.reports.sealer).split(
        records, NOW
    )
    slow = Importer(services.reports).check([(line, csv_row(HEADER, cells)) for line, cells in records], NOW)
    accepted = dict(zip(fast.lines, fast.columns.rows(), strict=True))
    assert sorted(set(accepted) | {records[i][0] for i in doubted}) == [line for line, _ in records]
    assert not set(accepted) & {records[i][0] for i in doubted}
    return accepted, dict(slow)


def without_ids(item: tuple[dict, list[dict]], sealer) -> tuple[dict, list[dict]]:
    """A built report as comparable: no ids, and the reporter as it opens (each seal has its own random IV)."""
    row, events = item
    return (
        {k: v for k, v in row.items() if k not in ("id", "reporter_sealed")} | {"reporter": sealer.reporter(row)},
        [{k: v for k, v in e.items() if k != "report_id"} for e in events],
    )


def assert_same_as_per_row(accepted: dict, slow: dict, sealer) -> None:
    for line, built in accepted.items():
        assert not isinstance(slow[line], Refusal), (
            f"line {line}: the fast lane took a row the rules refuse: {slow[line].errors}"
        )
        assert without_ids(built, sealer) == without_ids(slow[line], sealer), f"line {line} is built otherwise"


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells_list=rows_of(None))
def test_whatever_the_fast_lane_takes_the_rules_take_and_build_the_same(services, cells_list):
    accepted, slow = both_ways(services, cells_list)
    assert_same_as_per_row(accepted, slow, services.reports.sealer)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells_list=rows_of(PLAIN))
def test_rows_odd_everywhere_too(services, cells_list):
    accepted, slow = both_ways(services, cells_list)
    assert_same_as_per_row(accepted, slow, services.reports.sealer)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells_list=rows_of(COMMON))
def test_common_rows_all_go_the_fast_lane(services, cells_list):
    accepted, slow = both_ways(services, cells_list)
    assert len(accepted) == len(cells_list)  # (the per-row path would accept them: checked just below)
    assert_same_as_per_row(accepted, slow, services.reports.sealer)


@pytest.mark.parametrize("status", ["baru", "diproses", "selesai", "ditolak"])
def test_each_odd_value_alone_in_a_common_row(services, status):
    base = {
        "id": "LKS-1",
        "source": "laksa",
        "category": "sampah",
        "title": "Sampah menumpuk",
        "description": "",
        "lat": "-6.1805",
        "lon": "106.6297",
        "address": "",
        "reporter_name": "",
        "reporter_phone": "",
        "reported_at": "2026-10-01T08:00:00+07:00",
        "status": status,
        "opd": "dlh",
        "responded_at": "2026-10-01T09:00:00+07:00",
        "resolved_at": "2026-10-02T10:00:00+07:00",
        "evidence": "https://laksa.example/a.jpg",
        "note": "Sudah diangkut",
        "actor": "Petugas",
    }
    odd = [(name, value) for name, values in ODD.items() for value in values]
    cells_list = [[base[n] for n in HEADER]] + [
        [value if n == name else base[n] for n in HEADER] for name, value in odd
    ]
    for start in range(0, len(cells_list), 50):  # (ids repeat across rows: each row is judged alone here)
        accepted, slow = both_ways(services, cells_list[start : start + 50])
        assert_same_as_per_row(accepted, slow, services.reports.sealer)
        if start == 0:
            assert 2 in accepted  # the plain row itself goes the fast lane


def test_a_file_with_another_column_goes_the_per_row_way_whole(services):
    lane = FastLane(services.routing, services.reports.locator, HEADER + ["kecamatan"], None, services.reports.sealer)
    cells = ["LKS-1", "laksa", "sampah", "Sampah menumpuk", "", "-6.1805", "106.6297"] + [""] * 12
    fast, doubted = lane.split([(2, cells)], NOW)
    assert (len(fast.lines), doubted) == (0, [0])


def test_points_outside_the_city_and_short_rows_are_doubted(services):
    lane = FastLane(services.routing, services.reports.locator, HEADER, None, services.reports.sealer)
    inside = ["LKS-1", "laksa", "sampah", "Sampah menumpuk", "", "-6.1805", "106.6297"] + [""] * 11
    outside = ["LKS-2", "laksa", "sampah", "Sampah menumpuk", "", "-6.9", "107.6"] + [""] * 11
    fast, doubted = lane.split([(2, inside), (3, outside), (4, inside[:5])], NOW)
    assert fast.lines == [2] and doubted == [1, 2]
    assert fast.keys == [("laksa", "LKS-1")]


def test_columns_round_trip_as_rows():
    now = NOW
    rows = [
        ({"id": "A", "source": "laksa", "source_ref": None, "reported_at": now}, [{"kind": "created", "at": now}]),
        ({"id": "B", "source": "laksa", "source_ref": "x", "reported_at": now - timedelta(1)}, []),
    ]
    assert ReportColumns.from_items(rows).rows() == rows


@pytest.mark.parametrize("count", [0, 1, 1000])
def test_batch_ids_are_ulids_of_now(count):
    from ulid import ULID

    from data_feeds.reports.service import new_report_ids

    ids = new_report_ids(count)
    assert len(set(ids)) == count
    for rid in ids:
        assert (
            str(ULID.from_str(rid)) == rid
            and abs((ULID.from_str(rid).datetime - datetime.now(timezone.utc)).total_seconds()) < 60
        )


def test_rows_made_for_one_kind_of_store_are_refused_by_the_other(services):
    from data_feeds.reports.batch import DriverRows

    made_for_postgres = DriverRows(True, (("id",), [("A",)]), (("report_id",), []), [("A", "laksa", None)])
    with pytest.raises(ValueError, match="another kind of store"):
        services.reports.repository.insert_batch(made_for_postgres, NOW)
