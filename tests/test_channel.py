"""The live channel: views per audience as merge patches, catching up, tickets, and its HTTP routes
(a real uvicorn on a real socket, a real Redis, the worker's real publisher)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import socket
import threading
import time
from datetime import datetime, timezone

import pytest
import requests
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from data_feeds.live import ticket as live_ticket
from data_feeds.live import view as live_view
from data_feeds.live.snapshot import agency_scopes, compute
from data_feeds.live.versions import LivePublisher
from data_feeds.live.view import Audience
from data_feeds.runtime import channel_guard
from data_feeds.runtime.channel import Hub, create_app
from data_feeds.runtime.channel_guard import Limits
from tests.helpers import at_kelurahan, report_payload, sign_in, wait_until

CITY, BPBD, FIGURES = Audience(), Audience(frozenset({"bpbd"})), Audience(None, False)


def fresh(app):
    return app.server.test_client()


def submit(services, **kw):
    return services.reports.submit(report_payload(**kw))[0]


def rebuild(services, publisher):
    now = datetime.now(timezone.utc)
    summary, markers = compute(
        services.store,
        services.routing,
        services.gazetteer,
        now,
        5000,
        scopes=agency_scopes(services.store, services.routing),
    )
    return publisher.publish(summary, markers, now)


class Followed:
    """A hub driven step by step in its own event loop (no timers): refresh, follow, catch up. The loop runs in a
    thread of its own: a browser test earlier in the session leaves Playwright's loop running in this one."""

    def __init__(self, services):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="followed-hub", daemon=True)
        self.thread.start()
        self.hub = self._run(self._make(services))

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    @staticmethod
    async def _make(services):
        return Hub(services)

    def refresh(self):
        self._run(self.hub.refresh())

    def follow(self, audience):
        return self._run(self.hub.follow(audience))

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def hub(services):
    followed = Followed(services)
    yield followed
    followed.close()


def sent(follow):
    """What the audience's dashboards were sent since the last call (the messages in their queues)."""
    out = []
    for client in follow.clients:
        while not client.queue.empty():
            chunk = client.queue.get_nowait()
            out.append(chunk)
    return out


def messages(chunks):
    return [json.loads(c.decode().split("data: ", 1)[1]) for c in chunks if c and b"event: msg" in c]


def attach(follow):
    from data_feeds.runtime.channel import Client

    client = Client(time.time() + 600)
    follow.clients.add(client)
    return client


# -- merge patches --------------------------------------------------------------------------------

json_leaf = st.one_of(st.booleans(), st.integers(-10, 10), st.text(max_size=3), st.lists(st.integers(0, 3), max_size=3))
json_doc = st.recursive(
    json_leaf, lambda inner: st.dictionaries(st.sampled_from("abcde"), inner, max_size=4), max_leaves=12
)
docs = st.dictionaries(st.sampled_from("abcdef"), json_doc, max_size=5)


@hsettings(max_examples=300, deadline=None)
@given(docs, docs, docs)
def test_a_patch_turns_one_view_into_the_next(a, b, c):
    assert live_view.apply(a, live_view.diff(a, b)) == b
    assert live_view.apply(live_view.apply(a, live_view.diff(a, b)), live_view.diff(b, c)) == c
    assert live_view.diff(a, a) == {}


# -- the hub: one view per audience, small changes ----------------------------------------------


def test_a_new_report_reaches_each_audience_as_a_small_patch_with_only_what_it_may_see(services, hub):
    pub = LivePublisher(services.redis, services.keys)
    road = submit(services, **at_kelurahan("36.71.07.1011"))  # DPUPR, Karawaci
    rebuild(services, pub)
    hub.refresh()
    city, bpbd, figures = hub.follow(CITY), hub.follow(BPBD), hub.follow(FIGURES)
    assert city.view["areas"]["city"]["kpi"]["baru"] == 1 and bpbd.view["areas"]["city"]["kpi"]["baru"] == 0
    assert figures.view["areas"]["city"]["ticker"] == {"order": [], "rows": {}} and figures.view["note"] == [0, 0]
    clients = {name: attach(f) for name, f in (("city", city), ("bpbd", bpbd), ("figures", figures))}

    flood = submit(
        services, title="Banjir setinggi lutut", category="banjir", **at_kelurahan("36.71.13.1002")
    )  # BPBD, Larangan
    rebuild(services, pub)
    hub.refresh()
    got = {name: messages(sent(f)) for name, f in (("city", city), ("bpbd", bpbd), ("figures", figures))}
    assert all(len(m) == 1 for m in got.values())
    to_city, to_bpbd, to_figures = got["city"][0], got["bpbd"][0], got["figures"][0]
    assert [f["id"] for f in to_city["up"]] == [flood["id"]] and [f["id"] for f in to_bpbd["up"]] == [flood["id"]]
    assert "up" not in to_figures  # an assessor's wall has no markers
    assert "rows" not in json.dumps(to_figures.get("view", {}).get("areas", {}).get("city", {}).get("ticker", {}))
    assert to_city["view"]["areas"]["city"]["kpi"]["baru"] == 2 and to_bpbd["view"]["areas"]["city"]["kpi"]["baru"] == 1
    assert flood["id"] in to_city["view"]["areas"]["city"]["ticker"]["rows"]
    assert road["id"] not in json.dumps(to_bpbd)  # another agency's report never reaches the agency
    assert to_city["prev"] != to_city["v"] and len(json.dumps(to_city)) < 3000  # a few hundred bytes, not the view
    assert not any(client.dropped for client in clients.values())


def test_an_unchanged_version_sends_nothing_and_a_status_change_only_what_it_touched(services, hub):
    pub = LivePublisher(services.redis, services.keys)
    r = submit(services)
    rebuild(services, pub)
    hub.refresh()
    city = hub.follow(CITY)
    attach(city)
    before = dict(city.view)
    hub.refresh()
    assert sent(city) == []  # nothing new: not a byte
    services.reports.change_status(r["id"], {"status": "diproses"})
    rebuild(services, pub)
    hub.refresh()
    (message,) = messages(sent(city))
    assert message["up"][0]["properties"]["s"] == "diproses"
    patch = message["view"]
    assert patch["areas"]["city"]["kpi"]["baru"] == 0 and patch["areas"]["city"]["kpi"]["diproses"] == 1
    assert patch["areas"]["city"]["ticker"]["rows"][r["id"]]["status"] == "diproses"
    assert "map" not in patch  # open count per kecamatan unchanged: the map's colours are not resent
    assert live_view.apply(before, patch) == city.view


def test_each_kecamatan_is_in_the_view_so_a_click_needs_no_server(services, hub):
    pub = LivePublisher(services.redis, services.keys)
    submit(services, **at_kelurahan("36.71.07.1011"))
    submit(services, **at_kelurahan("36.71.13.1002"))
    rebuild(services, pub)
    hub.refresh()
    areas = hub.follow(CITY).view["areas"]
    larangan = areas["36.71.13"]
    assert larangan["kpi"]["baru"] == 1
    assert [larangan["ticker"]["rows"][i]["kecamatan"] for i in larangan["ticker"]["order"]] == ["Larangan"]
    assert areas["city"]["kpi"]["baru"] == 2 and hub.follow(CITY).view["names"]["36.71.13"] == "Larangan"


def test_a_dashboard_that_missed_versions_gets_one_message_with_all_it_missed(services, hub):
    pub = LivePublisher(services.redis, services.keys)
    first = submit(services)
    rebuild(services, pub)
    hub.refresh()
    city = hub.follow(CITY)
    have, view_then = city.token, city.view
    second = submit(services, title="Sampah menumpuk", category="sampah")
    rebuild(services, pub)
    hub.refresh()
    services.reports.change_status(first["id"], {"status": "ditolak", "note": "bukan wewenang kota"})
    rebuild(services, pub)
    hub.refresh()
    caught = hub.hub.catch_up(city, have)
    assert [m["prev"] for m in caught] == [have, caught[0]["v"]] and caught[-1]["v"] == city.token
    view = view_then
    for m in caught:
        view = live_view.apply(view, m.get("view", {}))
    assert view == city.view
    assert [f["id"] for f in caught[0]["up"]] == [second["id"]] and caught[1]["rm"] == [first["id"]]
    assert hub.hub.catch_up(city, city.token) == []
    assert hub.hub.catch_up(city, "someother:3") == [{"v": city.token, "reset": True}]
    assert hub.hub.catch_up(city, None) == [{"v": city.token, "reset": True}]


def test_the_whole_view_carries_the_audience_markers_and_no_personal_data(services, hub):
    pub = LivePublisher(services.redis, services.keys)
    road = submit(services, reporter={"name": "Siti Aminah", "phone": "081234567890"})
    flood = submit(services, title="Banjir", category="banjir")
    rebuild(services, pub)
    hub.refresh()
    city = json.loads(gzip.decompress(hub.hub.whole(hub.follow(CITY))))
    assert {f["id"] for f in city["markers"]["features"]} == {road["id"], flood["id"]}
    assert city["view"]["v"] == hub.hub.token
    assert "Siti" not in json.dumps(city) and "0812" not in json.dumps(city)
    bpbd = json.loads(gzip.decompress(hub.hub.whole(hub.follow(BPBD))))
    assert [f["id"] for f in bpbd["markers"]["features"]] == [flood["id"]]
    assert json.loads(gzip.decompress(hub.hub.whole(hub.follow(FIGURES))))["markers"]["features"] == []


def test_a_new_epoch_resets_every_dashboard(services, hub):
    pub = LivePublisher(services.redis, services.keys)
    submit(services)
    rebuild(services, pub)
    hub.refresh()
    city = hub.follow(CITY)
    attach(city)
    services.redis.delete(services.keys.version)  # Redis lost its data: the worker starts a new epoch
    rebuild(services, pub)
    hub.refresh()
    (message,) = messages(sent(city))
    assert message == {"v": city.token, "reset": True}


def test_redis_down_is_said_in_the_beat(services):
    from data_feeds.runtime.embedded_redis import free_port
    from data_feeds.services import Services

    dead = Followed(Services(services.settings.replace(redis_url=f"redis://127.0.0.1:{free_port()}/0")))
    try:
        dead.refresh()
        assert dead.hub.beat()["redis"] is False and dead.hub.beat()["worker"] is False
    finally:
        dead.close()


# -- tickets --------------------------------------------------------------------------------------


def test_a_ticket_names_its_audience_and_is_refused_when_altered_or_old():
    secret = "s" * 40
    for audience in (CITY, BPBD, FIGURES, Audience(frozenset({"dinkes", "bpbd"}))):
        assert live_ticket.check(secret, live_ticket.issue(secret, audience, "s:1")).audience == audience
    ticket = live_ticket.issue(secret, BPBD)
    assert live_ticket.check("x" * 40, ticket) is None
    assert live_ticket.check(secret, ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB")) is None
    assert live_ticket.check(secret, None) is None and live_ticket.check(secret, "") is None
    assert live_ticket.check(secret, "x" * 5000) is None

    class Old(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - live_ticket.TICKET_S - 5

    old = URLSafeTimedSerializer(secret, salt=live_ticket._SALT, signer=Old).dumps("city")
    assert live_ticket.check(secret, old) is None


def test_the_ticket_route_gives_each_role_its_own_audience(app, services):
    secret = services.settings.signing_secret()
    assert fresh(app).get("/_liveroom/ticket").status_code == 401
    for role, opds, audience in (("pimpinan", (), CITY), ("opd", ("bpbd",), BPBD), ("penilai", (), FIGURES)):
        http = fresh(app)
        sign_in(http, services, role, opds=opds)
        resp = http.get("/_liveroom/ticket")
        assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
        assert live_ticket.check(secret, resp.get_json()["t"]).audience == audience
    keyed = fresh(app)
    assert keyed.get("/_liveroom/ticket", headers={"X-API-Key": services.test_keys["laksa"]}).status_code == 401


# -- over HTTP: a real uvicorn ----------------------------------------------------------------------


@contextlib.contextmanager
def serve_channel(services, limits: Limits):
    """The channel as `python -m data_feeds.runtime.channel` serves it (its guarded sockets), on a port of its own."""
    import uvicorn

    from data_feeds.runtime.embedded_redis import free_port

    port = free_port()
    server = uvicorn.Server(channel_guard.config(create_app(services.settings), "127.0.0.1", port, limits, loop="auto"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/live/healthz", timeout=1).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def channel(services):
    with serve_channel(services, Limits()) as url:
        yield url


def events(resp):
    """(event, data) pairs from a text/event-stream response, as they arrive."""
    name, data = None, None
    for line in resp.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
        elif line == "" and name:
            yield name, data
            name, data = None, None


def test_every_route_refuses_a_missing_or_forged_ticket(services, channel):
    forged = live_ticket.issue("not-the-secret-" * 3, CITY)
    for path in ("/live/events", "/live/poll", "/live/view"):
        for params in ({}, {"t": forged}, {"t": "garbage"}):
            resp = requests.get(channel + path, params=params, timeout=5)
            assert resp.status_code == 401 and resp.json()["errors"][0]["field"] == "t"
            assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_a_stream_whose_holder_lost_access_ends_and_its_ticket_is_refused_at_once(services, channel):
    """Issue 27 finding 2: a disabled account's live ticket kept streaming for up to 15 minutes."""
    from data_feeds.live import revoked

    pub = LivePublisher(services.redis, services.keys)
    services.redis.set(services.keys.heartbeat, "{}")
    submit(services)
    rebuild(services, pub)
    secret = services.settings.signing_secret()
    ticket, other = live_ticket.issue(secret, CITY, "s:ended"), live_ticket.issue(secret, CITY, "s:still")
    wait_until(lambda: requests.get(channel + "/live/healthz", timeout=5).json()["version"])
    with requests.get(channel + "/live/events", params={"t": ticket}, stream=True, timeout=30) as resp:
        stream = events(resp)
        assert next(stream)[0] == "beat"
        revoked.tell(services.redis, services.keys, [("s:ended", datetime.now(timezone.utc))])
        started = time.monotonic()
        rest = list(stream)  # the channel ends the stream at its next beat
    assert time.monotonic() - started < 15 and all(name != "renew" for name, _ in rest)
    for path in ("/live/events", "/live/poll", "/live/view"):
        assert requests.get(channel + path, params={"t": ticket}, timeout=5).status_code == 401
    assert requests.get(channel + "/live/poll", params={"t": other}, timeout=5).status_code == 200


def test_a_stream_delivers_a_change_and_a_poll_catches_up_the_same(services, channel):
    pub = LivePublisher(services.redis, services.keys)
    services.redis.set(services.keys.heartbeat, "{}")
    submit(services)
    rebuild(services, pub)
    ticket = live_ticket.issue(services.settings.signing_secret(), BPBD)
    wait_until(lambda: requests.get(channel + "/live/healthz", timeout=5).json()["version"])
    whole = requests.get(channel + "/live/view", params={"t": ticket}, timeout=5)
    assert whole.headers["Content-Encoding"] == "gzip" and whole.json()["markers"]["features"] == []
    have = whole.json()["view"]["v"]
    with requests.get(channel + "/live/events", params={"t": ticket, "have": have}, stream=True, timeout=30) as resp:
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        stream = events(resp)
        first = next(stream)
        assert first[0] == "beat" and first[1]["redis"] is True and first[1]["worker"] is True
        flood = submit(services, title="Banjir", category="banjir")
        submit(services, title="Jalan rusak")  # DPUPR's: never reaches BPBD
        rebuild(services, pub)
        name, message = next(e for e in stream if e[0] == "msg")
    assert message["prev"] == have and [f["id"] for f in message["up"]] == [flood["id"]]
    polled = requests.get(channel + "/live/poll", params={"t": ticket, "have": have}, timeout=5).json()
    assert polled["msgs"] == [message] and polled["beat"]["redis"]
    assert (
        requests.get(channel + "/live/poll", params={"t": ticket, "have": message["v"]}, timeout=5).json()["msgs"] == []
    )


def test_a_reconnect_says_what_it_had_and_gets_only_what_it_missed(services, channel):
    pub = LivePublisher(services.redis, services.keys)
    submit(services)
    rebuild(services, pub)
    ticket = live_ticket.issue(services.settings.signing_secret(), CITY)
    wait_until(lambda: requests.get(channel + "/live/healthz", timeout=5).json()["version"])
    with requests.get(channel + "/live/events", params={"t": ticket}, stream=True, timeout=30) as resp:
        name, reset = next(e for e in events(resp) if e[0] == "msg")  # a dashboard with nothing: reset
    assert reset["reset"] is True
    have = reset["v"]
    missed = submit(services, title="Sampah menumpuk", category="sampah")
    rebuild(services, pub)
    wait_until(lambda: requests.get(channel + "/live/healthz", timeout=5).json()["version"] != have)
    # as the browser's own reconnect does: the address it was opened with, the Last-Event-ID it kept
    with requests.get(
        channel + "/live/events",
        params={"t": ticket, "have": "stale:1"},
        headers={"Last-Event-ID": have},
        stream=True,
        timeout=30,
    ) as resp:
        name, message = next(e for e in events(resp) if e[0] == "msg")
    assert message["prev"] == have and [f["id"] for f in message["up"]] == [missed["id"]]


def test_where_the_browser_finds_the_channel_is_in_its_page_and_its_policy(app, services, monkeypatch):
    from data_feeds.api.headers import channel_origin
    from data_feeds.settings import Settings

    for value, kept in (("/", "/"), ("https://live.example/", "https://live.example"), ("", "")):
        monkeypatch.setenv("LIVE_URL", value)
        assert Settings.from_env().live_url == kept
    http = fresh(app)
    sign_in(http, services, "pimpinan")
    policy = http.get("/", base_url="http://wall.local:8050").headers["Content-Security-Policy"]
    assert f"connect-src 'self' http://wall.local:{services.settings.channel_port}" in policy  # the host the wall used
    with app.server.test_request_context("/", base_url="https://room.example"):
        assert channel_origin("/", 8051) == ""  # a proxy routes /live/ on the page's own origin: 'self' covers it
        assert channel_origin("https://live.example", 8051) == "https://live.example"


def test_a_page_that_follows_only_the_version_hears_only_versions(services, channel):
    """The report table (only=v): a short message per change, nothing else, over the stream and the poll."""
    pub = LivePublisher(services.redis, services.keys)
    submit(services)
    rebuild(services, pub)
    ticket = live_ticket.issue(services.settings.signing_secret(), CITY)
    have = wait_until(lambda: requests.get(channel + "/live/healthz", timeout=5).json()["version"])
    assert (
        requests.get(channel + "/live/poll", params={"t": ticket, "have": have, "only": "v"}, timeout=5).json()["msgs"]
        == []
    )
    with requests.get(
        channel + "/live/events", params={"t": ticket, "have": have, "only": "v"}, stream=True, timeout=30
    ) as resp:
        stream = events(resp)
        submit(services, title="Sampah menumpuk", category="sampah")
        rebuild(services, pub)
        name, message = next(e for e in stream if e[0] == "msg")
    assert message == {"v": message["v"]} and message["v"] != have  # the version, and not a byte of the view
    polled = requests.get(channel + "/live/poll", params={"t": ticket, "have": have, "only": "v"}, timeout=5).json()
    assert polled["msgs"] == [{"v": message["v"]}]


# -- its sockets under attack (issue 27, finding 3) ------------------------------------------------------------


def _half_sent(url: str) -> socket.socket:
    """A connection that sends most of a request head and then nothing (a slowloris)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(b"GET /live/events?t=x HTTP/1.1\r\nHost: live\r\nX-Slow: ")
    return sock


def _answer(sock: socket.socket, wait_s: float) -> bytes | None:
    """What the server sent before closing (b"" for a plain close), or None if it still holds the socket."""
    sock.settimeout(wait_s)
    try:
        got = b""
        while chunk := sock.recv(4096):
            got += chunk
        return got
    except TimeoutError:
        return None
    except ConnectionResetError:
        return b""


def test_half_sent_requests_are_closed_and_one_address_cannot_take_the_channel(services):
    """21,000 half-sent requests from one address filled the channel's descriptors and every wall lost its live
    view. Now: past its share an address is refused at once, a head that does not arrive is closed, and a stream
    the channel already serves goes on through it all."""
    pub = LivePublisher(services.redis, services.keys)
    services.redis.set(services.keys.heartbeat, "{}")
    submit(services)
    rebuild(services, pub)
    ticket = live_ticket.issue(services.settings.signing_secret(), CITY)
    with serve_channel(services, Limits(head_s=1.0, per_address=30, total=1000)) as url:
        wait_until(lambda: requests.get(url + "/live/healthz", timeout=5).json()["version"])
        with requests.get(url + "/live/events", params={"t": ticket}, stream=True, timeout=30) as wall:
            stream = events(wall)
            assert next(stream)[0] == "beat"
            attack = [_half_sent(url) for _ in range(60)]  # the wall's stream is this address's too
            answers = [_answer(sock, 3.0) for sock in attack]
            assert None not in answers  # none is held for ever
            sockets = requests.get(url + "/live/healthz", timeout=5).json()["sockets"]
            assert sockets["refused"] == 31 and sockets["closed_late"] == 29, sockets
            assert next(e for e in stream if e[0] == "beat")  # the wall still hears its channel
            for sock in attack:
                sock.close()
        assert requests.get(url + "/live/poll", params={"t": ticket}, timeout=5).status_code == 200
