"""Rate limits: per key and per address, shared by every worker through Redis, answered 429 with Retry-After
in each door's error shape; the wall is never limited, and a Redis outage never refuses a report."""

from __future__ import annotations

import uuid

import pytest

from tests.helpers import post, report_payload, sign_in, store_counts


@pytest.fixture
def limited(services, redis_server):
    """Two web apps ("workers") on the same store and Redis, with small limits: 5 a minute per key, 8 per address."""

    from app import create_app
    from data_feeds.services import Services

    settings = services.settings.replace(
        rate_limit_per_key="5/minute",
        rate_limit_per_address="8/minute",
        key_prefix=f"l{uuid.uuid4().hex[:8]}",
    )
    workers = []
    for _ in range(2):
        svc = Services(settings)
        svc.test_keys = services.test_keys
        workers.append(create_app(services=svc).server.test_client())
    return workers


def test_a_key_past_its_limit_gets_429_with_retry_after_and_nothing_stored(limited, services):
    one, other = limited
    codes = [
        post(w, report_payload(title=f"Laporan {n}"), headers={"X-API-Key": services.test_keys["laksa"]}).status_code
        for n, w in enumerate([one, other, one, other, one])
    ]
    assert codes == [201] * 5  # five, spread over both workers
    before = store_counts(services)
    resp = post(other, report_payload(title="Laporan keenam"), headers={"X-API-Key": services.test_keys["laksa"]})
    assert resp.status_code == 429  # counted across workers: shared in Redis
    assert 0 < int(resp.headers["Retry-After"]) <= 60  # the seconds until the minute that opened with the first ends
    assert resp.get_json()["error"]["field"] == "X-API-Key" and "for this key" in resp.get_json()["error"]["reason"]
    assert store_counts(services) == before
    # another key from the same address still has room (the address allows 8)
    other_key = services.api_keys.create("laksa", roles=("report",))[1]
    assert post(one, report_payload(title="Kunci lain"), headers={"X-API-Key": other_key}).status_code == 201


def test_an_address_past_its_limit_gets_429_whatever_key_it_sends(limited, services):
    one, _ = limited
    codes = [post(one, report_payload(), headers={"X-API-Key": f"lr_{n:012x}_guess"}).status_code for n in range(8)]
    assert codes == [403] * 8  # guessing keys: each refused, each counted
    resp = post(one, report_payload(), headers={"X-API-Key": services.test_keys["laksa"]})
    assert (
        resp.status_code == 429
        and resp.get_json()["error"]["field"] is None
        and "from this address" in resp.get_json()["error"]["reason"]
    )
    assert "Retry-After" in resp.headers


def test_naming_a_key_with_a_wrong_secret_never_uses_up_that_keys_allowance(limited, services):
    """Issue 27 finding 5: 40 requests with LAKSA's key id and a wrong secret shut the real LAKSA key out (429)."""
    one, other = limited
    real = services.test_keys["laksa"]
    forged = real.rsplit("_", 1)[0] + "_" + "x" * 20  # the public id, a wrong secret
    one.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    codes = [post(one, report_payload(), headers={"X-API-Key": forged}).status_code for _ in range(40)]
    assert codes[:8] == [403] * 8 and set(codes[8:]) == {429}  # the guesser's address runs out, not the key
    other.environ_base["REMOTE_ADDR"] = "10.0.0.7"  # LAKSA's own server
    assert [post(other, report_payload(), headers={"X-API-Key": real}).status_code for _ in range(5)] == [201] * 5


def test_open311_answers_429_as_its_error_list(limited, services):
    one, _ = limited
    form = {"api_key": services.test_keys["laksa"], "service_code": "sampah", "lat": "-6.1805", "long": "106.6297"}
    codes = [
        one.post("/open311/v2/requests.json", data={**form, "description": f"Sampah {n}"}).status_code for n in range(6)
    ]
    assert codes[:5] == [201] * 5 and codes[5] == 429
    body = one.post("/open311/v2/requests.xml", data=form)
    assert body.status_code == 429 and b"<errors><error><code>429</code>" in body.data


def test_the_wall_and_public_reads_are_never_limited(limited, services):
    one, _ = limited
    sign_in(one, services, "pimpinan")
    assert all(
        one.get(path).status_code == 200
        for _ in range(12)
        for path in ("/_dash-layout", "/healthz", "/api/v1/live/markers")
    )


def test_a_report_is_taken_when_the_limits_cannot_be_counted(services):
    """Redis gone: the limiter counts in the worker's memory rather than refuse a citizen's report."""

    from app import create_app
    from data_feeds.runtime.embedded_redis import free_port
    from data_feeds.services import Services

    svc = Services(
        services.settings.replace(redis_url=f"redis://127.0.0.1:{free_port()}/0", rate_limit_per_key="5/minute")
    )
    client = create_app(services=svc).server.test_client()
    codes = [
        post(
            client, report_payload(title=f"Saat Redis mati {n}"), headers={"X-API-Key": services.test_keys["laksa"]}
        ).status_code
        for n in range(6)
    ]
    assert codes[:5] == [201] * 5 and codes[5] == 429


def test_every_window_of_a_request_is_counted_whichever_is_passed(services):
    """One request counts in all its windows at once (one Redis call): a refused request still counts against
    the address, and a key's windows count only the requests presenting it."""

    import redis as redis_lib

    from app import create_app
    from data_feeds.services import Services

    prefix = f"w{uuid.uuid4().hex[:8]}"
    svc = Services(
        services.settings.replace(
            rate_limit_per_key="5/minute;50/hour",
            rate_limit_per_address="100/minute",
            key_prefix=prefix,
        )
    )
    client = create_app(services=svc).server.test_client()
    key = services.api_keys.create("laksa", roles=("report",))[1]
    codes = [
        post(client, report_payload(title=f"Jendela {n}"), headers={"X-API-Key": key}).status_code for n in range(6)
    ]
    client.get("/api/v1/reports")  # a read without a key: not counted anywhere
    assert codes == [201] * 5 + [429]
    stored = redis_lib.Redis.from_url(svc.settings.redis_url)
    counts = {k.decode().split(":rl:", 1)[1]: int(stored.get(k)) for k in stored.scan_iter(f"{prefix}:rl:*")}
    key_id = key.split("_")[1]
    assert counts == {f"key:{key_id}:5/60": 6, f"key:{key_id}:50/3600": 6, "address:127.0.0.1:100/60": 6}


def _two_workers(services, per_key: str, per_address: str):
    """Two web apps on the same store and Redis with these limits, and a count of each one's calls to Redis."""

    from app import create_app
    from data_feeds.services import Services

    settings = services.settings.replace(
        rate_limit_per_key=per_key,
        rate_limit_per_address=per_address,
        key_prefix=f"c{uuid.uuid4().hex[:8]}",
    )
    clients, calls = [], []
    for _ in range(2):
        app = create_app(services=Services(settings))
        counter = app.server.extensions["rate_limits"]
        real = counter.script

        def counted(*args, _real=real, **kwargs):  # the real Lua call, counted
            calls.append(kwargs.get("keys"))
            return _real(*args, **kwargs)

        counter.script = counted
        clients.append(app.server.test_client())
    return clients, calls, settings


def _shared_counts(settings) -> dict[str, int]:
    import redis as redis_lib

    stored = redis_lib.Redis.from_url(settings.redis_url)
    return {
        k.decode().split(":rl:", 1)[1].split(":", 1)[0]: int(stored.get(k))
        for k in stored.scan_iter(f"{settings.key_prefix}:rl:*")
    }


def test_far_below_the_limits_requests_are_counted_together_not_one_call_each(services):
    """A feed well inside its limits does not wait on Redis for each report: the workers count in memory and send
    the counts together, and every request is still in the shared count."""
    import time

    clients, calls, settings = _two_workers(services, per_key="1000/minute", per_address="2000/minute")
    key = services.api_keys.create("laksa", roles=("report",))[1]
    codes = [
        post(clients[n % 2], report_payload(title=f"Banyak {n}"), headers={"X-API-Key": key}).status_code
        for n in range(40)
    ]
    assert codes == [201] * 40
    deadline = time.monotonic() + 5
    while _shared_counts(settings) != {"key": 40, "address": 40} and time.monotonic() < deadline:
        time.sleep(0.05)  # the workers' flushers send what they counted within a few hundredths of a second
    assert _shared_counts(settings) == {"key": 40, "address": 40}
    assert len(calls) < 30, len(calls)  # counted per request, it would be 40 calls


def test_near_the_limit_every_request_is_counted_in_redis_and_none_slips_past(services):
    """Past half its limit as a worker knows it, a window is counted in Redis request by request: across two workers
    exactly the limit is let in, then 429s."""
    clients, calls, settings = _two_workers(services, per_key="32/minute", per_address="2000/minute")
    key = services.api_keys.create("laksa", roles=("report",))[1]
    codes = [
        post(clients[n % 2], report_payload(title=f"Batas {n}"), headers={"X-API-Key": key}).status_code
        for n in range(40)
    ]
    assert codes == [201] * 32 + [429] * 8
    assert len(calls) >= 16  # the upper half at least: one call each


def test_counts_held_in_memory_when_redis_goes_away_never_refuse_a_report(services, tmp_path):
    """Redis disappears while a worker holds counts for its flusher: reports are still taken (the worker counts in
    its own memory, as when Redis is away from the start) and its limits hold there."""

    from app import create_app
    from data_feeds.runtime.embedded_redis import EmbeddedRedis
    from data_feeds.services import Services

    own = EmbeddedRedis(tmp_path / "own-redis")
    settings = services.settings.replace(
        redis_url=own.start(), rate_limit_per_key="48/minute", rate_limit_per_address="1000/minute"
    )
    try:
        client = create_app(services=Services(settings)).server.test_client()
        key = services.api_keys.create("laksa", roles=("report",))[1]
        before = [
            post(client, report_payload(title=f"Sebelum {n}"), headers={"X-API-Key": key}).status_code for n in range(6)
        ]
        assert before == [201] * 6
    finally:
        own.stop()
    after = [
        post(client, report_payload(title=f"Sesudah {n}"), headers={"X-API-Key": key}).status_code for n in range(60)
    ]
    assert set(after) == {201, 429}  # never a 5xx
    let_in = after.index(429)
    # the worker's own count of the minute from zero, plus the few it had counted for the flusher when Redis went
    # (at most a sixteenth of the limit)
    assert 48 <= let_in <= 48 + 48 // 16 and set(after[let_in:]) == {429}


def test_a_worker_keeps_a_bounded_number_of_windows_and_counts_the_rest_in_redis(redis_server, monkeypatch):
    """Many addresses at once (a spray from many machines): past MAX_TRACKED windows a worker keeps no more in
    memory, and every request beyond still counts in Redis."""
    import redis as redis_lib
    from limits import parse

    from data_feeds.access import limits

    monkeypatch.setattr(limits, "MAX_TRACKED", 3)
    prefix = f"m{uuid.uuid4().hex[:8]}"
    counter = limits.Counter(redis_server.url, prefix)
    for n in range(8):
        for _ in range(2):
            counter.charge([limits.Window("address", f"10.0.0.{n}", parse("1000/minute"))])
    assert len(counter.seen) == 3
    import time

    stored = redis_lib.Redis.from_url(redis_server.url)

    def counts():
        return sorted(int(stored.get(k)) for k in stored.scan_iter(f"{prefix}:rl:*"))

    deadline = time.monotonic() + 5
    while counts() != [2] * 8 and time.monotonic() < deadline:
        time.sleep(0.05)  # the tracked ones' second requests go with the flusher
    assert counts() == [2] * 8
