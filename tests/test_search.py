"""Finding reports: the filters of GET /api/v1/reports (and, later, the report browser and its exports), run in
the store with full-text search and keyset pages, on SQLite and PostgreSQL, in the reader's scope."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import at_kelurahan, post, report_payload, sign_in

pytestmark = pytest.mark.store


def ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.get_json()
    return [r["id"] for r in resp.get_json()["reports"]]


@pytest.fixture
def city(client):
    """Five reports across places, categories, agencies, times and one source id a citizen would quote."""
    now = datetime.now(timezone.utc)
    made = {}
    for key, body in {
        "road": report_payload(
            id="LKS-2026-000123",
            title="Jalan berlubang di depan pasar Karawaci",
            reported_at=(now - timedelta(hours=30)).isoformat(),
        ),  # DPUPR: past its 24 h response clock
        "flood": report_payload(
            category="banjir", title="Banjir setinggi lutut di perumahan", **at_kelurahan("36.71.05.1001")
        ),
        "trash": report_payload(
            category="sampah",
            title="Sampah menumpuk",
            description="Tumpukan sampah menyumbat saluran",
            reported_at=(now - timedelta(days=3)).isoformat(),
        ),
        "tree": report_payload(
            category="pohon_tumbang", title="Pohon tumbang menutup jalan", **at_kelurahan("36.71.02.1003")
        ),
        "old": report_payload(title="Jalan retak lama", reported_at="2026-10-02T03:00:00Z"),
    }.items():
        resp = post(client, body)
        assert resp.status_code == 201, resp.get_json()
        made[key] = resp.get_json()["id"]
    return made


def test_every_filter_narrows_in_the_store(client, city):
    get = lambda **args: ids(client.get("/api/v1/reports", query_string=args))  # noqa: E731 - the laksa key: all five are its
    assert set(get()) == set(city.values())
    assert get(category="banjir") == [city["flood"]]
    assert set(get(opd="dpupr")) == {city["road"], city["old"]}
    assert get(kecamatan="Cipondoh") == [city["flood"]] == get(kecamatan="36.71.05")
    assert get(kelurahan="36.71.02.1003") == [city["tree"]]
    assert get(source="laksa", category="pohon_tumbang") == [city["tree"]]
    assert get(**{"from": "2026-10-01", "to": "2026-10-02"}) == [city["old"]]
    assert city["old"] not in get(**{"from": "2026-11-01"})
    assert get(sla="overdue", opd="dpupr") == [city["road"], city["old"]]  # 30 h and weeks past a 24 h response clock
    assert city["flood"] not in get(sla="overdue")  # reported a moment ago, its 2 h clock running
    assert get(sla="soon") == []
    client.post(f"/api/v1/reports/{city['trash']}/status", json={"status": "ditolak", "note": "bukan kewenangan"})
    assert get(status="ditolak") == [city["trash"]] and city["trash"] not in get(status="baru,diproses")


def test_free_text_finds_words_prefixes_and_the_citizens_number(client, city):
    get = lambda q: ids(client.get("/api/v1/reports", query_string={"q": q}))  # noqa: E731
    assert get("banjir") == [city["flood"]]
    assert get("BANJ") == [city["flood"]]  # a prefix, any case
    assert get("saluran") == [city["trash"]]  # in the description
    assert set(get("jalan")) == {city["road"], city["tree"], city["old"]}
    assert get("jalan pasar") == [city["road"]]  # all words
    assert get("LKS-2026-000123") == [city["road"]]  # the id a citizen quotes on the phone
    assert get("tidak-ada-kata-ini") == []
    assert get('" OR 1=1 --') == []  # odd input is words, never syntax: answered, not an error
    assert client.get("/api/v1/reports", query_string={"q": '"*:()^-NEAR'}).status_code == 200


def test_pages_follow_a_cursor_without_gaps_or_repeats(client, city):
    seen, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/reports", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).get_json()
        seen += [r["id"] for r in page["reports"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(city.values()) and len(seen) == len(set(seen))
    full = ids(client.get("/api/v1/reports"))
    assert seen == full  # newest first, the same order a page at a time


@pytest.mark.parametrize(
    "args, field",
    [
        ({"status": "hilang"}, "status"),
        ({"kecamatan": "Atlantis"}, "kecamatan"),
        ({"from": "kemarin"}, "from"),
        ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
        ({"sla": "late"}, "sla"),
        ({"limit": "0"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"cursor": "not-ours"}, "cursor"),
        ({"q": "x" * 201}, "q"),
        ({"opd": "nasa"}, "opd"),
    ],
)
def test_a_filter_not_understood_is_a_422_naming_it(client, args, field):
    resp = client.get("/api/v1/reports", query_string=args)
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == field


def test_each_reader_lists_only_its_own(app, client, services, city):
    other = post(
        client,
        report_payload(source="112", title="Banjir dari 112", category="banjir"),
        headers={"X-API-Key": services.test_keys["112"]},
    ).get_json()["id"]
    assert other not in ids(client.get("/api/v1/reports"))  # the laksa key: its own source's
    assert ids(client.get("/api/v1/reports", headers={"X-API-Key": services.test_keys["112"]})) == [other]
    agency = app.server.test_client()
    sign_in(agency, services, "opd", opds=("bpbd",))
    assert set(ids(agency.get("/api/v1/reports"))) == {
        city["flood"],
        city["tree"],
        other,
    }  # BPBD's, whatever the source
    assert ids(agency.get("/api/v1/reports", query_string={"opd": "dpupr"})) == []  # asking for another's finds none
    assessor = app.server.test_client()
    sign_in(assessor, services, "penilai")
    assert assessor.get("/api/v1/reports").status_code == 403
    assert app.server.test_client().get("/api/v1/reports").status_code == 401


def test_personal_data_only_when_asked_by_a_reader_with_the_role_each_audited(client, services):
    rid = post(client, report_payload(reporter={"name": "Siti Aminah", "phone": "0812 1111 2222"})).get_json()["id"]
    plain = client.get("/api/v1/reports").get_json()["reports"][0]
    assert "reporter" not in plain
    asked = client.get("/api/v1/reports", query_string={"personal": "1"}).get_json()["reports"][0]
    assert asked["reporter"]["name"] == "Siti Aminah"
    rows = [r for r in services.store.audit_log() if r["action"] == "personal_read"]
    assert [(r["report_id"], r["outcome"]) for r in rows] == [(rid, "allowed")]
    lacking = client.get(
        "/api/v1/reports",
        query_string={"personal": "1"},
        headers={"X-API-Key": services.api_keys.create("laksa", roles=("report",))[1]},
    ).get_json()["reports"][0]
    assert "reporter" not in lacking


def test_the_text_index_covers_reports_stored_before_it_existed(settings):
    """An older database gets the index filled from its rows when the schema is brought up to date."""
    from sqlalchemy import text

    from data_feeds.services import Services

    svc = Services(settings)
    svc.store.create_schema()
    rid = svc.reports.submit(report_payload(title="Genangan air di underpass"))[0]["id"]
    with svc.store.writer.begin() as conn:  # as a database made before the index
        conn.execute(
            text("DROP TABLE reports_fts" if svc.store.is_sqlite else "ALTER TABLE reports DROP COLUMN search")
        )
    svc.store.create_schema()
    assert [r["id"] for r, _e in svc.reports.repository.search_reports([], ["underpass"], 10)] == [rid]


def test_the_planner_gets_fresh_statistics(services, city):
    """Without row statistics SQLite sorted every report of a common filter for one page; the live worker
    refreshes them at start and hourly (PostgreSQL's autovacuum keeps its own)."""
    services.store.refresh_statistics()
    if services.store.is_sqlite:
        with services.store.read() as conn:
            stats = {row[0] for row in conn.exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE tbl = 'reports'")}
        assert {"ix_reports_reported_at", "ix_reports_opd_reported_at"} <= stats


def test_a_report_opens_by_the_number_a_citizen_quotes(app, client, services, city):
    got = client.get("/api/v1/reports/LKS-2026-000123")
    assert (
        got.status_code == 200
        and got.get_json()["id"] == city["road"]
        and got.get_json()["source_id"] == "LKS-2026-000123"
    )
    assert client.get(f"/api/v1/reports/{city['road']}").get_json()["id"] == city["road"]
    assert client.get("/api/v1/reports/LKS-2026-999999").status_code == 404
    agency = app.server.test_client()
    sign_in(agency, services, "opd", opds=("bpbd",))
    assert agency.get("/api/v1/reports/LKS-2026-000123").status_code == 404  # DPUPR's: another agency's reads as none


def test_counts_agree_whether_words_are_listed_once_or_asked_row_by_row(services, city):
    from data_feeds.access.viewer import Viewer
    from data_feeds.reports.search import ReportQuery, arrived_since, fts_terms

    reader = Viewer("person", "t", "t", "pimpinan")
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    for q in ("jalan", "banjir", "LKS-2026-000123", "tidak-ada", "jal pas"):
        query = ReportQuery.from_args({"q": q}, services.routing, services.gazetteer)
        terms = fts_terms(q)
        conditions = services.reports._scoped_conditions(query, reader) + arrived_since(an_hour_ago)
        listed = services.reports.repository.count_reports_where(conditions, terms, None, few=False)
        per_row = services.reports.repository.count_reports_where(conditions, terms, None, few=True)
        assert listed == per_row == services.reports.count(query, reader, arrived_since=an_hour_ago), q
    # "arrived" leaves out what was reported long before, even if it was received just now (history imported)
    everything = ReportQuery.from_args({}, services.routing, services.gazetteer)
    # the three-day-old and the October reports are out; the one reported 30 h ago and received now is in
    assert services.reports.count(everything, reader, arrived_since=an_hour_ago) == 3
