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
    resp = requests.post(
        f"{stack.url}/api/v1/reports",
        headers=stack.headers,
        timeout=10,
        json=report_payload(title=title, category="sampah", **at_kelurahan(kel)),
    )
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
    moved = requests.post(
        f"{live_stack.url}/api/v1/reports/{rid}/status",
        headers=live_stack.headers,
        json={"status": "diproses"},
        timeout=10,
    )
    assert moved.status_code == 200
    page.wait_for_selector(f'{marker(rid)}[data-status="diproses"]', timeout=WAIT_MS)
    assert callbacks == []  # the change reached the screen with no request from it at all
    assert link_info(page)["stats"]["resets"] == 1  # the first load only
    assert "LANGSUNG" in page.inner_text("#status-banner")
    assert page.evaluate("window.__sameDocument") is True and page.errors == []


def test_where_a_proxy_refuses_streams_the_wall_polls_and_still_follows(live_stack, page):
    page.route("**/live/events**", lambda route: route.abort())  # as a proxy that will not pass a stream
    open_wall(page, live_stack.enter())
    page.wait_for_function(
        "() => window.liveroomLink.info().mode === 'poll' && window.liveroomLink.info().token", timeout=WAIT_MS
    )
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


def proxied_stack(folder, cut_after_s: float) -> LiveStack:
    """The product with its live channel reached only through a CuttingProxy (stack.proxy)."""
    live_port = free_port()
    proxy = CuttingProxy(live_port, cut_after_s=cut_after_s)
    stack = LiveStack(
        folder, demo=False, env={"LIVE_PORT": str(live_port), "LIVE_URL": f"http://127.0.0.1:{proxy.port}"}
    ).wait_ready()
    stack.proxy = proxy
    return stack


@pytest.fixture(scope="module")
def cut_stack(tmp_path_factory):
    """A proxy that cuts every connection after 2 s."""
    stack = proxied_stack(tmp_path_factory.mktemp("cut"), 2.0)
    yield stack
    stack.stop()


def test_through_a_proxy_that_cuts_long_connections_every_change_still_arrives(cut_stack, page):
    open_wall(page, cut_stack.enter())
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=WAIT_MS)
    ids = []
    for n in range(3):  # spread over several cuts: each reconnect says what it had and gets what it missed
        ids.append(
            post_report(
                cut_stack, f"Sampah di saluran (putus {n})", kel=("36.71.13.1002", "36.71.02.1002", "36.71.08.1004")[n]
            )
        )
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
        page.wait_for_function(
            "() => document.querySelector('#status-banner').innerText.includes('TERPUTUS')", timeout=60_000
        )
        assert "lr-status-down" in page.get_attribute("#status-banner", "class")
        held_says(page)
        rid = post_report(live_stack, "Sampah saat terputus", kel="36.71.11.1004")  # filed while the wall cannot hear
    finally:
        os.kill(pid, signal.SIGCONT)
    page.wait_for_function(
        "() => document.querySelector('#status-banner').innerText.includes('LANGSUNG')", timeout=60_000
    )
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    assert not page.evaluate("document.documentElement.classList.contains('lr-cut')")
    assert page.errors == []


def held_says(page) -> None:
    """Cut off: every panel shows how old its figures are, and the clock is marked as the device's own."""
    panels = page.evaluate("""() => Array
        .from(document.querySelectorAll('.lr-map-wrap, .lr-kpis, .lr-panel:not([hidden])'))
        .map(p => [p.className, p.getAttribute('data-age'), getComputedStyle(p, '::after').content])""")
    assert len(panels) >= 5
    for cls, age, shown in panels:
        assert age and "lalu" in age and "WIB" in age, (cls, age)
        assert age in shown, (cls, shown)  # drawn over the panel, not only an attribute
    clock = page.evaluate("getComputedStyle(document.querySelector('#clock'), '::after').content")
    assert "jam perangkat" in clock


@pytest.fixture(scope="module")
def cable_stack(tmp_path_factory):
    """A proxy that can be unplugged (a cable pulled)."""
    stack = proxied_stack(tmp_path_factory.mktemp("cable"), 3600)
    yield stack
    stack.stop()


def test_a_wall_whose_browser_goes_offline_says_so_and_is_live_again_soon_after(cable_stack, page):
    """The browser loses the network for longer than two beats (the browser offline, and the stream it had cut, as
    a pulled cable does: Chromium's offline switch alone keeps an open stream): TERPUTUS with every panel's age;
    back online, LANGSUNG again within seconds (not after a long backoff), with what was filed meanwhile."""
    import time

    live_stack = cable_stack
    open_wall(page, live_stack.enter())
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=WAIT_MS)
    page.context.set_offline(True)
    live_stack.proxy.unplug()
    try:
        page.wait_for_function(
            "() => document.querySelector('#status-banner').innerText.includes('TERPUTUS')", timeout=60_000
        )
        held_says(page)
        rid = post_report(live_stack, "Sampah saat luring", kel="36.71.11.1004")
        page.wait_for_timeout(12_000)  # long enough to have failed several times: the backoff has grown
    finally:
        live_stack.proxy.plug()
        page.context.set_offline(False)
    back = time.monotonic()
    page.wait_for_function(
        "() => document.querySelector('#status-banner').innerText.includes('LANGSUNG')", timeout=60_000
    )
    page.wait_for_selector(marker(rid), timeout=WAIT_MS)
    print(
        f"online -> LANGSUNG and the new marker: {time.monotonic() - back:.1f} s"
    )  # the 5 s of the issue: seen, not asserted
    assert not page.evaluate("document.documentElement.classList.contains('lr-cut')")


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


def test_a_wall_keeps_no_history_of_the_views_it_showed(live_stack, page):
    """Dash keeps every set_props of a callback's input for undo and never lets go (plotly/dash#727): a wall left
    for a week would hold every view it drew. The link keeps only the entry Dash's error recovery reads."""
    open_wall(page, live_stack.enter())
    page.wait_for_function("() => window.liveroomLink.info().token", timeout=WAIT_MS)
    for n in range(12):
        rid = post_report(live_stack, f"Sampah sejarah {n}", kel="36.71.07.1002")
        page.wait_for_selector(f'#ticker [data-report-id="{rid}"]', timeout=WAIT_MS)
    assert page.evaluate("window.liveroomLink.info().stats.messages") >= 12  # each change went into Dash
    # not one entry per change (20 here without the trim): the last, and what a component (the clock's interval)
    # recorded since, let go at the next change
    assert page.evaluate("window.liveroomLink.historyLength()") <= 3
    # the wall still draws what comes next
    rid = post_report(live_stack, "Sampah sesudah sejarah", kel="36.71.07.1002")
    page.wait_for_selector(f'#ticker [data-report-id="{rid}"]', timeout=WAIT_MS)
    assert page.errors == []
