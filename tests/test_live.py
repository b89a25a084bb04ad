"""The live path below the browser: outbox relay, snapshot versions and deltas, the indicator panels' callback
(the live channel: tests/test_channel.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from dash import no_update

from callbacks.live import PANEL_OUTPUTS, panel_outputs
from data_feeds.clock import wib_day_start
from data_feeds.live.bus import OutboxRelay
from data_feeds.live.snapshot import compute
from data_feeds.live.versions import LivePublisher, LiveState
from layouts import ids
from tests.helpers import at_kelurahan, report_payload, sign_in

PANEL = {o.component_id: i for i, o in enumerate(PANEL_OUTPUTS)}


def submit(services, **kw):
    return services.reports.submit(report_payload(**kw))[0]


def rebuild(services, publisher, now=None):
    now = now or datetime.now(timezone.utc)
    summary, markers = compute(services.store, services.routing, services.gazetteer, now, 5000)
    return publisher.publish(summary, markers, now)


@pytest.mark.store
def test_relay_publishes_each_event_once_in_order(services):
    a = submit(services)
    services.reports.change_status(a["id"], {"status": "diproses"})
    b = submit(services)
    relay = OutboxRelay(services.store, services.redis, services.keys)
    assert relay.drain_once() == 3
    assert relay.drain_once() == 0
    entries = services.redis.xrange(services.keys.events)
    payloads = [json.loads(fields[b"e"]) for _, fields in entries]
    assert [(p["report_id"], p["to"]) for p in payloads] == [
        (a["id"], "baru"),
        (a["id"], "diproses"),
        (b["id"], "baru"),
    ]
    assert services.store.outbox_backlog() == 0


@pytest.mark.store
def test_relay_does_not_duplicate_after_crash_between_publish_and_mark(services, monkeypatch):
    submit(services)
    submit(services)
    relay = OutboxRelay(services.store, services.redis, services.keys)
    monkeypatch.setattr(services.store, "mark_published", lambda seqs, when: None)  # crash: marks never land
    relay.drain_once()
    monkeypatch.undo()
    assert services.store.outbox_backlog() == 2  # still pending in the store...
    assert relay.drain_once() == 2  # ...published again after "restart"
    assert services.redis.xlen(services.keys.events) == 2  # but the stream holds each event once
    assert services.store.outbox_backlog() == 0


@pytest.mark.store
def test_published_outbox_rows_are_pruned_and_the_next_event_is_still_published(services):
    relay = OutboxRelay(services.store, services.redis, services.keys)
    for n in range(3):
        submit(services, title=f"Jalan rusak {n}")
    relay.drain_once()
    pending = submit(services, title="Belum terkirim")  # not yet in the stream: never pruned
    assert services.store.prune_outbox() == 3
    assert services.store.outbox_size() == 1 and services.store.outbox_backlog() == 1
    relay.drain_once()
    assert services.store.prune_outbox() == 0  # the newest row stays: its seq is never handed out again
    after = submit(services, title="Sesudah pemangkasan")
    assert relay.drain_once() == 1  # a fresh seq: the stream takes it (a reused one would be refused as published)
    created = [json.loads(f[b"e"])["report_id"] for _, f in services.redis.xrange(services.keys.events)]
    assert created[-2:] == [pending["id"], after["id"]] and len(created) == 5


def test_snapshot_versions_carry_only_changed_markers(services):
    pub = LivePublisher(services.redis, services.keys)
    submit(services)
    assert rebuild(services, pub)
    start = services.live.version()
    assert rebuild(services, pub) is False  # nothing changed: no new version
    new = submit(services, title="Pohon tumbang di jalan", category="pohon_tumbang")
    assert rebuild(services, pub)
    change = services.live.since(start)
    assert change["state"].version == start.version + 1
    assert [f["id"] for f in change["upserts"]] == [new["id"]]
    assert change["upserts"][0]["properties"]["s"] == "baru"
    assert change["summary"]["kpi"]["baru"] == 2


@pytest.mark.store
def test_indicator_panels_travel_apart_and_only_when_a_figure_changes(services):
    import json

    pub = LivePublisher(services.redis, services.keys)
    services.indicators.seed()
    submit(services)
    assert rebuild(services, pub)
    stored = json.loads(services.redis.get(services.keys.summary))
    assert "indicators" not in stored and stored["indicators_mark"]  # the version carries only the mark
    assert (
        services.live.summary()["indicators"]["tangerang_bisa"]["36.71"]["value"] == 9891
    )  # the reader puts them back
    services.redis.set(services.keys.indicators, json.dumps({"indicators": {"sentinel": {}}}))
    submit(services, title="Pohon tumbang", category="pohon_tumbang")  # a report: a new version, the same figures
    assert rebuild(services, pub)
    assert json.loads(services.redis.get(services.keys.indicators)) == {"indicators": {"sentinel": {}}}  # not rewritten
    services.indicators.record(
        [{"indicator": "tangerang_bisa", "as_of": "2024-01-31", "value": 9900, "source": "Diskop UKM"}]
    )
    assert rebuild(services, pub)
    assert services.live.summary()["indicators"]["tangerang_bisa"]["36.71"]["value"] == 9900


def test_reader_asks_for_full_reload_on_new_epoch_or_gap(services):
    pub = LivePublisher(services.redis, services.keys)
    submit(services)
    rebuild(services, pub)
    have = services.live.version()
    assert services.live.since(LiveState("other", have.version)) is None
    services.redis.delete(services.keys.version)  # Redis restarted empty
    submit(services)
    rebuild(services, pub)
    now = services.live.version()
    assert now.epoch != have.epoch and now.version == 1
    assert services.live.since(have) is None


@pytest.mark.store
def test_kpis_count_today_in_wib(services):
    now = datetime(2026, 11, 23, 18, 30, tzinfo=timezone.utc)  # 01:30 WIB on the 24th
    assert wib_day_start(now) == datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)
    services.reports.clock = lambda: now
    submit(services, reported_at="2026-11-24T00:10:00+07:00")  # today, WIB
    submit(services, reported_at="2026-11-23T23:50:00+07:00")  # yesterday, WIB (though the same UTC day)
    r = submit(services, reported_at="2026-11-24T01:00:00+07:00")
    services.reports.clock = lambda: now + timedelta(minutes=10)
    services.reports.change_status(r["id"], {"status": "diproses"})
    summary, markers = compute(services.store, services.routing, services.gazetteer, now + timedelta(minutes=11), 5000)
    k = summary["kpi"]
    assert (k["today"], k["baru"], k["diproses"]) == (2, 2, 1)
    assert k["ttfr_median_s"] == 40 * 60 and k["ttfr_n"] == 1  # 01:00 -> 01:40 WIB
    assert summary["kecamatan"]["36.71.07"] == {"baru": 2, "diproses": 1, "selesai_today": 0}
    assert len(markers) == 3


@pytest.mark.store
def test_indicators_page_shows_the_stored_figures_while_redis_is_down(services):

    from data_feeds.runtime.embedded_redis import free_port
    from data_feeds.services import Services

    services.indicators.seed()
    dead = Services(services.settings.replace(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    out = panel_outputs(dead, None, None, "open", "/indikator", "id")
    economy = json.dumps(out[PANEL[ids.pillar_body("economy")]], default=lambda c: c.to_plotly_json())
    assert "9.891" in economy and "Tangerang BISA" in economy
    vacc = json.dumps(out[PANEL[ids.VACC_PANEL]], default=lambda c: c.to_plotly_json())
    assert "2.130.166" in vacc
    on_wall = panel_outputs(dead, None, None, "open", "/", "id")
    assert on_wall[PANEL[ids.pillar_body("economy")]] is no_update  # the cards are built only while their page is open


def test_markers_endpoint_gives_the_whole_map_without_personal_data(services, client):
    pub = LivePublisher(services.redis, services.keys)
    a = submit(services, reporter={"name": "Siti Aminah", "phone": "0812 1111 2222"})
    b = submit(services, title="Sampah menumpuk", category="sampah")
    rebuild(services, pub)
    sign_in(client, services, "pimpinan")
    resp = client.get("/api/v1/live/markers")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    assert resp.headers["X-Live-Version"] == services.live.version().token()
    fc = resp.get_json()
    assert fc["type"] == "FeatureCollection"
    assert {f["id"] for f in fc["features"]} == {a["id"], b["id"]}
    assert "Siti" not in resp.get_data(as_text=True)


@pytest.mark.store
def test_per_kecamatan_views_add_up_to_the_city(services):
    from tests.helpers import area_view

    submit(services, **at_kelurahan("36.71.07.1011"))  # Karawaci
    submit(services, **at_kelurahan("36.71.07.1001"))  # Karawaci
    r = submit(services, **at_kelurahan("36.71.13.1002"))  # Larangan
    services.reports.change_status(r["id"], {"status": "diproses"})
    summary, _ = compute(services.store, services.routing, services.gazetteer, datetime.now(timezone.utc), 5000)
    kpi, ticker, _sla = area_view(summary, "36.71.07")
    assert (kpi["baru"], kpi["diproses"], kpi["today"]) == (2, 0, 2)
    assert {row["kecamatan"] for row in ticker} == {"Karawaci"}
    larangan, _, _ = area_view(summary, "36.71.13")
    assert (larangan["baru"], larangan["diproses"], larangan["ttfr_n"]) == (0, 1, 1)
    city, city_ticker, _ = area_view(summary, None)
    for key in ("today", "baru", "diproses", "selesai_today"):
        assert city[key] == sum(k[key] for k in summary["kpi_by_kec"].values())
    assert len(city_ticker) == 3
    assert summary["kelurahan"] == {"36.71.07.1011": 1, "36.71.07.1001": 1, "36.71.13.1002": 1}


def test_selection_toggles_and_resets():
    from callbacks.selection import next_selection

    click = {"properties": {"kode_kec": "36.71.07"}}
    assert next_selection(ids.MAP_KECAMATAN, click, None) == "36.71.07"
    assert next_selection(ids.MAP_KECAMATAN, click, "36.71.07") is None  # the same kecamatan again: back to the city
    assert next_selection(ids.MAP_KECAMATAN, {"properties": {"kode_kec": "36.71.13"}}, "36.71.07") == "36.71.13"
    assert next_selection(ids.SCOPE_RESET, click, "36.71.07") is None
    assert next_selection(ids.MAP_KECAMATAN, {"properties": {}}, "36.71.07") == "36.71.07"
    kel = {"properties": {"kode_kel": "36.71.07.1014", "kode_kec": "36.71.07"}}
    assert next_selection(ids.MAP_KELURAHAN, kel, "36.71.07") == "36.71.07.1014"  # into a kelurahan of it
    assert next_selection(ids.MAP_KELURAHAN, kel, "36.71.07.1014") == "36.71.07"  # again: up to its kecamatan
    assert next_selection(ids.AREA_PICKER, None, "36.71.07", "36.71.02.1003") == "36.71.02.1003"
    assert next_selection(ids.AREA_PICKER, None, "36.71.07", None) is None  # the picker cleared: the city
    assert next_selection(ids.AREA_UP_KEC, None, "36.71.07.1014") == "36.71.07"
    assert next_selection(ids.AREA_UP_CITY, None, "36.71.07.1014") is None


def test_choropleth_classes_are_fixed_and_missing_figures_stay_missing(services):
    from geodata import choropleth

    counts = {"36.71.05": {"baru": 30, "diproses": 0}, "36.71.03": {"baru": 1, "diproses": 0}}
    open_ = choropleth.values("open", counts, services.gazetteer)
    assert open_["36.71.05"] == 30 and open_["36.71.03"] == 1 and open_["36.71.13"] == 0
    per_10k = choropleth.values("open_per_10k", counts, services.gazetteer)
    assert per_10k["36.71.05"] == round(30 / 248210 * 10_000, 2)  # Cipondoh, SP2020 population
    assert per_10k["36.71.13"] is None  # Larangan: population not known yet, so no value, not zero
    assert set(choropleth.values("vaccination", counts, services.gazetteer).values()) == {None}
    assert [c[2] for c in choropleth.classes("open")] == choropleth.PALETTE
    assert choropleth.classes("open")[0][0] is None and choropleth.classes("open")[-1][1] is None


def test_an_agency_view_counts_its_own_markers_against_the_map_limit(services):
    """With more open reports than the map holds, an agency's wall says how many of its own are shown."""
    from data_feeds.live.snapshot import agency_scopes, for_viewer

    for n in range(4):
        submit(services, title=f"Jalan rusak {n}")  # DPUPR
    submit(services, title="Banjir", category="banjir")  # BPBD
    summary, markers = compute(
        services.store,
        services.routing,
        services.gazetteer,
        datetime.now(timezone.utc),
        3,
        scopes=agency_scopes(services.store, services.routing),
    )
    dpupr = for_viewer(summary, summary["by_opd"]["dpupr"])
    assert dpupr["markers_total"] == 4 and dpupr["markers_shown"] == sum(
        m["properties"]["o"] == "dpupr" for m in markers.values()
    )
    assert dpupr["markers_shown"] < 4 and dpupr["kpi"]["baru"] == 4 and summary["kpi"]["baru"] == 5
    assert [row["title"] for row in dpupr["ticker"]] == [
        "Jalan rusak 3",
        "Jalan rusak 2",
        "Jalan rusak 1",
        "Jalan rusak 0",
    ]


def test_the_event_stream_is_trimmed_and_keeps_refusing_a_row_published_twice(services, monkeypatch):
    from data_feeds.live import bus

    monkeypatch.setattr(bus, "STREAM_MAXLEN", 100)
    relay = OutboxRelay(services.store, services.redis, services.keys, batch=50)
    for n in range(600):
        submit(services, title=f"Laporan {n}")
    while relay.drain_once():
        pass
    assert services.redis.xlen(services.keys.events) < 300  # trimmed (in whole nodes of 100) from 600
    last = services.redis.xrevrange(services.keys.events, count=1)[0][0]
    with pytest.raises(Exception, match="equal or smaller"):  # the newest stays: a republished row is refused
        services.redis.xadd(services.keys.events, {"e": "again"}, id=last)
