"""Redis dies or hangs while reports arrive: nothing accepted is lost, the wall says so, then recovers."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from data_feeds.reports.repository import ReportRepository
from data_feeds.store import Store
from geodata import gazetteer
from tests.helpers import WAIT_MS, open_wall, report_payload, wait_until

pytestmark = [pytest.mark.stack]


def spread_payloads(n: int, seed: int = 7) -> list[dict]:
    """Reports at random kelurahan points (near their representative points: inside the city)."""
    rng = random.Random(seed)
    places = list(gazetteer.load().kelurahan.values())
    out = []
    for i in range(n):
        p = rng.choice(places)
        out.append(report_payload(title=f"Laporan uji gangguan {i}", lat=round(p.lat, 6), lon=round(p.lon, 6)))
    return out


def health(stack) -> dict:
    return requests.get(f"{stack.url}/healthz", timeout=10).json()


@pytest.mark.browser
def test_killing_redis_mid_burst_loses_nothing_and_the_wall_recovers(live_stack, page):
    open_wall(page, live_stack.enter())
    epoch_before = health(live_stack)["live"]["version"].split(":")[0]
    payloads = spread_payloads(150)
    accepted, refused = [], []

    def post_all():
        with requests.Session() as s:
            for body in payloads:
                r = s.post(f"{live_stack.url}/api/v1/reports", headers=live_stack.headers, json=body, timeout=30)
                (accepted if r.status_code == 201 else refused).append(
                    r.json()["id"] if r.status_code == 201 else r.status_code
                )
                time.sleep(0.01)

    poster = threading.Thread(target=post_all)
    poster.start()
    wait_until(lambda: len(accepted) >= 30)
    os.kill(live_stack.redis_pid(), signal.SIGKILL)
    poster.join(timeout=120)
    assert refused == []
    assert len(accepted) == len(payloads)

    # Every 201 is in the store.
    store = Store(f"sqlite:///{live_stack.data_dir / 'liveroom.db'}")
    assert set(accepted) <= ReportRepository(store).report_ids()
    baru_in_store = sum(1 for _ in accepted)  # all new, none moved
    store.dispose()

    # Redis is back (restarted by app.py), the outbox drained, and a new snapshot epoch began.
    wait_until(lambda: health(live_stack)["redis"]["up"] and health(live_stack)["store"]["outbox_pending"] == 0)
    wait_until(lambda: (health(live_stack)["live"]["version"] or ":").split(":")[0] not in ("", epoch_before))
    # The open page, never reloaded, catches up with the store.
    page.wait_for_function(
        f"() => Number(document.querySelector('#kpi-baru').innerText.replace(/\\./g,'')) >= {baru_in_store}",
        timeout=WAIT_MS,
    )
    assert "Laporan uji gangguan 149" in page.inner_text("#ticker")
    assert page.evaluate("window.__sameDocument") is True
    # the banner clears with the worker's next heartbeat in the new Redis (it can trail the figures by a poll)
    page.wait_for_selector("#status-banner.lr-status-ok", timeout=WAIT_MS)


@pytest.mark.browser
def test_a_hung_redis_is_shown_on_the_wall_and_clears_when_it_answers(live_stack, page):
    open_wall(page, live_stack.enter())
    pid = live_stack.redis_pid()
    os.kill(pid, signal.SIGSTOP)  # hangs without dying: the supervisor cannot tell, the wall must
    try:
        rid = requests.post(
            f"{live_stack.url}/api/v1/reports",
            headers=live_stack.headers,
            json=report_payload(title="Laporan saat Redis macet"),
            timeout=10,
        )
        assert rid.status_code == 201  # intake does not wait on Redis
        page.wait_for_selector("#status-banner.lr-status-down", timeout=WAIT_MS)
        assert "Redis" in page.inner_text("#status-banner")
    finally:
        os.kill(pid, signal.SIGCONT)
    page.wait_for_selector("#status-banner.lr-status-ok", timeout=WAIT_MS)
    page.wait_for_selector(f'#ticker [data-report-id="{rid.json()["id"]}"]', timeout=WAIT_MS)


def test_killing_the_api_server_mid_burst_loses_no_acknowledged_report(live_stack):
    """SIGKILL to the web server (master and workers) while reports arrive: app.py restarts it, and every
    report that was answered 201 is in the store."""
    payloads = spread_payloads(300, seed=11)
    accepted, failed = [], []

    def post_all(chunk):
        with requests.Session() as s:
            for body in chunk:
                try:
                    r = s.post(f"{live_stack.url}/api/v1/reports", headers=live_stack.headers, json=body, timeout=30)
                except requests.RequestException:
                    failed.append(body["title"])  # refused or cut off: never acknowledged
                    time.sleep(0.05)
                    continue
                (accepted if r.status_code == 201 else failed).append(
                    r.json()["id"] if r.status_code == 201 else r.status_code
                )

    posters = [threading.Thread(target=post_all, args=(payloads[i::4],)) for i in range(4)]
    for t in posters:
        t.start()
    wait_until(lambda: len(accepted) >= 60)
    master = int((live_stack.data_dir / "web.pid").read_text())
    os.killpg(master, signal.SIGKILL)  # master and workers at once, mid-request
    for t in posters:
        t.join(timeout=180)
    assert len(accepted) + len(failed) == len(payloads)
    assert failed, "the kill should have cut some requests off"
    wait_until(lambda: _answers(f"{live_stack.url}/healthz"), timeout=60)
    new_master = int((live_stack.data_dir / "web.pid").read_text())
    assert new_master != master  # app.py started a new server
    store = Store(f"sqlite:///{live_stack.data_dir / 'liveroom.db'}")
    assert set(accepted) <= ReportRepository(store).report_ids()
    store.dispose()


def _workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return {int(pid) for pid in children.read_text().split()} if children.exists() else set()


def test_a_killed_web_worker_is_replaced_alone_while_the_other_serves(live_stack):
    """Issue 27 finding 6: SIGKILL of one granian worker took both down (2,450 of 3,000 POSTs got connection
    errors). Now the master stays, the other worker answers throughout, and a new worker takes the dead one's place."""
    master = int((live_stack.data_dir / "web.pid").read_text())
    workers = wait_until(lambda: _workers(master) if len(_workers(master)) == 2 else None)
    victim = min(workers)
    answers, stop = [], threading.Event()

    def probe():
        with requests.Session() as s:
            while not stop.is_set():
                try:
                    answers.append(s.get(f"{live_stack.url}/healthz", timeout=5).status_code)
                except requests.RequestException:
                    answers.append(None)

    prober = threading.Thread(target=probe)
    prober.start()
    wait_until(lambda: len(answers) >= 20)
    os.kill(victim, signal.SIGKILL)
    replaced = wait_until(lambda: (w := _workers(master)) and len(w) == 2 and victim not in w and w, timeout=60)
    after = len(answers)
    wait_until(lambda: len(answers) >= after + 20)
    stop.set()
    prober.join()
    assert int((live_stack.data_dir / "web.pid").read_text()) == master  # the same server: not restarted whole
    assert replaced - workers and answers.count(200) >= len(answers) - 2, answers.count(
        None
    )  # at most the dead one's own


def test_redis_stopped_during_1000_posts_every_event_reaches_the_stream_once(live_stack):
    """Redis is stopped (SIGSTOP) for the whole middle of a 1,000-report burst: every 201 is stored,
    and once Redis answers again every report's event is in the stream exactly once, and the
    dashboards' snapshot counts each report once."""
    import json

    import redis as redis_lib

    from data_feeds.live.bus import Keys

    client = redis_lib.Redis.from_url(live_stack.redis_url())
    keys = Keys("liveroom")
    payloads = spread_payloads(1000, seed=23)
    accepted, refused = [], []

    def post_all(chunk):
        with requests.Session() as s:
            for body in chunk:
                r = s.post(f"{live_stack.url}/api/v1/reports", headers=live_stack.headers, json=body, timeout=60)
                (accepted if r.status_code == 201 else refused).append(
                    r.json()["id"] if r.status_code == 201 else r.text
                )

    posters = [threading.Thread(target=post_all, args=(payloads[i::4],)) for i in range(4)]
    for t in posters:
        t.start()
    wait_until(lambda: len(accepted) >= 100)
    pid = live_stack.redis_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_until(lambda: len(accepted) >= 900, timeout=180)  # most of the burst lands while Redis is stopped
        assert health(live_stack)["store"]["outbox_pending"] > 0  # held in the outbox, not dropped
    finally:
        os.kill(pid, signal.SIGCONT)
    for t in posters:
        t.join(timeout=180)
    assert refused == [] and len(accepted) == 1000

    store = Store(f"sqlite:///{live_stack.data_dir / 'liveroom.db'}")
    assert set(accepted) <= ReportRepository(store).report_ids()
    store.dispose()
    wait_until(lambda: health(live_stack)["store"]["outbox_pending"] == 0, timeout=60)
    entries = [json.loads(fields[b"e"]) for _id, fields in client.xrange(keys.events, "-", "+")]
    created = [e["report_id"] for e in entries if e["kind"] == "created" and e["report_id"] in set(accepted)]
    assert sorted(created) == sorted(accepted)  # each report's event once: none missing, none twice
    event_ids = [e["event_id"] for e in entries if e["kind"] != "indicator"]  # (a figure's mark is no report event)
    assert len(event_ids) == len(set(event_ids))
    # what the dashboards read counts each stored report once (no report here has moved on from baru)
    with Store(f"sqlite:///{live_stack.data_dir / 'liveroom.db'}").read() as conn:
        stored_baru = conn.exec_driver_sql("SELECT count(*) FROM reports WHERE status = 'baru'").scalar_one()
    wait_until(lambda: json.loads(client.get(keys.summary))["kpi"]["baru"] == stored_baru, timeout=60)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_two_hundred_slow_clients_do_not_stop_the_server(live_stack):
    """Sockets that send a request body a byte at a time hold no worker: the server still answers health
    checks, takes reports and serves the wall (gunicorn's threaded workers did none of it with 40)."""
    import socket

    head = (
        f"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{live_stack.port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: 100000\r\n\r\n"
    ).encode()
    socks = [socket.create_connection(("127.0.0.1", live_stack.port), timeout=5) for _ in range(200)]

    def trickle(data: bytes) -> None:
        for s in socks:
            try:
                s.send(data)
            except OSError:
                pass  # the server may drop a client that stalls: that is a fine answer too

    try:
        trickle(head + b"{")
        for _ in range(3):  # still trickling while the server is asked
            trickle(b" ")
            assert requests.get(f"{live_stack.url}/healthz", timeout=10).status_code == 200
            time.sleep(1)
        created = requests.post(
            f"{live_stack.url}/api/v1/reports",
            headers=live_stack.headers,
            timeout=10,
            json=report_payload(title="Laporan di tengah klien lambat"),
        )
        assert created.status_code == 201
        assert live_stack.session().get(f"{live_stack.url}/", timeout=10).status_code == 200
    finally:
        for s in socks:
            s.close()
