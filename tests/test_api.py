"""The native API: intake, lifecycle, read-back and health, and every kind of bad input."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from data_feeds.reports.repository import ReportRepository
from data_feeds.store import Store, outbox
from tests.helpers import post, report_payload, sign_in, store_counts


@pytest.mark.store
def test_post_report_is_committed_and_placed_from_coordinates(client, services, settings):
    resp = post(client, report_payload())
    assert resp.status_code == 201
    body = resp.get_json()
    assert resp.headers["Location"] == f"/api/v1/reports/{body['id']}"
    assert body["status"] == "baru"
    assert body["kecamatan"] == {"code": "36.71.07", "name": "Karawaci"}
    assert body["kelurahan"]["code"].startswith("36.71.07.")
    assert body["opd"]["code"] == "dpupr"  # jalan_rusak routes to DPUPR
    # Durable: a fresh connection to the same file sees it.
    fresh = Store(settings.database_url)
    row, events = ReportRepository(fresh).get_report(body["id"])
    assert row["title"] == "Jalan berlubang di depan pasar"
    assert [e["to_status"] for e in events] == ["baru"]
    fresh.dispose()


@pytest.mark.parametrize("reader", ["pimpinan", "key-without-personal-role"])
def test_get_report_hides_personal_data(client, services, reader):
    body = report_payload(reporter={"name": "Siti Aminah", "phone": "+62 812 1234 5678"})
    created = post(client, body).get_json()
    headers = {}
    if reader == "pimpinan":
        sign_in(client, services, "pimpinan")
    else:
        headers = {"X-API-Key": services.api_keys.create("laksa", roles=("report", "workflow"))[1]}
    got = client.get(f"/api/v1/reports/{created['id']}", headers=headers).get_json()
    text = json.dumps(got)
    # the phone's subscriber digits, not a 3-digit prefix that a millisecond timestamp can contain by chance
    assert "Siti" not in text and "1234 5678" not in text and "12345678" not in text and "reporter" not in got
    assert got["events"][0]["kind"] == "created"


def test_personal_role_reads_reporter(client):
    body = report_payload(reporter={"name": "Siti Aminah", "phone": "+62 812 1234 5678"})
    created = post(client, body).get_json()
    got = client.get(f"/api/v1/reports/{created['id']}").get_json()  # the laksa key has the personal role
    assert got["reporter"] == {"name": "Siti Aminah", "phone": "+62 812 1234 5678"}


@pytest.mark.store
def test_sender_id_makes_post_idempotent(client, services):
    first = post(client, report_payload(id="LKS-2026-0001"))
    before = store_counts(services)
    again = post(client, report_payload(id="LKS-2026-0001", title="retry with other text"))
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replay"] == "true"
    assert store_counts(services) == before
    other_source = post(
        client, report_payload(id="LKS-2026-0001", source="112"), headers={"X-API-Key": services.test_keys["112"]}
    )
    assert other_source.status_code == 201  # ids are the sender's own: another source may reuse one


def test_given_kecamatan_and_kelurahan_are_matched_tolerantly(client):
    body = post(client, report_payload(kecamatan="Karawaci", kelurahan="Sumur Pacing")).get_json()
    assert body["kelurahan"] == {"code": "36.71.07.1008", "name": "Sumur Pancing (Pacing)"}


BAD_INPUTS = [
    # (description, mutate(payload) -> payload, expected status, expected field, words in reason)
    ("missing title", lambda p: {k: v for k, v in p.items() if k != "title"}, 422, "title", "required"),
    ("missing lat", lambda p: {k: v for k, v in p.items() if k != "lat"}, 422, "lat", "required"),
    ("lat as string", lambda p: {**p, "lat": "-6.18"}, 422, "lat", "number"),
    ("lon as boolean", lambda p: {**p, "lon": True}, 422, "lon", "number"),
    ("title as number", lambda p: {**p, "title": 12345}, 422, "title", "string"),
    ("latitude out of range", lambda p: {**p, "lat": -96.0}, 422, "lat", "latitude"),
    ("outside the city", lambda p: {**p, "lat": -6.40, "lon": 106.63}, 422, "lat,lon", "km outside Kota Tangerang"),
    ("unknown category", lambda p: {**p, "category": "ufo"}, 422, "category", "unknown category"),
    (
        "another feed's source",
        lambda p: {**p, "source": "fax"},
        403,
        "source",
        "may only send reports for source 'laksa'",
    ),
    ("reported_at without offset", lambda p: {**p, "reported_at": "2026-11-23T08:00:00"}, 422, "reported_at", "offset"),
    (
        "reported_at in the future",
        lambda p: {**p, "reported_at": "2099-01-01T00:00:00+07:00"},
        422,
        "reported_at",
        "future",
    ),
    ("unknown field", lambda p: {**p, "latitude": -6.1}, 422, "latitude", "not a known field"),
    (
        "media not a URL",
        lambda p: {**p, "media": ["https://ok.example/a.jpg", "javascript:alert(1)"]},
        422,
        "media[1]",
        "URL",
    ),
    ("unknown kelurahan", lambda p: {**p, "kelurahan": "Atlantis"}, 422, "kelurahan", "unknown kelurahan"),
    ("unknown kecamatan", lambda p: {**p, "kecamatan": "Gotham"}, 422, "kecamatan", "unknown kecamatan"),
    ("bad phone", lambda p: {**p, "reporter": {"phone": "call me"}}, 422, "reporter.phone", "phone"),
    ("title too long", lambda p: {**p, "title": "x" * 201}, 422, "title", "at most 200"),
]


@pytest.mark.parametrize("what,mutate,status,field,words", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_report_is_refused_naming_field_and_store_unchanged(client, services, what, mutate, status, field, words):
    post(client, report_payload())  # something already stored
    before = store_counts(services)
    resp = post(client, mutate(report_payload()))
    assert resp.status_code == status
    err = resp.get_json()["error"]
    errors = err if isinstance(err, list) else [err]
    match = [e for e in errors if e["field"] == field]
    assert match, errors
    assert words.lower() in match[0]["reason"].lower()
    assert store_counts(services) == before


def test_outside_city_error_says_how_far_and_nearest_kecamatan(client):
    err = post(client, report_payload(lat=-6.40, lon=106.63)).get_json()["error"]
    assert "km outside" in err["reason"] and "nearest kecamatan" in err["reason"]
    km = float(err["reason"].split(" is ")[1].split(" km")[0])
    assert 10 < km < 30  # about 22 km south of the city's southern edge


@pytest.mark.parametrize(
    "raw,ctype,status,words",
    [
        (b'{"title": "unterminated', "application/json", 400, "not valid JSON"),
        (b"[1, 2, 3]", "application/json", 400, "JSON object"),
        (b"title=hello", "application/x-www-form-urlencoded", 415, "application/json"),
    ],
    ids=["malformed", "array", "form-encoded"],
)
def test_unparseable_body_is_refused(client, services, raw, ctype, status, words):
    before = store_counts(services)
    resp = client.post("/api/v1/reports", data=raw, content_type=ctype)
    assert resp.status_code == status
    assert resp.get_json()["error"]["field"] == "body"
    assert words in resp.get_json()["error"]["reason"]
    assert store_counts(services) == before


def test_too_large_body_is_refused(client, services, settings):
    before = store_counts(services)
    resp = post(client, report_payload(description="x" * (settings.max_body_bytes + 10)))
    assert resp.status_code == 413
    assert resp.get_json()["error"] == {"field": "body", "reason": f"is larger than {settings.max_body_bytes} bytes"}
    assert store_counts(services) == before


# -- lifecycle -----------------------------------------------------------------------------


def move(client, report_id, **body):
    return post(client, body, f"/api/v1/reports/{report_id}/status")


@pytest.mark.store
def test_lifecycle_baru_diproses_selesai_with_events(client, services):
    rid = post(client, report_payload(category="sampah")).get_json()["id"]
    r1 = move(client, rid, status="diproses", opd="dlh", actor="operator LIVE Room", note="diteruskan")
    assert r1.status_code == 200
    assert r1.get_json()["status"] == "diproses" and r1.get_json()["opd"]["code"] == "dlh"
    assert r1.get_json()["first_response_at"] is not None
    r2 = move(
        client,
        rid,
        status="selesai",
        evidence=["https://laksa.example/bukti/1.jpg", {"url": "https://laksa.example/v/2", "type": "video"}],
    )
    assert r2.status_code == 200 and r2.get_json()["status"] == "selesai"
    assert r2.get_json()["resolved_at"] is not None
    got = client.get(f"/api/v1/reports/{rid}").get_json()
    assert [(e["from"], e["to"]) for e in got["events"]] == [
        (None, "baru"),
        ("baru", "diproses"),
        ("diproses", "selesai"),
    ]
    assert got["events"][1]["actor"] == "operator LIVE Room"
    assert got["events"][2]["evidence"] == [
        {"url": "https://laksa.example/bukti/1.jpg", "type": "photo"},
        {"url": "https://laksa.example/v/2", "type": "video"},
    ]
    times = [e["at"] for e in got["events"]]
    assert times == sorted(times)
    with services.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(outbox).where(outbox.c.report_id == rid)).scalar_one() == 3


def test_diproses_defaults_to_category_opd(client):
    rid = post(client, report_payload(category="banjir")).get_json()["id"]
    assert move(client, rid, status="diproses").get_json()["opd"]["code"] == "bpbd"


@pytest.mark.store
@pytest.mark.parametrize(
    "setup,body,status,field,words",
    [
        (
            [],
            {"status": "selesai", "evidence": ["https://x.example/a.jpg"]},
            409,
            "status",
            "cannot move a report from baru to selesai",
        ),
        (["diproses"], {"status": "selesai"}, 422, "evidence", "photo or video"),
        (
            ["diproses"],
            {"status": "selesai", "evidence": ["https://x.example/doc"]},
            422,
            "evidence[0].type",
            "photo or video",
        ),
        (["diproses"], {"status": "selesai", "evidence": ["ftp://x.example/a.jpg"]}, 422, "evidence[0].url", "URL"),
        (["diproses", "selesai"], {"status": "baru"}, 409, "status", "from selesai to baru"),
        ([], {"status": "baru"}, 409, "status", "from baru to baru"),
        ([], {"status": "closed"}, 422, "status", "unknown status"),
        ([], {"status": "diproses", "opd": "nasa"}, 422, "opd", "unknown OPD"),
        ([], {"status": "diproses", "at": "2001-01-01T00:00:00+07:00"}, 422, "at", "before the report's last event"),
        ([], {"status": "diproses", "at": "2000-01-01T00:00:00+07:00"}, 422, "at", "before 2000"),
        ([], {}, 422, "status", "required"),
    ],
    ids=[
        "skip-diproses",
        "no-evidence",
        "evidence-untyped",
        "evidence-not-url",
        "back-to-baru",
        "same-status",
        "unknown-status",
        "unknown-opd",
        "before-last-event",
        "before-2000",
        "missing-status",
    ],
)
def test_illegal_status_changes_are_refused_and_change_nothing(client, services, setup, body, status, field, words):
    rid = post(client, report_payload()).get_json()["id"]
    for step in setup:
        extra = {"evidence": ["https://x.example/a.jpg"]} if step == "selesai" else {}
        assert move(client, rid, status=step, **extra).status_code == 200
    before_counts, before = store_counts(services), client.get(f"/api/v1/reports/{rid}").get_json()
    resp = move(client, rid, **body)
    assert resp.status_code == status
    err = resp.get_json()["error"]
    assert err["field"] == field and words in err["reason"]
    assert store_counts(services) == before_counts
    assert client.get(f"/api/v1/reports/{rid}").get_json() == before


def test_unknown_report_is_404(client):
    resp = move(client, "NOPE", status="diproses")
    assert resp.status_code == 404 and resp.get_json()["error"]["field"] == "id"
    assert client.get("/api/v1/reports/NOPE").status_code == 404


# -- health --------------------------------------------------------------------------------


def test_healthz_reports_store_redis_and_feed_ages(client):
    post(client, report_payload())
    doc = client.get("/healthz").get_json()
    assert doc["store"]["up"] is True and doc["redis"]["up"] is True
    assert doc["feeds"]["laksa"]["newest_item_at"] is not None
    assert 0 <= doc["feeds"]["laksa"]["age_s"] < 60 and doc["feeds"]["laksa"]["up"] is True
    assert doc["feeds"]["119"] == {
        "name": "Call center 119",
        "up": False,
        "newest_item_at": None,
        "age_s": None,
        "stale_after_s": 86400,
    }
    assert doc["status"] == "degraded"  # no live worker runs in this test: the room must say so


def test_healthz_and_intake_survive_a_dead_redis(settings):

    from app import create_app
    from data_feeds.runtime.embedded_redis import free_port
    from data_feeds.services import Services

    dead = settings.replace(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    svc = Services(dead)
    svc.store.create_schema()
    client = create_app(services=svc).server.test_client()
    resp = post(client, report_payload(), headers={"X-API-Key": svc.api_keys.create("laksa")[1]})
    assert resp.status_code == 201  # stored; the outbox holds its event until Redis is back
    doc = client.get("/healthz").get_json()
    assert doc["redis"]["up"] is False and doc["status"] == "degraded"
    assert doc["store"]["outbox_pending"] == 1
    sign_in(client, svc, "pimpinan")  # (the session lives in its cookie: no Redis needed to sign in)
    assert client.get("/").status_code == 200


# -- the full LAKSA lifecycle ---------------------------------------------------------------

LEGAL = [
    (["diproses"], {"status": "selesai", "evidence": ["https://x.example/a.jpg"]}, "selesai"),
    ([], {"status": "ditolak", "note": "bukan kewenangan Pemkot (jalan nasional)"}, "ditolak"),
    (["diproses"], {"status": "ditolak", "note": "laporan tidak valid"}, "ditolak"),
    (["diproses"], {"status": "diproses", "opd": "bpbd", "note": "dialihkan"}, "diproses"),
    (["diproses", "selesai"], {"status": "diproses", "note": "jalan berlubang lagi"}, "diproses"),
]


@pytest.mark.store
@pytest.mark.parametrize(
    "setup,body,expected", LEGAL, ids=["resolve", "refuse-new", "refuse-in-progress", "reassign", "reopen"]
)
def test_legal_lifecycle_moves(client, setup, body, expected):
    rid = post(client, report_payload()).get_json()["id"]
    for step in setup:
        extra = {"evidence": ["https://x.example/a.jpg"]} if step == "selesai" else {}
        assert move(client, rid, status=step, **extra).status_code == 200
    resp = move(client, rid, **body)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == expected
    last = client.get(f"/api/v1/reports/{rid}").get_json()["events"][-1]
    assert last["to"] == expected and last["note"] == body.get("note")


@pytest.mark.store
def test_reassign_changes_the_opd_and_records_it(client):
    rid = post(client, report_payload(category="jalan_rusak")).get_json()["id"]
    move(client, rid, status="diproses")
    resp = move(client, rid, status="diproses", opd="bpbd", actor="kepala LIVE Room")
    assert resp.get_json()["opd"]["code"] == "bpbd"
    events = client.get(f"/api/v1/reports/{rid}").get_json()["events"]
    assert [e["kind"] for e in events] == ["created", "status", "reassigned"]
    assert (events[1]["opd"], events[2]["opd"]) == ("dpupr", "bpbd")


@pytest.mark.store
def test_reopen_clears_resolution_and_keeps_first_response(client):
    rid = post(client, report_payload()).get_json()["id"]
    first = move(client, rid, status="diproses").get_json()["first_response_at"]
    assert move(client, rid, status="selesai", evidence=["https://x.example/a.jpg"]).get_json()["resolved_at"]
    reopened = move(client, rid, status="diproses", note="tambalan lepas lagi").get_json()
    assert reopened["resolved_at"] is None and reopened["first_response_at"] == first
    assert client.get(f"/api/v1/reports/{rid}").get_json()["events"][-1]["kind"] == "reopened"


@pytest.mark.store
def test_duplicate_points_at_the_original(client):
    original = post(client, report_payload(title="Pohon tumbang di Jl. Sudirman")).get_json()["id"]
    dup = post(client, report_payload(title="Ada pohon tumbang di Sudirman")).get_json()["id"]
    resp = move(client, dup, status="duplikat", duplicate_of=original)
    assert resp.status_code == 200 and resp.get_json()["duplicate_of"] == original
    assert original in client.get(f"/api/v1/reports/{dup}").get_json()["events"][-1]["note"]
    third = post(client, report_payload()).get_json()["id"]
    chained = move(client, third, status="duplikat", duplicate_of=dup)
    assert chained.status_code == 422 and original in chained.get_json()["error"]["reason"]  # points at the original


@pytest.mark.store
@pytest.mark.parametrize(
    "setup,body,status,field,words",
    [
        ([], {"status": "ditolak"}, 422, "note", "reason"),
        ([], {"status": "duplikat"}, 422, "duplicate_of", "original"),
        ([], {"status": "duplikat", "duplicate_of": "NOPE"}, 422, "duplicate_of", "no report"),
        (["diproses"], {"status": "diproses"}, 409, "opd", "another OPD"),
        (["diproses"], {"status": "diproses", "opd": "dpupr"}, 409, "opd", "another OPD"),
        (["diproses", "selesai"], {"status": "diproses"}, 422, "note", "reopening"),
        (["ditolak"], {"status": "diproses"}, 409, "status", "allowed from ditolak: none"),
        (["diproses", "selesai"], {"status": "ditolak", "note": "x"}, 409, "status", "from selesai to ditolak"),
    ],
    ids=[
        "refuse-without-reason",
        "duplicate-without-original",
        "duplicate-of-unknown",
        "reassign-without-opd",
        "reassign-to-same-opd",
        "reopen-without-note",
        "after-refusal",
        "refuse-resolved",
    ],
)
def test_illegal_lifecycle_moves_are_refused(client, services, setup, body, status, field, words):
    rid = post(client, report_payload(category="jalan_rusak")).get_json()["id"]
    for step in setup:
        extra = (
            {"evidence": ["https://x.example/a.jpg"]}
            if step == "selesai"
            else {"note": "alasan"}
            if step == "ditolak"
            else {}
        )
        assert move(client, rid, status=step, **extra).status_code == 200
    before = store_counts(services)
    resp = move(client, rid, **body)
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json()["error"]["field"] == field and words in resp.get_json()["error"]["reason"]
    assert store_counts(services) == before


def test_duplicate_of_itself_is_refused(client):
    rid = post(client, report_payload()).get_json()["id"]
    resp = move(client, rid, status="duplikat", duplicate_of=rid)
    assert resp.status_code == 422 and "itself" in resp.get_json()["error"]["reason"]


def test_an_older_database_gets_new_columns_added(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # a reports table from before duplicate_of existed
        conn.execute(
            "CREATE TABLE reports (id VARCHAR(32) PRIMARY KEY, source VARCHAR(40) NOT NULL, status VARCHAR(16) NOT "
            "NULL)"
        )
    store = Store(f"sqlite:///{path}")
    store.create_schema()
    with sqlite3.connect(path) as conn:
        cols = {row[1] for row in conn.execute("PRAGMA table_info(reports)")}
    assert "duplicate_of" in cols
    store.dispose()


def test_older_indicator_figures_gain_the_subject_column_as_empty(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # indicator_values from before subjects existed, with one figure
        conn.execute(
            "CREATE TABLE indicator_values (id INTEGER PRIMARY KEY, indicator VARCHAR(60) NOT NULL, place "
            "VARCHAR(20) NOT NULL,"
            " period VARCHAR(10) NOT NULL, measure VARCHAR(10) NOT NULL, as_of VARCHAR(10) NOT NULL, value FLOAT "
            "NOT NULL,"
            " source VARCHAR(300) NOT NULL, correction INTEGER NOT NULL, demo INTEGER NOT NULL, recorded_at "
            "DATETIME NOT NULL,"
            " recorded_by VARCHAR(120))"
        )
        conn.execute(
            "INSERT INTO indicator_values VALUES (1, 'tbc_cadres', '36.71', '', 'value', '2022-02-28', 5000, 'x', 0, 0,"
            " '2022-03-01 00:00:00', 'seed')"
        )
    store = Store(f"sqlite:///{path}")
    store.create_schema()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT subject FROM indicator_values").fetchall() == [("",)]
    store.dispose()


def test_one_outbox_poker_per_web_process(services):
    """The native API and Open311 wake the live worker through one poker thread, not one each."""
    import threading

    from app import create_app

    def pokers():
        return sum(t.name == "outbox-poker" for t in threading.enumerate())

    before = pokers()
    client = create_app(services=services).server.test_client()
    assert pokers() == before + 1
    assert post(client, report_payload(), headers={"X-API-Key": services.test_keys["laksa"]}).status_code == 201
    form = {"api_key": services.test_keys["laksa"], "service_code": "banjir", "lat": "-6.1805", "long": "106.6297"}
    assert client.post("/open311/v2/requests.json", data=form).status_code == 201
    assert pokers() == before + 1


def test_the_openapi_document_is_served_and_made_from_the_validating_models(client):
    from data_feeds.indicators.series import ObservationIn
    from data_feeds.reports.contract import ReportIn, StatusChangeIn

    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "/api/v1/reports/{report_id}/status" in doc["paths"]
    schemas = doc["components"]["schemas"]
    for model in (ReportIn, StatusChangeIn, ObservationIn):
        assert set(schemas[model.__name__]["properties"]) == set(
            model.model_fields
        )  # the models themselves, not a copy
    max_len = next(m.max_length for m in ReportIn.model_fields["title"].metadata if hasattr(m, "max_length"))
    assert schemas["ReportIn"]["properties"]["title"]["maxLength"] == max_len
    body = doc["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert (
        body == {"$ref": "#/components/schemas/ReportIn"}
        and "banjir" in schemas["ReportIn"]["properties"]["category"]["enum"]
    )


def test_a_status_change_names_the_report_by_the_sources_own_id_as_a_read_does(client, services):
    """Issue 28: GET /api/v1/reports/LKS-... worked while POST .../LKS-.../status was 404."""
    rid = post(client, report_payload(id="LKS-2026-004242")).get_json()["id"]
    moved = client.post("/api/v1/reports/LKS-2026-004242/status", json={"status": "diproses", "opd": "dpupr"})
    assert moved.status_code == 200 and moved.get_json()["id"] == rid and moved.get_json()["status"] == "diproses"
    other = services.api_keys.create("112", roles=("report", "workflow"))[1]  # another source's key: reads as none
    refused = client.post(
        "/api/v1/reports/LKS-2026-004242/status", json={"status": "selesai"}, headers={"X-API-Key": other}
    )
    assert refused.status_code == 404 and services.reports.get(rid)["status"] == "diproses"
