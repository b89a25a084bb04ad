"""The report list's query: the address's filters parsed (each refusal naming its field), and their SQL compiled
without a database."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from data_feeds.refusal import Kind, Refusal
from data_feeds.reports import categories, search
from data_feeds.reports.search import ReportQuery
from data_feeds.store import reports
from geodata import gazetteer

ROUTING = categories.load()
GZ = gazetteer.load()
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)


def parse(**args) -> ReportQuery:
    return ReportQuery.from_args(args, ROUTING, GZ)


def sql(query: ReportQuery, dialect=None) -> str:
    statement = select(reports.c.id).where(*query.conditions(ROUTING, NOW))
    return str(statement.compile(dialect=dialect or sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def test_no_filter_is_every_report():
    assert parse() == ReportQuery() and "WHERE" not in sql(parse())


def test_lists_are_comma_separated_and_trimmed():
    q = parse(status=" baru, diproses ,", category=next(iter(ROUTING.categories)))
    assert q.statuses == ("baru", "diproses") and len(q.categories) == 1
    assert "reports.status IN ('baru', 'diproses')" in sql(q)


@pytest.mark.parametrize(
    "field,value",
    [
        ("status", "hilang"),
        ("category", "bukan-kategori"),
        ("opd", "bukan-opd"),
        ("source", "bukan-sumber"),
        ("kecamatan", "Atlantis"),
        ("kelurahan", "Tidak Ada"),
        ("sla", "kadang"),
        ("q", "x" * 201),
        ("q", "ada\x00kontrol"),
        ("status", "baru," * 500),
    ],
)
def test_a_filter_not_understood_is_refused_by_its_field(field, value):
    with pytest.raises(Refusal) as refused:
        parse(**{field: value})
    assert refused.value.kind == Kind.INVALID and refused.value.errors[0]["field"] == field


def test_a_place_by_name_or_code():
    by_name = parse(kecamatan="Cipondoh")
    code = by_name.kecamatan[0]
    assert code in GZ.kecamatan and parse(kecamatan=code).kecamatan == (code,)
    assert f"reports.kode_kec IN ('{code}')" in sql(by_name)


def test_a_period_of_wib_days():
    q = parse(**{"from": "2026-12-01", "to": "2026-12-07"})
    assert (q.date_from, q.date_to) == (date(2026, 12, 1), date(2026, 12, 7))
    text = sql(q)
    assert "reports.reported_at >= '2026-11-30 17:00:00" in text  # midnight WIB is 17:00 UTC the day before
    assert "reports.reported_at < '2026-12-07 17:00:00" in text
    with pytest.raises(Refusal) as refused:
        parse(**{"from": "2026-12-07", "to": "2026-12-01"})
    assert refused.value.errors[0]["field"] == "to"


def test_an_sla_filter_reads_open_reports_only():
    text = sql(parse(sla="overdue"))
    assert "reports.status IN ('baru', 'diproses')" in text


def test_the_readers_scope_narrows_every_query():
    q = parse(status="baru").scoped("laksa", frozenset({"dpupr"}))
    text = sql(q)
    assert "reports.source = 'laksa'" in text and "reports.opd IN ('dpupr')" in text


def test_the_same_filters_compile_for_postgresql():
    text = sql(parse(status="baru", kecamatan="Cipondoh"), postgresql.dialect())
    assert "reports.status IN ('baru')" in text


def test_a_cursor_goes_round_and_a_forged_one_is_refused():
    row = {"reported_at": datetime(2026, 12, 7, 1, 2, 3, tzinfo=timezone.utc), "id": "01JABC"}
    at, rid = search.decode_cursor(search.encode_cursor(row))
    assert (at, rid) == (row["reported_at"], "01JABC") and search.decode_cursor(None) is None
    with pytest.raises(Refusal) as refused:
        search.decode_cursor("bukan-kursor")
    assert refused.value.errors[0]["field"] == "cursor"


@pytest.mark.parametrize("limit,ok", [("1", True), ("200", True), ("0", False), ("201", False), ("lima", False)])
def test_a_page_holds_one_to_two_hundred(limit, ok):
    if ok:
        assert search.page_limit({"limit": limit}) == int(limit)
    else:
        with pytest.raises(Refusal):
            search.page_limit({"limit": limit})


def test_search_words_are_lowercase_parts_at_most_twelve():
    assert search.fts_terms("LKS-2026-000123 Banjir") == ["lks", "2026", "000123", "banjir"]
    assert len(search.fts_terms(" ".join(f"w{i}" for i in range(20)))) == 12
