"""Sign-in, roles and screens, enforced on the server: every door (pages, Dash callbacks, the native API,
Open311, exports) asked with the wrong role or none, through the app's real request handling."""

from __future__ import annotations

import re

import pytest

from data_feeds.access.devices import Devices
from data_feeds.access.people import People
from data_feeds.access.tokens import SIGNIN_TTL, OneTimeTokens
from data_feeds.api import signin
from tests.helpers import call_callback, csrf_headers, post, report_payload, sign_in

SIGNED_OUT_401 = [
    "/_dash-layout",
    "/_dash-dependencies",
    "/api/v1/live/markers",
    "/api/v1/export/indicators.csv",
    "/api/v1/indicators/vaksin_dosis_1",
]


@pytest.fixture
def two_reports(client):
    """A road report (routed to DPUPR) and a flood report (BPBD), both with the reporter's contact."""
    reporter = {"reporter": {"name": "Siti Aminah", "phone": "+62 812 1234 5678"}}
    road = post(client, report_payload(**reporter)).get_json()["id"]
    flood = post(client, report_payload(category="banjir", title="Banjir setinggi lutut", **reporter)).get_json()["id"]
    return road, flood


def fresh(app):
    """A browser with no cookie and no key."""
    return app.server.test_client()


def forget_recent():
    """Sessions and screens are re-read every few seconds; a test does not wait for that."""
    signin._sessions.items.clear()
    signin._devices.items.clear()


def test_signed_out_pages_redirect_and_everything_else_answers_401(app, two_reports):
    http = fresh(app)
    page = http.get("/laporan?status=baru&opd=dpupr")
    assert page.status_code == 302 and page.headers["Location"] == "/masuk?next=/laporan%3Fstatus%3Dbaru%26opd%3Ddpupr"
    assert http.get("/").headers["Location"] == "/masuk?next=/"
    for path in [*SIGNED_OUT_401, f"/api/v1/reports/{two_reports[0]}"]:
        assert http.get(path).status_code == 401, path
    for path in (
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{two_reports[0]}.json",
    ):  # (the spec's code for no key)
        assert http.get(path).status_code == 403, path
    assert http.post("/_dash-update-component", json={}).status_code == 401  # a replayed callback, signed out
    # what stays open: the sign-in page and its stylesheet, the health probe, the API's description
    for path in ("/masuk", "/assets/signin.css", "/healthz", "/api/v1/openapi.json"):
        assert http.get(path).status_code == 200, path


def test_sign_in_page_in_both_languages_with_a_csrf_token(app):
    http = fresh(app)
    page = http.get("/masuk").get_data(as_text=True)
    assert 'lang="id"' in page and "Kata sandi" in page and re.search(r'name="csrf_token" value="[^"]+"', page)
    http.get("/lang/en?next=/masuk")
    assert "Password" in http.get("/masuk").get_data(as_text=True)


def _form(http, **fields):
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/masuk").get_data(as_text=True)).group(1)
    return http.post("/masuk", data={"csrf_token": token, **fields})


def test_wrong_password_and_unknown_name_read_alike_then_the_account_locks(app, services):
    _person, password = People(services.store).add("budi", "pimpinan")
    http = fresh(app)
    wrong, unknown = _form(http, username="budi", password="salah"), _form(http, username="nobody", password="salah")
    assert wrong.status_code == unknown.status_code == 401
    said = lambda resp: re.search(r'role="alert">([^<]+)<', resp.get_data(as_text=True)).group(1)  # noqa: E731
    assert said(wrong) == said(unknown) == "Nama pengguna atau kata sandi salah."
    for _ in range(4):
        last = _form(http, username="budi", password="salah")
    assert "dikunci sementara" in said(last)  # the fifth wrong one locks it
    locked = _form(http, username="budi", password=password)  # now even the right password is refused
    assert locked.status_code == 401 and "dikunci" in said(locked)
    assert http.get("/").status_code == 302
    rows = services.store.audit_log()
    assert [(r["actor"], r["action"], r["outcome"]) for r in rows][:2] == [
        ("budi", "signin", "refused"),
        ("nobody", "signin", "refused"),
    ]
    assert rows[-1]["detail"] == "account locked" and rows[-1]["address"] == "127.0.0.1"


def test_a_form_without_its_csrf_token_is_refused(app, services):
    _person, password = People(services.store).add("budi", "pimpinan")
    http = fresh(app)
    assert http.post("/masuk", data={"username": "budi", "password": password}).status_code == 400
    ok = _form(http, username="budi", password=password)
    assert ok.status_code == 302 and http.get("/").status_code == 200
    assert (
        services.store.audit_log()[-1]["action"] == "signin" and services.store.audit_log()[-1]["outcome"] == "allowed"
    )
    # a signed-in callback without the header the renderer sends: refused
    assert http.post("/_dash-update-component", json={}).status_code == 400


def test_a_one_time_link_signs_in_once(app, services):
    person, _ = People(services.store).add("ani", "operator")
    token = OneTimeTokens(services.store).issue("signin", person.id, SIGNIN_TTL)
    first, second = fresh(app), fresh(app)
    assert first.get(f"/masuk/{token}?next=/indikator").headers["Location"] == "/indikator"
    assert first.get("/").status_code == 200
    again = second.get(f"/masuk/{token}")
    assert again.headers["Location"] == "/masuk?m=link" and second.get("/").status_code == 302
    assert "sudah dipakai" in second.get("/masuk?m=link").get_data(as_text=True)
    assert fresh(app).get(f"/masuk/{token}x").headers["Location"] == "/masuk?m=link"
    # a link never leads off the site
    other = OneTimeTokens(services.store).issue("signin", person.id, SIGNIN_TTL)
    assert fresh(app).get(f"/masuk/{other}?next=//evil.example/").headers["Location"] == "/"


def test_sign_out_ends_the_session(app, services):
    http = fresh(app)
    sign_in(http, services, "pimpinan")
    assert http.post("/keluar", headers=csrf_headers(http)).status_code == 302
    assert http.get("/").status_code == 302


def test_a_signed_out_sessions_cookie_opens_no_door_even_when_kept(app, services):
    """Issue 27 finding 2: the old cookie still opened the layout, the API and the report browser after sign-out."""
    http = fresh(app)
    sign_in(http, services, "operator")
    kept = http.get_cookie("lr_session").value
    doors = {"/_dash-layout": 200, "/api/v1/reports": 200, "/laporan/": 200}
    assert {door: http.get(door).status_code for door in doors} == doors
    assert http.post("/keluar", headers=csrf_headers(http)).status_code == 302
    forget_recent()  # (another web worker re-reads a session within RECHECK_S)
    replay = fresh(app)
    replay.set_cookie("lr_session", kept)
    assert {door: replay.get(door).status_code for door in doors} == {
        "/_dash-layout": 401,
        "/api/v1/reports": 401,
        "/laporan/": 302,
    }


def test_a_live_ticket_names_its_holder_and_ended_access_reaches_the_channel(app, services):
    """The channel reads no database: a ticket names the session or screen it was issued to, and the live worker
    tells Redis which of those ended (a sign-out, a disabled account, a revoked screen), so their streams end."""
    from datetime import timedelta

    from data_feeds.access.sessions import Sessions
    from data_feeds.clock import utcnow
    from data_feeds.live import revoked
    from data_feeds.live import ticket as live_ticket

    http = fresh(app)
    person = sign_in(http, services, "pimpinan")
    got = live_ticket.check(services.settings.signing_secret(), http.get("/_liveroom/ticket").get_json()["t"])
    assert got.holder.startswith("s:") and len(got.holder) > 2
    since = utcnow() - timedelta(minutes=1)
    assert Sessions(services.store).ended_since(since) == []
    People(services.store).disable(person.username)
    ended = Sessions(services.store).ended_since(since)
    assert [h for h, _ in ended] == [got.holder]
    device, _token = Devices(services.store).add("Layar lobi")
    Devices(services.store).revoke(device.id)
    screens = Devices(services.store).revoked_since(since)
    assert [h for h, _ in screens] == [f"d:{device.id}"]
    revoked.tell(services.redis, services.keys, ended + screens)
    assert revoked.holders(services.redis, services.keys) == {got.holder, f"d:{device.id}"}


def test_a_disabled_account_or_a_reset_password_ends_its_sessions(app, services):
    http = fresh(app)
    person = sign_in(http, services, "pimpinan")
    assert http.get("/_dash-layout").status_code == 200
    People(services.store).reset(person.username)
    forget_recent()
    assert http.get("/_dash-layout").status_code == 401
    other = fresh(app)
    person = sign_in(other, services, "pimpinan")
    People(services.store).disable(person.username)
    forget_recent()
    assert other.get("/_dash-layout").status_code == 401


# -- what each role sees, door by door ------------------------------------------------------------


def _reads(http, rid):
    """(native API, Open311, card callback) for one report id, as this client."""
    native = http.get(f"/api/v1/reports/{rid}")
    o311 = http.get(f"/open311/v2/requests/{rid}.json")
    card = call_callback(
        http,
        "map-markers.clickData",
        {"map-markers.clickData": {"properties": {"id": rid}}, "lang.data": "id"},
        headers=csrf_headers(http),
    )
    return native, o311, card


def test_an_agency_head_reads_its_own_reports_and_no_other_agencys_through_any_door(app, services, two_reports):
    road, flood = two_reports
    http = fresh(app)
    sign_in(http, services, "opd", opds=("dpupr",))
    native, o311, card = _reads(http, road)
    assert native.status_code == 200 and native.get_json()["title"] == "Jalan berlubang di depan pasar"
    assert "reporter" not in native.get_json() and "Siti" not in native.get_data(
        as_text=True
    )  # no contact without the grant
    assert o311.status_code == 200 and o311.get_json()[0]["service_request_id"] == road
    assert card.status_code == 200 and "Jalan berlubang" in card.get_data(as_text=True)
    native, o311, card = _reads(http, flood)  # BPBD's
    assert native.status_code == 404 and o311.status_code == 404
    assert "Banjir setinggi lutut" not in card.get_data(as_text=True) and "tidak ditemukan" in card.get_data(
        as_text=True
    )
    listed = http.get("/open311/v2/requests.json").get_json()
    assert [r["service_request_id"] for r in listed] == [road]
    assert http.get("/api/v1/export/indicators.csv").status_code == 200  # figures are for everyone signed in


def test_an_agency_head_with_the_personal_grant_reads_the_contact_audited(app, services, two_reports):
    road, flood = two_reports
    http = fresh(app)
    person = sign_in(http, services, "opd", opds=("dpupr",), personal=True)
    got = http.get(f"/api/v1/reports/{road}")
    assert got.get_json()["reporter"] == {"name": "Siti Aminah", "phone": "+62 812 1234 5678"}
    assert http.get(f"/api/v1/reports/{flood}").status_code == 404
    reads = [
        (r["actor"], r["outcome"], r["report_id"]) for r in services.store.audit_log() if r["action"] == "personal_read"
    ]
    assert reads == [(person.username, "allowed", road), (person.username, "refused", flood)]


@pytest.mark.parametrize("role", ["pimpinan", "admin"])
def test_leaders_see_every_report_without_the_reporters_contact(app, services, two_reports, role):
    http = fresh(app)
    sign_in(http, services, role)
    for rid in two_reports:
        native, o311, card = _reads(http, rid)
        assert native.status_code == o311.status_code == card.status_code == 200
        assert "Siti" not in native.get_data(as_text=True) + card.get_data(as_text=True)


def test_operators_read_the_contact_and_every_read_is_audited(app, services, two_reports):
    http = fresh(app)
    person = sign_in(http, services, "operator")
    got = http.get(f"/api/v1/reports/{two_reports[1]}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert got.get_json()["reporter"]["name"] == "Siti Aminah"
    row = [r for r in services.store.audit_log() if r["action"] == "personal_read"][-1]
    assert (row["actor_kind"], row["actor"], row["report_id"], row["address"]) == (
        "person",
        person.username,
        two_reports[1],
        "10.1.2.3",
    )


def test_an_assessor_gets_figures_and_aggregates_but_no_single_report(app, services, two_reports):
    http = fresh(app)
    sign_in(http, services, "penilai")
    native, o311, card = _reads(http, two_reports[0])
    assert native.status_code == 404 and o311.status_code == 403
    assert "Jalan berlubang" not in card.get_data(as_text=True)
    assert http.get("/open311/v2/requests.json").status_code == 403
    assert http.get("/api/v1/export/indicators.csv").status_code == 200
    layout = http.get("/_dash-layout").get_data(as_text=True)
    assert "Jalan berlubang" not in layout


def test_only_an_admin_opens_the_admin_pages(app, services):
    for role in ("pimpinan", "operator", "opd", "penilai"):
        http = fresh(app)
        sign_in(http, services, role, opds=("dpupr",) if role == "opd" else ())
        assert http.get("/admin").status_code == 403, role
    admin = fresh(app)
    person = sign_in(admin, services, "admin")
    page = admin.get("/admin")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert 'id="audit-log"' in text and person.username in text and "one-time link" in text  # its own sign-in, audited
    assert "password_hash" not in text and "secret_sha256" not in text


# -- wall screens -----------------------------------------------------------------------------------


def test_a_paired_screen_sees_the_wall_until_revoked(app, services, two_reports):
    devices = Devices(services.store)
    device, token = devices.add("Layar utama 1")
    screen = fresh(app)
    paired = screen.get(f"/pasang/{token}")
    assert paired.status_code == 302 and paired.headers["Location"] == "/"
    cookie = screen.get_cookie(signin.DEVICE_COOKIE)
    assert cookie is not None and cookie.http_only and cookie.expires is not None  # outlives the browser session
    assert screen.get("/").status_code == 200
    layout = screen.get("/_dash-layout").get_data(as_text=True)
    assert "Layar utama 1" in layout and "Siti" not in layout
    native = screen.get(f"/api/v1/reports/{two_reports[0]}")
    assert native.status_code == 200 and "reporter" not in native.get_json()
    assert fresh(app).get(f"/pasang/{token}").headers["Location"] == "/masuk?m=pair"  # a pairing link works once
    # a restarted browser keeps only its persistent cookies: the screen is still itself
    restarted = fresh(app)
    restarted.set_cookie(signin.DEVICE_COOKIE, cookie.value)
    assert restarted.get("/").status_code == 200
    assert devices.revoke(device.id)
    forget_recent()
    assert restarted.get("/").status_code == 302 and restarted.get("/_dash-layout").status_code == 401
    actions = [(r["actor_kind"], r["action"], r["outcome"]) for r in services.store.audit_log()]
    assert ("device", "pair", "allowed") in actions and ("person", "pair", "refused") in actions


def test_an_api_key_never_opens_a_page(app, services):
    http = fresh(app)
    assert http.get("/", headers={"X-API-Key": services.test_keys["laksa"]}).status_code == 302
    assert http.get("/_dash-layout", headers={"X-API-Key": services.test_keys["laksa"]}).status_code == 401


def test_an_agency_wall_follows_only_its_agency(app, services, two_reports):
    """Its page, its live ticket (the channel gives that audience only its reports:
    tests/test_channel.py), its markers.
    """
    from data_feeds.live import ticket as live_ticket
    from data_feeds.live.versions import LivePublisher
    from data_feeds.live.view import Audience
    from data_feeds.runtime.worker import Aggregator

    Aggregator(services).rebuild(LivePublisher(services.redis, services.keys))
    http = fresh(app)
    sign_in(http, services, "opd", opds=("bpbd",))
    ticket = http.get("/_liveroom/ticket").get_json()["t"]
    assert live_ticket.check(services.settings.signing_secret(), ticket).audience == Audience(frozenset({"bpbd"}))
    layout = http.get("/_dash-layout").get_data(as_text=True)
    assert "Laporan BPBD" in layout and ticket.split(".")[0] in layout  # the page's own ticket names the same audience
    markers = http.get("/api/v1/live/markers").get_json()["features"]
    assert [f["id"] for f in markers] == [two_reports[1]]


def test_password_guessing_across_accounts_from_one_address_is_slowed(services):
    """The lockout guards an account; the per-address limit guards against trying one password on many."""

    from app import create_app
    from data_feeds.services import Services

    svc = Services(services.settings.replace(signin_limit="3/minute"))
    http = create_app(services=svc).server.test_client()
    codes = [_form(http, username=f"user{n}", password="Tangerang2026").status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]
    last = _form(http, username="user9", password="x")
    assert last.status_code == 429 and "Terlalu banyak percobaan" in last.get_data(as_text=True)
    assert "Retry-After" in last.headers


def test_a_ticket_renewal_does_not_resend_the_session_cookie(app, services):
    """A wall renews its live ticket all day: the answers carry no Set-Cookie (the session lasts SESSION_HOURS from
    sign-in).
    """
    http = fresh(app)
    sign_in(http, services, "pimpinan")
    resp = http.get("/_liveroom/ticket")
    assert resp.status_code == 200 and "Set-Cookie" not in resp.headers


def test_a_link_with_several_filters_comes_back_whole_after_signing_in(app, services):
    _person, password = People(services.store).add("budi", "pimpinan")
    http = fresh(app)
    sent_to = http.get("/indikator?status=baru&opd=dpupr").headers["Location"]
    page = http.get(sent_to).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    next_path = re.search(r'name="next" value="([^"]+)"', page).group(1)
    resp = http.post(
        "/masuk",
        data={"csrf_token": token, "username": "budi", "password": password, "next": next_path.replace("&amp;", "&")},
    )
    assert resp.headers["Location"] == "/indikator?status=baru&opd=dpupr"
