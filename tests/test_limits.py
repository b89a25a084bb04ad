"""Rate limits: per key and per address, shared by every worker through Redis, answered 429 with Retry-After
in each door's error shape; the wall is never limited, and a Redis outage never refuses a report."""
from __future__ import annotations

import uuid

import pytest

from tests.helpers import post, report_payload, sign_in, store_counts


@pytest.fixture
def limited(services, redis_server):
    """Two web apps ("workers") on the same store and Redis, with small limits: 5 a minute per key, 8 per address."""
    from dataclasses import replace

    from app import create_app
    from data_feeds.runtime.services import Services
    settings = replace(services.settings, rate_limit_per_key="5/minute", rate_limit_per_address="8/minute",
                       key_prefix=f"l{uuid.uuid4().hex[:8]}")
    workers = []
    for _ in range(2):
        svc = Services(settings)
        svc.test_keys = services.test_keys
        workers.append(create_app(services=svc).server.test_client())
    return workers


def test_a_key_past_its_limit_gets_429_with_retry_after_and_nothing_stored(limited, services):
    one, other = limited
    codes = [post(w, report_payload(title=f"Laporan {n}"), headers={"X-API-Key": services.test_keys["laksa"]}).status_code
             for n, w in enumerate([one, other, one, other, one])]
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
    assert resp.status_code == 429 and resp.get_json()["error"]["field"] is None and "from this address" in resp.get_json()["error"]["reason"]
    assert "Retry-After" in resp.headers


def test_open311_answers_429_as_its_error_list(limited, services):
    one, _ = limited
    form = {"api_key": services.test_keys["laksa"], "service_code": "sampah", "lat": "-6.1805", "long": "106.6297"}
    codes = [one.post("/open311/v2/requests.json", data={**form, "description": f"Sampah {n}"}).status_code for n in range(6)]
    assert codes[:5] == [201] * 5 and codes[5] == 429
    body = one.post("/open311/v2/requests.xml", data=form)
    assert body.status_code == 429 and b"<errors><error><code>429</code>" in body.data


def test_the_wall_and_public_reads_are_never_limited(limited, services):
    one, _ = limited
    sign_in(one, services, "pimpinan")
    assert all(one.get(path).status_code == 200 for _ in range(12) for path in ("/_dash-layout", "/healthz", "/api/v1/live/markers"))


def test_a_report_is_taken_when_the_limits_cannot_be_counted(services):
    """Redis gone: the limiter counts in the worker's memory rather than refuse a citizen's report."""
    from dataclasses import replace

    from app import create_app
    from data_feeds.runtime.embedded_redis import free_port
    from data_feeds.runtime.services import Services
    svc = Services(replace(services.settings, redis_url=f"redis://127.0.0.1:{free_port()}/0", rate_limit_per_key="5/minute"))
    client = create_app(services=svc).server.test_client()
    codes = [post(client, report_payload(title=f"Saat Redis mati {n}"), headers={"X-API-Key": services.test_keys["laksa"]}).status_code
             for n in range(6)]
    assert codes[:5] == [201] * 5 and codes[5] == 429



def test_every_window_of_a_request_is_counted_whichever_is_passed(services):
    """One request counts in all its windows at once (one Redis call): a refused request still counts against
    the address, and a key's windows count only the requests presenting it."""
    from dataclasses import replace

    import redis as redis_lib

    from app import create_app
    from data_feeds.runtime.services import Services
    prefix = f"w{uuid.uuid4().hex[:8]}"
    svc = Services(replace(services.settings, rate_limit_per_key="5/minute;50/hour", rate_limit_per_address="100/minute",
                           key_prefix=prefix))
    client = create_app(services=svc).server.test_client()
    key = services.api_keys.create("laksa", roles=("report",))[1]
    codes = [post(client, report_payload(title=f"Jendela {n}"), headers={"X-API-Key": key}).status_code for n in range(6)]
    client.get("/api/v1/reports")  # a read without a key: not counted anywhere
    assert codes == [201] * 5 + [429]
    stored = redis_lib.Redis.from_url(svc.settings.redis_url)
    counts = {k.decode().split(":rl:", 1)[1]: int(stored.get(k)) for k in stored.scan_iter(f"{prefix}:rl:*")}
    key_id = key.split("_")[1]
    assert counts == {f"key:{key_id}:5/60": 6, f"key:{key_id}:50/3600": 6, "address:127.0.0.1:100/60": 6}
