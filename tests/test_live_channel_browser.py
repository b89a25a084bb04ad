"""The wall's live link in a real Chromium against `python app.py`: changes arrive over the stream with no Dash
callback, over the fallback poll when a proxy refuses streams, and through a proxy that cuts long connections."""
from __future__ import annotations

import pytest
import requests

from data_feeds.runtime.embedded_redis import free_port
from tests.helpers import WAIT_MS, CuttingProxy, at_kelurahan, open_wall, report_payload
from tests.stack import LiveStack

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def marker(rid: str) -> str:
    return f'.lr-marker [data-report-id="{rid}"]'


def post_report(stack, title: str, kel: str = "36.71.05.1001") -> str:
    resp = requests.post(f"{stack.url}/api/v1/reports", headers=stack.headers, timeout=10,
                         json=report_payload(title=title, category="sampah", **at_kelurahan(kel)))
    assert resp.status_code == 201
    return resp.json()["id"]


def link_info(page) -> dict:
    return page.evaluate("window.liveroomLink.info()")


def test_a_change_arrives_over_the_stream_without_any_dash_callback(live_stack, page):
    open_wall(page, live_stack.enter())
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=WAIT_MS)
    assert link_info(page)["mode"] == "stream"
    callbacks = []
    page.on("request", lambda r: callbacks.append(r.url) if "_dash-update-component" in r.url else None)
    rid = post_report(live_stack, "Sampah di saluran (stream)")
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    page.wait_for_selector(f'#ticker [data-report-id="{rid}"]', timeout=WAIT_MS)
    moved = requests.post(f"{live_stack.url}/api/v1/reports/{rid}/status", headers=live_stack.headers,
                          json={"status": "diproses"}, timeout=10)
    assert moved.status_code == 200
    page.wait_for_selector(f'{marker(rid)}[data-status="diproses"]', timeout=WAIT_MS)
    assert callbacks == []  # the change reached the screen with no request from it at all
    assert link_info(page)["stats"]["resets"] == 1  # the first load only
    assert "LANGSUNG" in page.inner_text("#status-banner")
    assert page.evaluate("window.__sameDocument") is True and page.errors == []


def test_where_a_proxy_refuses_streams_the_wall_polls_and_still_follows(live_stack, page):
    page.route("**/live/events**", lambda route: route.abort())  # as a proxy that will not pass a stream
    open_wall(page, live_stack.enter())
    page.wait_for_function("() => window.liveroomLink.info().mode === 'poll' && window.liveroomLink.info().token",
                           timeout=WAIT_MS)
    rid = post_report(live_stack, "Sampah di saluran (poll)", kel="36.71.01.1001")
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    page.wait_for_selector(f'#ticker [data-report-id="{rid}"]', timeout=WAIT_MS)
    assert "LANGSUNG" in page.inner_text("#status-banner")
    assert link_info(page)["stats"]["fallbacks"] == 1 and page.errors == []


def test_a_wall_started_on_the_fallback_by_its_address_polls(live_stack, page):
    """`/?live=poll`: for a screen known to sit behind such a proxy."""
    open_wall(page, live_stack.enter(next_path="/?live=poll"))
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=WAIT_MS)
    assert link_info(page)["mode"] == "poll"
    rid = post_report(live_stack, "Sampah di saluran (alamat)", kel="36.71.10.1002")
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)


@pytest.fixture(scope="module")
def cut_stack(tmp_path_factory):
    """The product with its live channel reached only through a proxy that cuts every connection after 2 s."""
    live_port = free_port()
    proxy = CuttingProxy(live_port, cut_after_s=2.0)
    stack = LiveStack(tmp_path_factory.mktemp("cut"), demo=False,
                      env={"LIVE_PORT": str(live_port), "LIVE_URL": f"http://127.0.0.1:{proxy.port}"}).wait_ready()
    stack.proxy = proxy
    yield stack
    stack.stop()


def test_through_a_proxy_that_cuts_long_connections_every_change_still_arrives(cut_stack, page):
    open_wall(page, cut_stack.enter())
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=WAIT_MS)
    ids = []
    for n in range(3):  # spread over several cuts: each reconnect says what it had and gets what it missed
        ids.append(post_report(cut_stack, f"Sampah di saluran (putus {n})", kel=("36.71.13.1002", "36.71.02.1002", "36.71.08.1004")[n]))
        page.wait_for_timeout(1500)
    for rid in ids:
        page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    assert cut_stack.proxy.cuts >= 2
    assert link_info(page)["stats"]["resets"] == 1  # caught up each time, never reloaded whole
    assert page.errors == []


def test_a_wall_cut_off_from_the_channel_says_so_and_recovers(live_stack, page):
    """The channel stops answering (its process stopped, as a machine that hangs): the strip turns to TERPUTUS
    with the time of the last contact; when it answers again the wall catches up and says LANGSUNG."""
    import os
    import signal

    from bench.live_channel import channel_pid
    open_wall(page, live_stack.enter())
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=WAIT_MS)
    pid = channel_pid(live_stack.proc.pid)
    os.kill(pid, signal.SIGSTOP)
    try:
        page.wait_for_function("() => document.querySelector('#status-banner').innerText.includes('TERPUTUS')", timeout=60_000)
        assert "lr-status-down" in page.get_attribute("#status-banner", "class")
        rid = post_report(live_stack, "Sampah saat terputus", kel="36.71.11.1004")  # filed while the wall cannot hear
    finally:
        os.kill(pid, signal.SIGCONT)
    page.wait_for_function("() => document.querySelector('#status-banner').innerText.includes('LANGSUNG')", timeout=60_000)
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    assert page.errors == []


def test_an_open_report_table_costs_the_server_nothing_while_nothing_changes(live_stack, page):
    """It follows the channel's versions: no request from the page until something changes, then its rows."""
    post_report(live_stack, "Sampah sebelum tabel dibuka", kel="36.71.12.1002")
    page.goto(live_stack.enter("pimpinan", next_path="/laporan/"))
    page.wait_for_selector(".ag-row", timeout=WAIT_MS)
    page.wait_for_function("() => window.liveroomLink.info().heard > 0", timeout=WAIT_MS)
    page.wait_for_timeout(1500)  # the first block and the count line have been asked for
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/_dash-" in r.url or "/live/poll" in r.url else None)
    page.wait_for_timeout(7000)  # more than two of the old table's ticks (3 s), and a beat of the channel
    assert asked == []
    rid = post_report(live_stack, "Sampah di tabel", kel="36.71.12.1002")
    page.wait_for_selector(f'.ag-row [href="/laporan/{rid}"]', timeout=WAIT_MS)
    assert any("_dash-update-component" in url for url in asked) and page.errors == []


def test_several_changes_caught_up_at_once_all_reach_the_map(live_stack, page):
    """A poll (or a reconnect) hands over several versions at once; each one's markers must land (a store set
    twice in one tick keeps only the second: the link keeps the markers itself)."""
    open_wall(page, live_stack.enter(next_path="/?live=poll"))
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=WAIT_MS)
    places = ("36.71.03.1005", "36.71.06.1001", "36.71.09.1003")
    ids = []
    for n, kel in enumerate(places):
        ids.append(post_report(live_stack, f"Sampah beruntun {n}", kel=kel))
        page.wait_for_timeout(300)  # separate versions, all within one poll's wait
    for rid in ids:
        page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    assert page.errors == []
