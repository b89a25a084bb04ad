"""Open311 GeoReport v2 conformance, written from the spec's text (wiki.open311.org/GeoReport_v2).

Every endpoint is exercised in both formats; XML and JSON must carry the same content.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import post, report_payload, store_counts, stored_report

FORMATS = ["xml", "json"]
BASE = "/open311/v2"


LIST_TAGS = {"services", "service_requests", "errors", "service_request_updates", "endpoints", "formats", "attributes"}


def _xml_to_py(el: ET.Element):
    children = list(el)
    if el.tag in LIST_TAGS:
        return [_xml_to_py(c) for c in children]
    if not children:
        return el.text
    return {c.tag: _xml_to_py(c) for c in children}


def _stringify(value):
    """JSON as XML would say it: every scalar a string, null/empty as None."""
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None or value == "" else str(value)


def call(client, method: str, path: str, fmt: str, **kwargs):
    """-> (status, body as plain data). Checks the content type the spec asks for."""
    resp = client.open(f"{BASE}/{path}.{fmt}", method=method, **kwargs)
    if fmt == "json":
        assert resp.content_type == "application/json; charset=utf-8"
        return resp.status_code, resp.get_json()
    assert resp.content_type == "text/xml; charset=utf-8"
    assert resp.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(resp.data)
    return resp.status_code, (root.tag, _xml_to_py(root))


def both(client, method: str, path: str, **kwargs):
    """Call in both formats; assert they carry the same content. -> (status, JSON body)."""
    status_j, body_j = call(client, method, path, "json", **kwargs)
    status_x, (_tag, body_x) = call(client, method, path, "xml", **kwargs)
    assert status_j == status_x
    if method == "GET":
        assert _stringify(body_j) == _stringify(body_x)
    return status_j, body_j


def assert_error(client, method, path, code, words, **kwargs):
    for fmt in FORMATS:
        status, body = call(client, method, path, fmt, **kwargs)
        assert status == code, body
        if fmt == "xml":
            tag, body = body
            assert tag == "errors"
        assert len(body) == 1 and str(body[0]["code"]) == str(code)
        assert words in body[0]["description"], body[0]["description"]


def form(services, **fields):
    base = {
        "api_key": services.test_keys["laksa"],
        "service_code": "sampah",
        "lat": "-6.1805",
        "long": "106.6297",
        "description": "Sampah menumpuk di pinggir jalan sejak Senin",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def create(client, services, fmt="json", **fields):
    status, body = call(client, "POST", "requests", fmt, data=form(services, **fields))
    assert status in (200, 201), body
    return body[0]["service_request_id"] if fmt == "json" else body[1][0]["service_request_id"]


# -- discovery and services -----------------------------------------------------------------


def test_discovery(client):
    status, body = both(client, "GET", "discovery")
    assert status == 200
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}


def test_services_are_the_routing_table(client, services):
    status, body = both(client, "GET", "services")
    assert status == 200
    assert [s["service_code"] for s in body] == list(services.routing.categories)
    banjir = next(s for s in body if s["service_code"] == "banjir")
    assert (
        banjir["service_name"] == "Banjir / genangan" and banjir["metadata"] is False and banjir["type"] == "realtime"
    )
    assert banjir["group"] == "BPBD" and "2 jam" in banjir["description"]


def test_service_definition_and_unknown_service(client):
    status, body = both(client, "GET", "services/sampah")
    assert status == 200 and body == {"service_code": "sampah", "attributes": []}
    assert_error(client, "GET", "services/ufo", 404, "service_code 'ufo' not found")


def test_unknown_jurisdiction_and_format(client):
    assert_error(
        client,
        "GET",
        "services",
        404,
        "jurisdiction_id 'sfgov.org' not found",
        query_string={"jurisdiction_id": "sfgov.org"},
    )
    assert both(client, "GET", "services", query_string={"jurisdiction_id": "tangerangkota.go.id"})[0] == 200
    resp = client.get(f"{BASE}/services.csv")
    assert resp.status_code == 400 and b"format must be xml or json" in resp.data


# -- POST requests --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_form_encoded(client, services, fmt):
    client.environ_base.pop("HTTP_X_API_KEY")  # Open311 sends the key as a form field
    rid = create(
        client,
        services,
        fmt,
        first_name="Budi",
        last_name="Santoso",
        phone="0812 3456 7890",
        media_url="https://laksa.example/foto/1.jpg",
    )
    stored = stored_report(services, rid)
    assert stored["source"] == "laksa" and stored["category"] == "sampah" and stored["status"] == "baru"
    assert stored["kecamatan"]["name"] == "Karawaci" and stored["opd"]["code"] == "dlh"
    assert stored["reporter"] == {"name": "Budi Santoso", "phone": "0812 3456 7890"}
    assert stored["media"] == ["https://laksa.example/foto/1.jpg"]
    status, (req,) = both(client, "GET", f"requests/{rid}", query_string={"api_key": services.test_keys["laksa"]})
    assert status == 200 and req["status"] == "open" and req["service_code"] == "sampah"
    assert req["agency_responsible"] == "Dinas Lingkungan Hidup" and "Karawaci" in req["address"]
    requested = datetime.fromisoformat(req["requested_datetime"])
    assert req["requested_datetime"].endswith("+07:00")  # ISO 8601 with the city's offset
    assert datetime.fromisoformat(req["expected_datetime"]) - requested == timedelta(hours=72)  # sampah's SLA
    assert "Budi" not in str(req) and "0812" not in str(req)  # public: no personal data


def test_post_by_address_string_and_address_id(client, services):
    rid = create(
        client, services, lat=None, long=None, address_string="Jl. Daan Mogot No. 1, Babakan, Tangerang, Kota Tangerang"
    )
    assert services.reports.get(rid)["kelurahan"]["name"] == "Babakan"
    rid = create(client, services, lat=None, long=None, address_id="36.71.13.1001")
    assert services.reports.get(rid)["kelurahan"]["code"] == "36.71.13.1001"


@pytest.mark.parametrize(
    "fields,code,words",
    [
        ({"api_key": None}, 403, "api_key: is required"),
        ({"api_key": "lr_nope_nope"}, 403, "api_key: is not a valid API key"),
        ({"service_code": None}, 400, "service_code was not provided"),
        ({"service_code": "ufo"}, 404, "service_code 'ufo' not found"),
        ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id 'sfgov.org' not found"),
        ({"lat": None, "long": None}, 400, "location was not provided"),
        ({"long": None}, 400, "long was not provided"),
        ({"lat": "south"}, 400, "lat,long: must be WGS84"),
        ({"lat": "-6.40", "long": "106.63"}, 400, "lat,long: (-6.4, 106.63) is"),
        ({"lat": None, "long": None, "address_string": "Jl. Entah Berantah 5"}, 400, "address_string: cannot place"),
        ({"lat": None, "long": None, "address_id": "99.99"}, 400, "address_id '99.99' is not"),
        ({"media_url": "ftp://x"}, 400, "media[0]: must be an http(s) URL"),
        ({"description": "x" * 4001}, 400, "at most 4,000 characters"),
    ],
    ids=[
        "no-key",
        "bad-key",
        "no-service",
        "unknown-service",
        "jurisdiction",
        "no-location",
        "lat-only",
        "lat-not-number",
        "outside-city",
        "address-unplaceable",
        "address-id-unknown",
        "media",
        "long-description",
    ],
)
def test_post_errors_name_the_problem_and_store_nothing(client, services, fields, code, words):
    client.environ_base.pop("HTTP_X_API_KEY")
    before = store_counts(services)
    assert_error(client, "POST", "requests", code, words, data=form(services, **fields))
    assert store_counts(services) == before


def test_revoked_key_and_key_without_report_role(client, services):
    client.environ_base.pop("HTTP_X_API_KEY")
    _row, reader = services.api_keys.create("laksa", roles=("personal",))
    assert_error(client, "POST", "requests", 403, "lacks the 'report' role", data=form(services, api_key=reader))
    row, key = services.api_keys.create("open311")
    services.api_keys.revoke(row["id"])
    assert_error(client, "POST", "requests", 403, "api_key: has been revoked", data=form(services, api_key=key))


@pytest.mark.store
def test_repeated_token_returns_the_original(client, services):
    status, first = call(client, "POST", "requests", "json", data=form(services, token="APP-77"))
    before = store_counts(services)
    status2, again = call(client, "POST", "requests", "json", data=form(services, token="APP-77", description="resent"))
    assert (status, status2) == (201, 200) and again[0]["service_request_id"] == first[0]["service_request_id"]
    assert store_counts(services) == before
    status, body = both(client, "GET", "tokens/APP-77")
    assert status == 200 and body == [{"service_request_id": first[0]["service_request_id"], "token": "APP-77"}]
    assert_error(client, "GET", "tokens/NOPE", 404, "token 'NOPE' not found")


# -- GET requests ---------------------------------------------------------------------------


def native(client, **overrides) -> str:
    resp = post(client, report_payload(**overrides))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def ids_of(body) -> list[str]:
    return [r["service_request_id"] for r in body]


@pytest.mark.store
def test_get_requests_filters(client, services):
    now = datetime.now(timezone.utc)
    a = native(client, category="sampah", reported_at=(now - timedelta(days=2)).isoformat())
    b = native(client, category="banjir", reported_at=(now - timedelta(days=10)).isoformat())
    c = native(client, category="sampah", reported_at=(now - timedelta(days=40)).isoformat())
    old = native(client, category="sampah", reported_at=(now - timedelta(days=100)).isoformat())
    post(client, {"status": "diproses"}, f"/api/v1/reports/{a}/status")
    post(client, {"status": "ditolak", "note": "bukan kewenangan Pemkot"}, f"/api/v1/reports/{b}/status")

    assert set(ids_of(both(client, "GET", "requests")[1])) == {a, b, c}  # default: the last 90 days
    assert ids_of(both(client, "GET", "requests")[1]) == [a, b, c]  # newest first
    assert set(ids_of(both(client, "GET", "requests", query_string={"service_code": "sampah"})[1])) == {a, c}
    assert set(ids_of(both(client, "GET", "requests", query_string={"service_code": "sampah,banjir"})[1])) == {a, b, c}
    assert set(ids_of(both(client, "GET", "requests", query_string={"status": "open"})[1])) == {a, c}
    assert ids_of(both(client, "GET", "requests", query_string={"status": "closed"})[1]) == [b]
    assert set(ids_of(both(client, "GET", "requests", query_string={"status": "open,closed"})[1])) == {a, b, c}
    window = {"start_date": (now - timedelta(days=45)).isoformat(), "end_date": (now - timedelta(days=5)).isoformat()}
    assert set(ids_of(both(client, "GET", "requests", query_string=window)[1])) == {b, c}
    since = {"start_date": (now - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")}  # start only: 90 days from it
    assert set(ids_of(both(client, "GET", "requests", query_string=since)[1])) == {c, old}
    until = {"end_date": (now - timedelta(days=30)).isoformat()}  # end only: the 90 days before it
    assert set(ids_of(both(client, "GET", "requests", query_string=until)[1])) == {c, old}
    # service_request_id overrides every other argument (old is outside the default window)
    listed = both(client, "GET", "requests", query_string={"service_request_id": f"{old},{a}", "status": "closed"})[1]
    assert set(ids_of(listed)) == {old, a}


@pytest.mark.parametrize(
    "query,words",
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "may not span more than 90 days"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "end_date is before start_date"),
        ({"start_date": "kemarin"}, "start_date must be a w3 date-time"),
        ({"end_date": "2026-06-01T00:00:00"}, "end_date must include a UTC offset"),
        ({"status": "pending"}, "status must be open or closed"),
        ({"service_code": "ufo"}, "service_code 'ufo' not found"),
    ],
)
def test_get_requests_refuses_bad_arguments(client, query, words):
    assert_error(client, "GET", "requests", 400, words, query_string=query)


@pytest.mark.store
def test_get_requests_returns_at_most_1000(client, services):
    now = datetime.now(timezone.utc)
    with ThreadPoolExecutor(16) as pool:  # concurrent submits share group commits
        list(
            pool.map(
                lambda i: services.reports.submit(
                    report_payload(title=f"Laporan {i}", reported_at=(now - timedelta(minutes=i)).isoformat())
                ),
                range(1003),
            )
        )
    for fmt in FORMATS:
        status, body = call(client, "GET", "requests", fmt)
        rows = body if fmt == "json" else body[1]
        assert status == 200 and len(rows) == 1000


def test_get_one_request_and_unknown_id(client, services):
    rid = native(client)
    status, body = both(client, "GET", f"requests/{rid}")
    assert status == 200 and ids_of(body) == [rid]
    assert_error(client, "GET", "requests/NOPE", 404, "service_request_id 'NOPE' not found")


@pytest.mark.parametrize("flag", ["true", "1", "yes"])
def test_extensions_flag_reads_the_same_on_every_route(client, flag):
    rid = native(client)
    one = client.get(f"/open311/v2/requests/{rid}.json?extensions={flag}").get_json()[0]
    listed = client.get(f"/open311/v2/requests.json?service_request_id={rid}&extensions={flag}").get_json()[0]
    assert one["extended_attributes"]["laksa_status"] == listed["extended_attributes"]["laksa_status"] == "baru"


# -- states and updates ---------------------------------------------------------------------


@pytest.mark.store
def test_laksa_states_map_to_open311_and_fixmystreet(client, services):
    evidence = "https://laksa.example/bukti/selesai.jpg"
    ids = {
        name: native(client, title=f"Laporan {name}") for name in ("baru", "diproses", "selesai", "ditolak", "duplikat")
    }
    move = lambda rid, **b: post(client, b, f"/api/v1/reports/{rid}/status")  # noqa: E731
    move(ids["diproses"], status="diproses")
    move(ids["selesai"], status="diproses")
    move(ids["selesai"], status="selesai", evidence=[evidence])
    move(ids["ditolak"], status="ditolak", note="Bukan kewenangan Pemkot")
    move(ids["duplikat"], status="duplikat", duplicate_of=ids["baru"])
    expect = {
        "baru": ("open", "open"),
        "diproses": ("open", "in_progress"),
        "selesai": ("closed", "fixed"),
        "ditolak": ("closed", "no_further_action"),
        "duplikat": ("closed", "duplicate"),
    }
    for name, (open311, fms) in expect.items():
        (req,) = both(client, "GET", f"requests/{ids[name]}", query_string={"extensions": "true"})[1]
        assert req["status"] == open311
        assert req["extended_attributes"]["fms_status"] == fms and req["extended_attributes"]["laksa_status"] == name
    (plain,) = both(client, "GET", f"requests/{ids['selesai']}")[1]
    assert "extended_attributes" not in plain and plain["media_url"] == evidence


@pytest.mark.store
def test_servicerequestupdates_give_closures_with_evidence(client, services):
    rid = native(client)
    evidence = "https://laksa.example/bukti/after.mp4"
    post(client, {"status": "diproses", "note": "Diteruskan ke DPUPR"}, f"/api/v1/reports/{rid}/status")
    post(
        client, {"status": "selesai", "evidence": [evidence], "note": "Sudah ditambal"}, f"/api/v1/reports/{rid}/status"
    )
    post(client, {"status": "diproses", "note": "Lubang muncul lagi"}, f"/api/v1/reports/{rid}/status")
    key = {"api_key": services.test_keys["laksa"]}
    status, updates = both(client, "GET", "servicerequestupdates", query_string=key)
    assert status == 200
    assert [(u["service_request_id"], u["status"], u["external_status_code"]) for u in updates] == [
        (rid, "in_progress", "diproses"),
        (rid, "fixed", "selesai"),
        (rid, "open", "diproses"),
    ]  # reopened: open again
    assert updates[1]["media_url"] == evidence and updates[1]["description"] == "Sudah ditambal"
    assert updates[0]["updated_datetime"].endswith("+07:00")
    other = {"api_key": services.test_keys["112"]}  # another source's key sees its own requests only
    assert both(client, "GET", "servicerequestupdates", query_string=other)[1] == []
    client.environ_base.pop("HTTP_X_API_KEY")
    assert_error(client, "GET", "servicerequestupdates", 403, "api_key: is required")


# -- public reads (issue 27: Open311 that real clients can read) ------------------------------------------------------


@pytest.fixture
def public_app(services):
    """The app with OPEN311_PUBLIC_SOURCE=laksa, and a 311 client that sends no key and no cookie when it reads (as
    the three PyPI clients the probe tried do)."""
    from app import create_app

    services.settings = services.settings.replace(open311_public_source="laksa", rate_limit_per_address="40/minute")
    return create_app(services=services)


def test_with_public_reads_on_a_client_without_a_key_reads_the_list_one_request_and_a_token(public_app, services):
    feed = public_app.server.test_client()
    citizen = public_app.server.test_client()  # no key, no cookie
    reporter = {"name": "Siti Aminah", "phone": "+62 812 1234 5678"}
    laksa = post(feed, report_payload(id="LKS-991", reporter=reporter), headers=_key(services, "laksa")).get_json()
    emergency = post(feed, report_payload(source="112"), headers=_key(services, "112")).get_json()
    for fmt in ("json", "xml"):
        status, body = call(citizen, "GET", "requests", fmt)
        rows = body if fmt == "json" else body[1]
        assert status == 200 and ids_of(rows) == [laksa["id"]]  # the 112 call is not a citizen's to read
        status, body = call(citizen, "GET", f"requests/{laksa['id']}", fmt)
        assert status == 200
        status, body = call(citizen, "GET", "tokens/LKS-991", fmt)
        assert status == 200
    text = citizen.get("/open311/v2/requests.json").get_data(as_text=True)
    assert "Siti" not in text and "812" not in text  # never the reporter
    assert call(citizen, "GET", f"requests/{emergency['id']}", "json")[0] == 404


def _key(services, source):
    return {"X-API-Key": services.test_keys[source]}


def test_public_reads_are_cached_and_counted_by_address(public_app, services):
    feed, citizen = public_app.server.test_client(), public_app.server.test_client()
    post(feed, report_payload(), headers=_key(services, "laksa"))
    first = citizen.get("/open311/v2/requests.json")
    assert first.headers["Cache-Control"] == "public, max-age=30" and len(first.get_json()) == 1
    post(feed, report_payload(title="Laporan kedua"), headers=_key(services, "laksa"))
    assert len(citizen.get("/open311/v2/requests.json").get_json()) == 1  # the same read: from the cache
    assert len(citizen.get("/open311/v2/requests.json?status=open").get_json()) == 2  # another read: fresh
    codes = [citizen.get(f"/open311/v2/requests.json?n={n}").status_code for n in range(40)]
    assert codes[-1] == 429  # anyone's reads count against their address


def test_public_reads_are_off_unless_the_settings_open_them(client, services):
    post(client, report_payload())
    anyone = client.application.test_client()
    anyone.environ_base.pop("HTTP_X_API_KEY", None)
    assert call(anyone, "GET", "requests", "json")[0] in (401, 403)
