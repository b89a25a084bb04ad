"""Issue 28, item 3: the queue. Open reports in the reader's scope by the nearest SLA due time (overdue first), in
the API (`GET /api/v1/reports?order=due`, keyset pages) and on /antrian with its counts; bulk actions on ticked
rows, each checked, evented and audited on its own; assignment inside the agency; internal notes never public."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from data_feeds.access.people import People
from data_feeds.i18n import fmt_duration
from tests.helpers import call_callback, csrf_headers, person, post, report_payload, store_counts

pytestmark = pytest.mark.store

NOW = datetime.now(timezone.utc)


def filed(client, hours_ago: float, category: str = "jalan_rusak", **kw) -> dict:
    body = report_payload(category=category, reported_at=(NOW - timedelta(hours=hours_ago)).isoformat(), **kw)
    resp = post(client, body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


@pytest.fixture
def backlog(client):
    """Road reports (DPUPR: 24 h to respond, 14 days to resolve) of several ages, a flood (2 h), one closed."""
    made = {
        "fresh": filed(client, 1),  # due in 23 h
        "late": filed(client, 30),  # response 6 h overdue
        "later": filed(client, 50),  # 26 h overdue
        "soon": filed(client, 22.5),  # due in 1.5 h
        "flood": filed(client, 0.5, "banjir"),  # BPBD, due in 1.5 h... its own agency
        "closed": filed(client, 40),
    }
    client.post(
        f"/api/v1/reports/{made['closed']['id']}/status", json={"status": "ditolak", "note": "bukan kewenangan"}
    )
    return made


def due_of(report: dict) -> str:
    return report["sla"]["next_due"]


def test_order_due_lists_open_reports_nearest_due_first_in_keyset_pages(client, backlog):
    got, cursor, pages = [], None, 0
    while pages < 10:
        args = {"order": "due", "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/reports", query_string=args).get_json()
        got += body["reports"]
        cursor, pages = body["next_cursor"], pages + 1
        if not cursor:
            break
    assert pages == 3 and len(got) == 5 and len({r["id"] for r in got}) == 5
    assert backlog["closed"]["id"] not in {r["id"] for r in got}  # closed: no clock runs
    assert [due_of(r) for r in got] == sorted(due_of(r) for r in got)
    assert got[0]["id"] == backlog["later"]["id"] and got[-1]["id"] == backlog["fresh"]["id"]
    assert body["filters"] == {"order": "due"}


def test_order_and_its_cursor_are_checked(client, backlog):
    bad = client.get("/api/v1/reports", query_string={"order": "oldest"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "order"
    newest_cursor = client.get("/api/v1/reports", query_string={"limit": 1}).get_json()["next_cursor"]
    mixed = client.get("/api/v1/reports", query_string={"order": "due", "cursor": newest_cursor})
    assert mixed.status_code == 422 and mixed.get_json()["error"]["field"] == "cursor"


def counts(page: str) -> dict[str, str]:
    return dict(re.findall(r'id="q-count-([a-z_]+)"><strong>([^<]+)<', page))


def rows(page: str) -> list[str]:
    return re.findall(r'<tr class="lr-q-row[^"]*" data-report-id="([^"]+)"', page)


def test_an_agency_head_sees_their_open_reports_by_due_time_with_the_counts(app, services, backlog):
    http, _ = person(app, services, "opd", opds=("dpupr",))
    resp = http.get("/antrian")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'lang="id"' in page
    order = [backlog[k]["id"] for k in ("later", "late", "soon", "fresh")]
    assert rows(page) == order  # the flood is BPBD's; the refused one is closed
    assert counts(page) == {"overdue": "2", "two_hours": "1", "today": counts(page)["today"]}
    assert "lewat 1 hari 2 jam" in page  # said, not a timestamp to work out
    http.get("/lang/en")
    english = http.get("/antrian").get_data(as_text=True)
    assert f"{fmt_duration(26 * 3600, 'en')} overdue" in english and "lewat" not in english


def test_the_queue_is_refused_in_words_to_every_role_that_does_not_work_reports(app, services, backlog):
    for role in ("penilai", "admin", "screen"):
        http, _ = person(app, services, role)
        for resp in (http.get("/antrian"), http.post("/antrian", data={"aksi": "forward", "pilih": "x"})):
            text = resp.get_data(as_text=True)
            assert resp.status_code in (400, 403), (role, resp.status_code)
            assert backlog["late"]["id"] not in text and backlog["late"]["title"] not in text
        assert "tidak menangani laporan" in http.get("/antrian").get_data(as_text=True)
    anonymous = app.server.test_client()
    assert anonymous.get("/antrian").status_code in (302, 303, 401)
    before = store_counts(services)
    assert anonymous.post("/antrian", data={"aksi": "forward", "pilih": backlog["late"]["id"]}).status_code in (
        302,
        303,
        400,
        401,
        403,
    )
    assert store_counts(services) == before


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def bulk(http, action: str, refs: list[str], **fields):
    page = http.get("/antrian").get_data(as_text=True)
    data = {"csrf_token": token(page), "aksi": action, "pilih": refs, **{f"{action}.{k}": v for k, v in fields.items()}}
    return http.post("/antrian", data=data)


def test_bulk_start_of_twenty_with_one_moved_to_another_agency_says_which(app, client, services):
    made = [filed(client, 2 + k * 0.1) for k in range(20)]
    http, _ = person(app, services, "opd", opds=("dpupr",))
    page = http.get("/antrian").get_data(as_text=True)
    refs = [r["human_id"] for r in made]
    # between the page and the click, the room reassigns one to DLH
    moved = made[7]
    client.post(f"/api/v1/reports/{moved['id']}/status", json={"status": "diproses", "opd": "dlh"})
    data = {"csrf_token": token(page), "aksi": "process", "pilih": refs}
    done = http.post("/antrian", data=data)
    assert done.status_code == 303 and "/antrian?hasil=" in done.headers["Location"]
    shown = http.get(done.headers["Location"]).get_data(as_text=True)
    outcome = re.search(r'<section class="lr-q-outcome".*?</section>', shown, re.S).group(0)
    assert "Mulai proses: 19 laporan tersimpan." in outcome and "1 laporan ditolak" in outcome
    assert re.findall(r"<li><a href=\"/laporan/([^\"]+)\">[^<]+</a>: ([^<]+)</li>", outcome) == [
        (moved["human_id"], "laporan tidak ditemukan")
    ]
    states = {r["id"]: services.reports.get(r["id"])["status"] for r in made}
    assert [states[r["id"]] for r in made].count("diproses") == 20  # (the moved one by the room, not by this)
    assert services.reports.get(moved["id"])["opd"]["code"] == "dlh"
    audits = [a for a in services.store.audit_log() if a["action"] == "act_process"]
    assert len(audits) == 20 and sorted(a["outcome"] for a in audits).count("refused") == 1
    before = store_counts(services)
    http.get(done.headers["Location"])  # a reload of the outcome repeats nothing
    assert store_counts(services) == before
    other, _ = person(app, services, "opd", opds=("dpupr",))
    assert "lr-q-outcome" not in other.get(done.headers["Location"]).get_data(as_text=True)  # not another's


def test_bulk_forward_by_an_operator_checks_each_and_a_missing_agency_is_said_first(app, client, services, backlog):
    http, _ = person(app, services, "operator")
    refs = [backlog[k]["human_id"] for k in ("late", "closed", "fresh")]
    before = store_counts(services)
    resp = bulk(http, "forward", refs)  # no agency chosen
    assert resp.status_code == 422 and "isi “OPD tujuan”" in resp.get_data(as_text=True)
    assert store_counts(services) == before
    done = bulk(http, "forward", refs, opd="dlh", catatan="Saluran air")
    shown = http.get(done.headers["Location"]).get_data(as_text=True)
    assert "Teruskan: 2 laporan tersimpan." in shown and backlog["closed"]["human_id"] in shown
    assert services.reports.get(backlog["late"]["id"])["opd"]["code"] == "dlh"


def test_an_agency_head_assigns_within_the_agency_and_the_colleague_finds_it_under_mine(app, client, services, backlog):
    head, _ = person(app, services, "opd", opds=("dpupr",))
    colleague_http, colleague = person(app, services, "opd", opds=("dpupr",))
    stranger, _ = People(services.store).add("petugas-dlh", "opd", name="Petugas DLH", opds=("dlh",))
    ref = backlog["late"]["human_id"]
    page = head.get(f"/laporan/{ref}").get_data(as_text=True)
    assert f'<option value="{colleague.username}">' in page and stranger.username not in page
    resp = head.post(
        f"/laporan/{ref}", data={"csrf_token": token(page), "aksi": "assign", "petugas": colleague.username}
    )
    assert resp.status_code == 303
    assert colleague.name in head.get(f"/laporan/{ref}").get_data(as_text=True)
    by_key = client.get(f"/api/v1/reports/{backlog['late']['id']}").get_data(as_text=True)
    assert colleague.name not in by_key and colleague.username not in by_key  # who has it is the agency's own business
    mine = colleague_http.get("/antrian?saya=1").get_data(as_text=True)
    assert rows(mine) == [backlog["late"]["id"]]
    page = head.get(f"/laporan/{ref}").get_data(as_text=True)
    before = store_counts(services)
    refused = head.post(
        f"/laporan/{ref}", data={"csrf_token": token(page), "aksi": "assign", "petugas": stranger.username}
    )
    assert refused.status_code == 422 and "bukan petugas OPD yang menangani laporan ini" in refused.get_data(
        as_text=True
    )
    assert store_counts(services) == before


def test_an_internal_note_stays_inside_and_a_response_reaches_the_citizen(app, client, services, backlog):
    rid, ref = backlog["late"]["id"], backlog["late"]["human_id"]
    http, _ = person(app, services, "operator")
    for action, text in (("note", "Warga ini sudah lapor tiga kali"), ("respond", "Tim DPUPR dijadwalkan besok")):
        page = http.get(f"/laporan/{ref}").get_data(as_text=True)
        resp = http.post(f"/laporan/{ref}", data={"csrf_token": token(page), "aksi": action, "catatan": text})
        assert resp.status_code == 303, resp.get_data(as_text=True)
    staff = http.get(f"/laporan/{ref}").get_data(as_text=True)
    assert "Warga ini sudah lapor tiga kali" in staff and "Catatan internal (tidak publik)" in staff
    by_key = client.get(f"/api/v1/reports/{rid}").get_data(as_text=True)
    assert "Tim DPUPR dijadwalkan besok" in by_key and "tiga kali" not in by_key
    listed = client.get("/api/v1/reports").get_data(as_text=True)
    assert "tiga kali" not in listed
    updates = client.get(
        "/open311/v2/servicerequestupdates.json",
        query_string={"start_date": (NOW - timedelta(hours=1)).isoformat()},
    ).get_data(as_text=True)
    assert "tiga kali" not in updates
    screen, _ = person(app, services, "screen")
    assert "tiga kali" not in screen.get(f"/laporan/{ref}").get_data(as_text=True)
    leader, _ = person(app, services, "pimpinan")
    assert "tiga kali" in leader.get(f"/laporan/{ref}").get_data(as_text=True)
    empty = http.get(f"/laporan/{ref}").get_data(as_text=True)
    before = store_counts(services)
    refused = http.post(f"/laporan/{ref}", data={"csrf_token": token(empty), "aksi": "note", "catatan": ""})
    assert refused.status_code == 422 and "catatan perlu isinya" in refused.get_data(as_text=True)
    assert store_counts(services) == before


def list_bulk(http, refs: list[str], action: str, opd=None, note=None):
    """The report list's bulk bar as the browser sends it (the table's ticked rows carry their shown id)."""
    http.get("/laporan/")
    values = {
        "lb-bulk-apply.n_clicks": 1,
        "lb-grid.selectedRows": [{"ref": r, "id": "x"} for r in refs],
        "lb-bulk-action.value": action,
        "lb-bulk-opd.value": opd,
        "lb-bulk-note.value": note,
        "lb-lang.data": "id",
    }
    resp = call_callback(
        http,
        "lb-bulk-apply.n_clicks",
        values,
        headers=csrf_headers(http),
        app_path="/laporan/",
        output="lb-bulk-result",
    )
    assert resp.status_code in (200, 204), resp.data
    return resp.get_json()["response"]["lb-bulk-result"]["children"] if resp.status_code == 200 else None


def texts(component) -> str:
    """All the words of a Dash component tree as JSON gives it."""
    if isinstance(component, list):
        return " ".join(texts(c) for c in component)
    if isinstance(component, dict):
        return texts(component.get("props", {}).get("children"))
    return "" if component is None else str(component)


def test_the_lists_bulk_forward_of_twenty_names_the_one_refused(app, client, services):
    made = [filed(client, 2 + k * 0.1) for k in range(20)]
    closed = made[12]
    client.post(f"/api/v1/reports/{closed['id']}/status", json={"status": "ditolak", "note": "bukan kewenangan"})
    http, _ = person(app, services, "operator")
    said = texts(list_bulk(http, [r["human_id"] for r in made], "forward", opd="dlh", note="Untuk DLH"))
    assert "Teruskan: 19 laporan tersimpan." in said and "1 laporan ditolak" in said
    assert f"{closed['human_id']} : laporan berstatus Ditolak tidak dapat dipindah ke Diproses" in said  # why, in words
    moved = [services.reports.get(r["id"])["opd"]["code"] for r in made if r is not closed]
    assert moved == ["dlh"] * 19
    audits = [a for a in services.store.audit_log() if a["action"] == "act_forward"]
    assert len(audits) == 20 and [a["outcome"] for a in audits].count("refused") == 1


def test_the_lists_bulk_bar_refuses_every_role_without_it_and_changes_nothing(app, client, services, backlog):
    refs = [backlog["late"]["human_id"]]
    before = store_counts(services)
    for role, action in (("penilai", "forward"), ("admin", "forward"), ("pimpinan", "forward"), ("opd", "forward")):
        http, _ = person(app, services, role, **({"opds": ("dpupr",)} if role == "opd" else {}))
        said = list_bulk(http, refs, action, opd="dlh")
        assert said is None or "Tidak tersimpan" in texts(said), role
    screen, _ = person(app, services, "screen")
    values = {
        "lb-bulk-apply.n_clicks": 1,
        "lb-grid.selectedRows": [{"ref": refs[0]}],
        "lb-bulk-action.value": "forward",
    }
    resp = call_callback(screen, "lb-bulk-apply.n_clicks", values, app_path="/laporan/", output="lb-bulk-result")
    assert resp.status_code in (400, 403)
    assert store_counts(services) == before
    assert services.reports.get(backlog["late"]["id"])["opd"]["code"] == "dpupr"
