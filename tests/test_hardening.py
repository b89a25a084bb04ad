"""What an attacker's probe found open, each closed (issue 11): key scopes, the audit, redirects, headers,
bad input that must be a 4xx and leave the store unchanged, stored values that must not break a reader,
spreadsheet formulas, and Open311 as real 311 clients speak it."""

from __future__ import annotations

import io
import json
import math
import os
import stat
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from data_feeds.store import audit_events, indicator_values, reports
from tests.helpers import data_feeds_cli, paired_screen, post, report_payload, sign_in, store_counts, stored_report


def key_for(services, source="", roles=("report",), opds=()):
    return {"X-API-Key": services.api_keys.create(source, roles=roles, opds=opds)[1]}


def move(client, rid, headers=None, **body):
    return post(client, body, f"/api/v1/reports/{rid}/status", headers=headers or {})


def audit_rows(services) -> list[dict]:
    with services.store.read() as conn:
        return [dict(r) for r in conn.execute(audit_events.select().order_by(audit_events.c.id)).mappings()]


# -- 1. a key acts only within its scope --------------------------------------------------------


@pytest.mark.store
def test_a_feed_key_moves_only_its_own_sources_reports(client, services):
    laksa_report = post(client, report_payload()).get_json()["id"]
    other = post(client, report_payload(source="112"), headers={"X-API-Key": services.test_keys["112"]}).get_json()[
        "id"
    ]
    before = store_counts(services)
    resp = move(client, other, status="diproses")  # the laksa key, workflow role, on a 112 report
    assert resp.status_code == 403 and resp.get_json()["error"]["field"] == "X-API-Key"
    assert "reports from source 'laksa'" in resp.get_json()["error"]["reason"]
    refuse = key_for(services, "112", roles=("report", "workflow"))
    resp = move(client, laksa_report, refuse, status="ditolak", note="bukan kewenangan")  # 112 rejecting a LAKSA report
    assert resp.status_code == 403 and "source '112'" in resp.get_json()["error"]["reason"]
    assert store_counts(services) == before
    assert move(client, other, refuse, status="diproses").status_code == 200  # its own: fine


@pytest.mark.store
def test_an_agency_key_acts_on_reports_routed_to_its_opd_whatever_their_source(client, services):
    dpupr = key_for(services, roles=("workflow",), opds=("dpupr",))
    road = post(client, report_payload(source="112"), headers={"X-API-Key": services.test_keys["112"]}).get_json()["id"]
    flood = post(client, report_payload(category="banjir")).get_json()["id"]  # routed to BPBD
    assert move(client, road, dpupr, status="diproses").status_code == 200  # jalan_rusak -> DPUPR, from 112
    event = services.reports.get(road)["events"][-1]  # the public shape
    assert event["actor"] == "OPD dpupr"
    refused = move(client, flood, dpupr, status="diproses")
    assert refused.status_code == 403 and "routed to dpupr" in refused.get_json()["error"]["reason"]
    # reassigned away (by the source's own key), it is no longer DPUPR's to move
    assert move(client, road, {"X-API-Key": _workflow_112(services)}, status="diproses", opd="dlh").status_code == 200
    assert move(client, road, dpupr, status="selesai", evidence=["https://x.example/a.jpg"]).status_code == 403


def _workflow_112(services) -> str:
    return services.api_keys.create("112", roles=("workflow",))[1]


def test_agency_keys_from_the_command_line(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)

    def cli(*args):
        return data_feeds_cli(env, "keys", *args)

    made = cli("create", "--opd", "dpupr", "--label", "SIM DPUPR")
    assert (
        made.returncode == 0 and made.stdout.strip().startswith("lr_") and "agency dpupr, roles workflow" in made.stderr
    )
    assert "opd:dpupr" in cli("list").stdout
    assert cli("create", "--opd", "nasa").returncode == 2
    both = cli("create", "laksa", "--opd", "dpupr")
    assert both.returncode == 2 and "either a feed key" in both.stderr
    assert cli("create", "--opd", "dpupr", "--role", "report").returncode == 2


def test_keys_are_a_source_or_an_agency_not_both(services):
    with pytest.raises(ValueError, match="either a feed key"):
        services.api_keys.create("laksa", roles=("workflow",), opds=("dpupr",))
    with pytest.raises(ValueError, match="sends no citizen reports"):
        services.api_keys.create("", roles=("report",), opds=("dpupr",))


@pytest.mark.store
def test_personal_data_only_of_the_keys_own_reports_and_every_read_audited(client, services):
    body = report_payload(reporter={"name": "Siti Aminah", "phone": "+62 812 1234 5678"})
    ours = post(client, body).get_json()["id"]
    theirs = post(client, {**body, "source": "112"}, headers={"X-API-Key": services.test_keys["112"]}).get_json()["id"]
    got = client.get(f"/api/v1/reports/{ours}", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert got.status_code == 200 and got.get_json()["reporter"]["name"] == "Siti Aminah"
    refused = client.get(f"/api/v1/reports/{theirs}")  # another feed's report reads as none
    assert refused.status_code == 404 and refused.get_json()["error"]["field"] == "id"
    assert "Siti" not in refused.get_data(as_text=True)
    assert client.get("/api/v1/reports/01NOSUCHREPORT0000000000000").status_code == 404
    assert client.get("/api/v1/reports/x%0A2026-11-30 forged entry").status_code == 404
    rows = audit_rows(services)
    key_id = services.test_keys["laksa"].split("_")[1]
    assert [(r["action"], r["outcome"], r["report_id"], r["actor"]) for r in rows] == [
        ("personal_read", "allowed", ours, key_id),
        ("personal_read", "refused", theirs, key_id),
    ]
    assert rows[0]["address"] == "10.9.8.7" and rows[0]["actor_kind"] == "key" and rows[0]["at"] is not None


def test_the_audit_is_listed_on_the_command_line_and_nowhere_else(tmp_path, redis_server):
    from app import create_app
    from data_feeds.services import Services
    from data_feeds.settings import Settings

    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    made = _checked(data_feeds_cli(env, "keys", "create", "laksa", "--role", "report", "--role", "personal"))
    key = made.stdout.strip().splitlines()[-1]
    svc = Services(
        Settings.from_env(
            data_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path / 'liveroom.db'}",
            redis_url=redis_server.url,
            demo=False,
        )
    )
    client = create_app(services=svc).server.test_client()
    rid = post(client, report_payload(reporter={"name": "Budi"}), headers={"X-API-Key": key}).get_json()["id"]
    assert client.get(f"/api/v1/reports/{rid}", headers={"X-API-Key": key}).status_code == 200
    listed = _checked(data_feeds_cli(env, "audit", "--since", "2000-01-01")).stdout
    assert f"personal_read allowed report {rid}" in listed and key.split("_")[1] in listed
    for public in (
        "/api/v1/export/indicators.csv",
        "/api/v1/export/indicators.csv?history=1",
        f"/api/v1/reports/{rid}",
    ):
        assert "personal_read" not in client.get(public).get_data(as_text=True)


@pytest.mark.parametrize("roles", [("indicators",), ("personal",)])
def test_servicerequestupdates_need_a_key_that_follows_requests(client, services, roles):
    resp = client.get(
        "/open311/v2/servicerequestupdates.json",
        query_string={"api_key": key_for(services, "laksa", roles)["X-API-Key"]},
    )
    assert resp.status_code == 403 and "api_key" in resp.get_json()[0]["description"]


@pytest.mark.store
def test_an_agency_follows_the_updates_of_its_opds_reports(client, services):
    road = post(client, report_payload()).get_json()["id"]
    flood = post(client, report_payload(category="banjir")).get_json()["id"]
    for rid in (road, flood):
        assert move(client, rid, status="diproses").status_code == 200
    dpupr = key_for(services, roles=("workflow",), opds=("dpupr",))["X-API-Key"]
    got = client.get("/open311/v2/servicerequestupdates.json", query_string={"api_key": dpupr}).get_json()
    assert {u["service_request_id"] for u in got} == {road}


# -- 3, 4. redirects, headers, the card, file modes ---------------------------------------------


@pytest.mark.parametrize(
    "target,expected",
    [
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\r\nSet-Cookie:x=1", "/"),
        ("/%0d%0a", "/%0d%0a"),
        ("javascript:alert(1)", "/"),
        ("/indikator", "/indikator"),
        (None, "/"),
    ],
)
def test_the_language_switch_returns_only_to_this_site(client, target, expected):
    resp = client.get("/lang/en", query_string={"next": target} if target else {})
    assert resp.status_code == 302 and resp.headers["Location"] == expected


@pytest.mark.parametrize("path", ["/", "/indikator", "/api/v1/live/markers", "/healthz", "/open311/v2/services.xml"])
def test_every_response_carries_the_security_headers(client, path):
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert (
        "frame-ancestors 'none'" in csp
        and "default-src 'self'" in csp
        and "'unsafe-eval'" not in csp
        and "''" not in csp
    )
    script_src = next(p for p in csp.split("; ") if p.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src  # Dash's start-up script, by its hash
    assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_every_inline_script_of_the_page_is_named_by_the_policy(client, services):
    import base64
    import hashlib
    import re

    sign_in(client, services, "pimpinan")
    resp = client.get("/")
    allowed = set(re.findall(r"'sha256-([^']+)'", resp.headers["Content-Security-Policy"]))
    html = re.sub(
        r"<!--.*?-->", "", resp.get_data(as_text=True), flags=re.S
    )  # (an IE-only conditional comment runs nowhere)
    inline = [
        m
        for m in re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", html, re.S)
        if m.strip()
    ]
    assert inline and all(base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() in allowed for s in inline)


def test_the_report_card_names_the_source_never_a_key(client, services):
    from layouts import report_card

    rid = post(client, report_payload()).get_json()["id"]
    assert move(client, rid, status="diproses").status_code == 200
    with services.store.write() as conn:  # an event written before the key id had its own column
        conn.exec_driver_sql("UPDATE report_events SET actor = 'laksa (key a3b095507e2f)' WHERE kind = 'created'")
    report = services.reports.get(rid)
    assert [e["actor"] for e in report["events"]] == ["laksa", "laksa"]
    assert "a3b095507e2f" not in json.dumps(report) and "(key" not in str(report_card.body(report, "id", "LAKSA"))


def test_the_store_is_readable_by_its_owner_only(settings, services):
    mode = stat.S_IMODE(os.stat(settings.database_url.split("///", 1)[1]).st_mode)
    assert mode == 0o600


# -- 7, 8. bad input: 4xx naming the field, store unchanged ------------------------------------

BAD_REPORTS = [
    (
        "infinity-lat",
        '{"source":"laksa","category":"banjir","title":"Banjir","lat":Infinity,"lon":106.63}',
        "lat",
        "finite",
    ),
    ("nan-lon", '{"source":"laksa","category":"banjir","title":"Banjir","lat":-6.18,"lon":NaN}', "lon", "finite"),
    ("huge-number", '{"source":"laksa","category":"banjir","title":"Banjir","lat":-6.18,"lon":1e999}', "lon", "finite"),
    ("nul-in-title", json.dumps(report_payload(title="Banjir\u0000besar")), "title", "U+0000"),
    ("esc-in-title", json.dumps(report_payload(title="Banjir \u001b[31m")), "title", "U+001B"),
    ("newline-in-title", json.dumps(report_payload(title="Banjir\nbesar")), "title", "U+000A"),
    ("c1-in-description", json.dumps(report_payload(description="air naik \u0085 lagi")), "description", "U+0085"),
    ("year-0001", json.dumps(report_payload(reported_at="0001-01-01T00:00:00+14:00")), "reported_at", "out of range"),
    ("year-9999", json.dumps(report_payload(reported_at="9999-12-31T23:59:59-14:00")), "reported_at", "out of range"),
    ("before-2000", json.dumps(report_payload(reported_at="1999-12-31T08:00:00+07:00")), "reported_at", "before 2000"),
    ("deep-nesting", '{"source":"laksa","reporter":' + "[" * 1000 + "]" * 1000 + "}", "body", "nested too deeply"),
    ("url-with-control", json.dumps(report_payload(media=["https://x.example/a\u0007.jpg"])), "media[0]", "U+0007"),
]


@pytest.mark.parametrize("raw,field,words", [b[1:] for b in BAD_REPORTS], ids=[b[0] for b in BAD_REPORTS])
def test_strange_reports_are_refused_by_field_and_store_nothing(client, services, raw, field, words):
    assert len(raw) < 64 * 1024
    before = store_counts(services)
    resp = client.post("/api/v1/reports", data=raw, content_type="application/json")
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)
    err = resp.get_json()["error"]
    err = err if isinstance(err, dict) else err[0]
    assert err["field"] == field and words in err["reason"], err
    assert store_counts(services) == before


def test_reordering_and_zero_width_characters_are_taken_out(client):
    title = "Banjir di \u202eKalideres\u202c\u200b dekat pasar"
    body = post(client, report_payload(title=title)).get_json()
    assert body["title"] == "Banjir di Kalideres dekat pasar"


def test_a_status_note_may_have_lines_and_tabs(client):
    rid = post(client, report_payload()).get_json()["id"]
    assert move(client, rid, status="diproses", note="Diteruskan.\r\n\tTim berangkat 09.00").status_code == 200
    assert client.get(f"/api/v1/reports/{rid}").get_json()["events"][-1]["note"] == "Diteruskan.\n\tTim berangkat 09.00"


BAD_FIGURES = [
    (
        "infinity",
        '{"indicator":"tbc_cadres","as_of":"2024-01-01","value":Infinity,"source":"Dinkes"}',
        "value",
        "finite",
    ),
    ("nan", '{"indicator":"tbc_cadres","as_of":"2024-01-01","value":NaN,"source":"Dinkes"}', "value", "finite"),
    (
        "before-2000",
        '{"indicator":"tbc_cadres","as_of":"1999-12-31","value":5,"source":"Dinkes"}',
        "as_of",
        "before 2000",
    ),
    (
        "escape-in-source",
        '{"indicator":"tbc_cadres","as_of":"2024-01-01","value":5,"source":"Din\\u001bkes"}',
        "source",
        "U+001B",
    ),
]


@pytest.mark.parametrize("raw,field,words", [b[1:] for b in BAD_FIGURES], ids=[b[0] for b in BAD_FIGURES])
def test_strange_figures_are_refused_by_field(client, services, raw, field, words):
    headers = key_for(services, "laksa", ("indicators",))
    before = len(services.indicators.series("tbc_cadres"))
    resp = client.post("/api/v1/indicators", data=raw, content_type="application/json", headers=headers)
    assert (
        resp.status_code == 422
        and resp.get_json()["error"]["field"] == field
        and words in resp.get_json()["error"]["reason"]
    )
    assert len(services.indicators.series("tbc_cadres")) == before


@pytest.mark.parametrize(
    "content,words",
    [
        ("indicator,as_of,value,source\ntbc_cadres,2024-01-01,5,Din\xe9kes\n".encode("latin-1"), "not UTF-8"),
        (b"indicator,as_of,value,source\ntbc_cadres,2024-01-01,inf,Dinkes\n", "finite"),
    ],
)
def test_an_unreadable_or_non_finite_upload_is_a_4xx(client, services, content, words):
    headers = key_for(services, "laksa", ("indicators",))
    resp = client.post(
        "/api/v1/indicators/import",
        headers=headers,
        data={"file": (io.BytesIO(content), "figures.csv")},
        content_type="multipart/form-data",
    )
    assert 400 <= resp.status_code < 500 and words in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "query,words",
    [
        ({"end_date": "0001-01-01T00:00:00Z"}, "end_date must lie between 2000"),
        ({"start_date": "9999-12-31T00:00:00Z"}, "start_date must lie between 2000"),
        ({"start_date": "9999-12-31T23:59:59-14:00"}, "start_date must lie between 2000"),
        ({"start_date": "1999-12-01"}, "start_date must lie between 2000"),
    ],
)
def test_open311_dates_out_of_any_range_are_400(client, query, words):
    for fmt in ("json", "xml"):
        resp = client.get(f"/open311/v2/requests.{fmt}", query_string=query)
        assert resp.status_code == 400 and words in resp.get_data(as_text=True)


@pytest.mark.store  # PostgreSQL refuses a NUL in a string: the request must never reach it
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/a%00b",
        "/open311/v2/requests/a%00b.json",
        "/open311/v2/tokens/%00.json",
        "/open311/v2/requests.json?service_request_id=%00,x",
        "/api/v1/indicators/tbc_cadres?place=%00",
    ],
)
def test_nul_in_a_path_or_query_is_no_5xx(client, path):
    assert client.get(path).status_code < 500


# -- 7. one stored value never breaks a screen or a feed ----------------------------------------


@pytest.mark.store
def test_a_stored_infinity_breaks_neither_api_nor_indicator_page(client, services):
    from callbacks.live import panel_outputs
    from data_feeds.clock import utcnow

    with services.store.write() as conn:  # as a figure sent before the check would have been stored
        conn.execute(
            indicator_values.insert(),
            dict(
                indicator="tbc_cadres",
                place="36.71",
                period="",
                measure="value",
                subject="",
                as_of="2024-06-01",
                value=math.inf,
                source="x",
                correction=0,
                demo=0,
                recorded_at=utcnow(),
                recorded_by="old",
            ),
        )
    resp = client.get("/api/v1/indicators/tbc_cadres")
    assert resp.status_code == 200 and json.loads(resp.get_data(as_text=True), parse_constant=pytest.fail)
    out = panel_outputs(services, None, None, "open", "/indikator", "id")
    json.dumps(out, default=lambda c: c.to_plotly_json(), allow_nan=False)  # what the browser receives must be JSON
    assert client.get("/api/v1/export/indicators.xlsx?history=1").status_code == 200


def test_a_stored_control_character_leaves_open311_xml_readable(client, services):
    rid = post(client, report_payload()).get_json()["id"]
    with services.store.write() as conn:  # as a title accepted before the check would have been stored
        conn.execute(reports.update().where(reports.c.id == rid).values(title="Banjir\x00\x1b[2J", description=""))
    resp = client.get("/open311/v2/requests.xml")
    root = ET.fromstring(resp.data)  # parses: the feed is still XML for every client
    assert resp.status_code == 200 and any("Banjir" in (d.text or "") for d in root.iter("description"))


# -- 9. exports carry no formulas --------------------------------------------------------------


def test_exports_neutralise_formulas_and_keep_numbers_numbers(client, services):
    headers = key_for(services, "laksa", ("indicators",))
    evil = '=HYPERLINK("http://evil.example","klik")'
    figure = {"indicator": "tbc_cadres", "as_of": "2024-01-01", "value": 5100, "source": evil}
    assert post(client, figure, "/api/v1/indicators", headers=headers).status_code == 201
    second = {**figure, "as_of": "2024-02-01", "value": 5200, "source": "=1+2+cmd|' /C calc'!A0"}
    assert post(client, second, "/api/v1/indicators", headers=headers).status_code == 201
    for form, sep in (("id", ";"), ("plain", ",")):
        csv_text = client.get(f"/api/v1/export/indicators.csv?history=1&format={form}").get_data(as_text=True)
        assert "'=HYPERLINK" in csv_text and "'=1+2+cmd" in csv_text and sep + "=" not in csv_text
    book = load_workbook(io.BytesIO(client.get("/api/v1/export/indicators.xlsx?history=1").data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    assert any(c.value == "'" + evil for c in cells)
    assert any(c.value == 5100 and c.data_type == "n" for c in cells)  # numbers stay numbers


# -- 10-13. Open311 as real clients speak it ---------------------------------------------------


@pytest.mark.parametrize(
    "path,fmt",
    [("nope.json", "json"), ("nope.xml", "xml"), ("", "xml"), ("requests/a/b.json", "json"), ("discovery", "xml")],
)
def test_unknown_open311_paths_are_the_specs_404(client, path, fmt):
    resp = client.get(f"/open311/v2/{path}")
    assert resp.status_code == 404
    if fmt == "json":
        assert resp.get_json()[0]["code"] == 404
    else:
        assert ET.fromstring(resp.data).tag == "errors"


@pytest.mark.store
def test_a_reassignment_stays_in_progress_and_names_the_new_agency(client, services):
    rid = post(client, report_payload()).get_json()["id"]
    move(client, rid, status="diproses")
    move(client, rid, status="diproses", opd="dlh", note="sampah, bukan jalan")
    updates = client.get(
        "/open311/v2/servicerequestupdates.json", query_string={"api_key": services.test_keys["laksa"]}
    ).get_json()
    assert updates[-1]["status"] == "in_progress"
    assert updates[-1]["description"] == "Dialihkan ke Dinas Lingkungan Hidup: sampah, bukan jalan"


def o311_update(client, key, rid, **fields):
    data = {
        "api_key": key,
        "service_request_id": rid,
        "update_id": "fms-1",
        "status": "OPEN",
        "updated_datetime": "2026-11-30T08:00:00+07:00",
        "description": "Masih ada lubang",
        **fields,
    }
    return client.post("/open311/v2/servicerequestupdates.json", data={k: v for k, v in data.items() if v is not None})


@pytest.mark.store
def test_a_311_comment_is_an_event_once_however_often_it_is_sent(client, services):
    key = services.test_keys["laksa"]
    rid = post(client, report_payload()).get_json()["id"]
    before = store_counts(services)
    first = o311_update(client, key, rid, media_url="https://fms.example/foto.jpg")
    again = o311_update(client, key, rid)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json() and first.get_json()[0]["update_id"].isdigit()
    events = client.get(f"/api/v1/reports/{rid}").get_json()["events"]
    assert [e["kind"] for e in events] == ["created", "comment"] and events[-1]["note"] == "Masih ada lubang"
    assert events[-1]["to"] == "baru" and events[-1]["evidence"][0]["url"] == "https://fms.example/foto.jpg"
    assert store_counts(services)[1] == before[1] + 1


@pytest.mark.store
def test_a_311_reopen_request_reopens_a_resolved_report(client, services):
    rid = post(client, report_payload()).get_json()["id"]
    move(client, rid, status="diproses")
    move(client, rid, status="selesai", evidence=["https://x.example/a.jpg"])
    assert o311_update(client, services.test_keys["laksa"], rid, status="REOPEN").status_code == 200
    report = client.get(f"/api/v1/reports/{rid}").get_json()
    assert report["status"] == "diproses" and report["events"][-1]["kind"] == "reopened"
    assert "Masih ada lubang" in report["events"][-1]["note"]


@pytest.mark.parametrize(
    "fields,code,words",
    [
        ({"description": None}, 400, "description was not provided"),
        ({"status": "MAYBE"}, 400, "status must be one of"),
        ({"update_id": "a b"}, 400, "update_id may only contain"),
        ({"service_request_id": "01NOSUCHREPORT0000000000000"}, 404, "not found"),
        ({"description": "ada \x00 nul"}, 400, "U+0000"),
        ({"api_key": "lr_x_y"}, 403, "api_key"),
    ],
)
def test_a_bad_311_update_is_refused_and_stores_nothing(client, services, fields, code, words):
    rid = post(client, report_payload()).get_json()["id"]
    before = store_counts(services)
    resp = o311_update(
        client, fields.pop("api_key", services.test_keys["laksa"]), fields.pop("service_request_id", rid), **fields
    )
    assert resp.status_code == code and words in resp.get_json()[0]["description"]
    assert store_counts(services) == before


def test_a_311_update_for_another_sources_request_is_refused(client, services):
    theirs = post(client, report_payload(source="112"), headers={"X-API-Key": services.test_keys["112"]}).get_json()[
        "id"
    ]
    before = store_counts(services)
    resp = o311_update(client, services.test_keys["laksa"], theirs)
    assert resp.status_code == 404  # another feed's request reads as none, as on every other door
    assert store_counts(services) == before


def test_open311_keeps_what_a_client_sends(client, services):
    form = {
        "api_key": services.test_keys["laksa"],
        "service_code": "sampah",
        "lat": "-6.1805",
        "long": "106.6297",
        "description": "Sampah menumpuk",
        "phone": "0812-3456-7890 ext. 12",
        "jurisdiction_id": "TangerangKota.go.id",
        "media_url": ["https://laksa.example/1.jpg", "https://laksa.example/2.jpg"],
    }
    resp = client.post("/open311/v2/requests.json", data=form)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    stored = stored_report(services, resp.get_json()[0]["service_request_id"])
    assert stored["reporter"]["phone"] == "0812-3456-7890"
    assert stored["media"] == ["https://laksa.example/1.jpg", "https://laksa.example/2.jpg"]
    listed = client.get(
        "/open311/v2/requests.json", query_string={"start_date": "2026-11-01", "jurisdiction_id": "TANGERANGKOTA.GO.ID"}
    )
    assert listed.status_code == 200


def _checked(done):
    """As subprocess.run(check=True): a command that failed stops the test with what it said."""
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "path", ["/api", "/api/", "/api/nope", "/api/v1/nope", "/api/v2/reports", "/open311", "/open311/nope"]
)
def test_an_unknown_address_under_a_machine_door_is_that_doors_404(app, path, method):
    """Issue 27 finding 9: /api/nope and unknown /open311/ paths answered 200 with the dashboard's page."""
    for http in (app.server.test_client(), fresh_signed_out(app)):
        resp = http.open(path, method=method)
        assert resp.status_code == 404 and "<html" not in resp.get_data(as_text=True).lower()
        if path.startswith("/api"):
            assert resp.get_json()["error"]["reason"].startswith("no such resource")
        else:
            assert b"<errors>" in resp.data and b"<code>404</code>" in resp.data


def test_open311_says_its_404_in_the_format_asked(app):
    resp = app.server.test_client().get("/open311/v3/requests.json")
    assert resp.status_code == 404 and resp.get_json()[0]["code"] == 404
    # the spec's own address space still answers as before
    assert app.server.test_client().get("/open311/v2/nope.json").status_code == 404


def fresh_signed_out(app):
    http = app.server.test_client()
    http.environ_base.pop("HTTP_X_API_KEY", None)
    return http


# -- issue 27, finding 4: a wall screen's credential and an indicators-only key read no reports in bulk ------------

BULK_DOORS = [
    "/api/v1/reports",
    "/api/v1/export/reports.csv",
    "/api/v1/export/reports.xlsx",
    "/open311/v2/requests.json",
]


def test_a_wall_screen_reads_its_wall_and_single_reports_but_nothing_in_bulk(app, client, services):
    """With only the 400-day lr_device cookie, the list, both exports, the Open311 list and the report browser
    answered with every report's description and exact place."""
    rid = post(client, report_payload(description="Lubang 1 meter di depan SDN 3")).get_json()["id"]
    screen = paired_screen(app, services)
    for door in BULK_DOORS:
        resp = screen.get(door)
        assert resp.status_code == 403 and b"SDN 3" not in resp.data, (door, resp.status_code)
    browser = screen.get("/laporan/_dash-layout").get_data(as_text=True)
    assert "bukan daftar laporan" in browser and "SDN 3" not in browser
    # what a wall needs still opens: its page, a report's page from the ticker, the report itself
    assert screen.get("/").status_code == 200
    assert screen.get(f"/laporan/{rid}").status_code == 200
    assert screen.get(f"/api/v1/reports/{rid}").status_code == 200
    assert screen.get(f"/open311/v2/requests/{rid}.json").status_code == 200


def test_an_indicators_only_key_reads_no_report(app, client, services):
    rid = post(client, report_payload(description="Lubang 1 meter di depan SDN 3")).get_json()["id"]
    key = services.api_keys.create("laksa", roles=("indicators",))[1]
    reader = app.server.test_client()
    reader.environ_base["HTTP_X_API_KEY"] = key
    for door in [*BULK_DOORS, f"/api/v1/reports/{rid}", f"/open311/v2/requests/{rid}.json"]:
        resp = reader.get(door)
        assert resp.status_code in (403, 404) and b"SDN 3" not in resp.data, (door, resp.status_code)
    assert reader.get("/api/v1/indicators/tbc_cadres").status_code == 200  # its own door still opens


# -- issue 27, finding 9 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", [1733500000, "1733500000", 1733500000.5])
def test_a_bare_unix_time_is_no_reported_at(client, services, when):
    before = store_counts(services)
    resp = post(client, report_payload(reported_at=when))
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "reported_at"
    assert store_counts(services) == before


def test_every_invisible_format_character_is_taken_out_and_a_line_separator_is_a_space(client):
    title = "Pohon\u00ad tumbang\u034f di \U000e0041jalan\u2028utama\u2066\u2069"
    body = post(client, report_payload(title=title, description="baris satu\u2029baris dua")).get_json()
    assert body["title"] == "Pohon tumbang di jalan utama" and body["description"] == "baris satu\nbaris dua"


def test_one_screen_cannot_flood_the_walls_own_doors(app, services):
    """A one-screen flood of /_dash-layout raised the wall's p95 from 77 ms to 1,041 ms."""
    services.settings = services.settings.replace(screen_page_limit="5/minute")
    screen = paired_screen(app, services)  # (its pairing loaded the page once: counted)
    codes = [screen.get("/_dash-layout").status_code for _ in range(6)]
    assert codes[:4] == [200] * 4 and codes[-1] == 429, codes
    assert "for this screen" in screen.get("/_dash-layout").get_json()["error"]["reason"]
    person = app.server.test_client()
    sign_in(person, services, "pimpinan")
    assert all(person.get("/_dash-layout").status_code == 200 for _ in range(8))  # people are not screens


def test_the_embedded_redis_chooses_another_port_when_its_own_is_taken(tmp_path):
    """Several instances starting at once on one machine: a free port chosen, then taken before the server bound it."""
    import socket

    from data_feeds.runtime.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(tmp_path / "redis")
    taken = server.port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        url = server.start()
        try:
            assert server.port != taken and url.endswith(f":{server.port}/0")
            import redis

            assert redis.Redis.from_url(url).ping()
        finally:
            server.stop()
