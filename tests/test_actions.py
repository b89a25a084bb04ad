"""Acting on reports from the card: operators forward, reassign, mark duplicates, refuse and escalate; the
report's agency starts work and resolves it with evidence uploaded from the browser (checked by content).
Each callback is replayed as the browser sends it, by the right role and by the wrong ones."""

from __future__ import annotations

import pytest

from tests.helpers import CARD_STATE, act, call_callback, csrf_headers, person, post, report_payload, store_counts


@pytest.fixture
def road(client):
    """A new road report (routed to DPUPR), with the reporter's contact."""
    return post(client, report_payload(reporter={"name": "Siti Aminah", "phone": "0812 1111 2222"})).get_json()["id"]


def test_an_operator_forwards_a_report_as_themself(app, services, road):
    http, me = person(app, services, "operator")
    said, out = act(http, road, "act-forward", opd="dlh", note="Bukan jalan: saluran tersumbat")
    assert said == "Diteruskan ke Dinas Lingkungan Hidup."
    report = services.reports.get(road)
    assert report["status"] == "diproses" and report["opd"]["code"] == "dlh"
    assert report["events"][-1]["actor"] == me.name and report["events"][-1]["note"] == "Bukan jalan: saluran tersumbat"
    assert "Siti Aminah" in str(out["report-card-body"])  # the operator calls back: the contact is on the card
    audit = [r for r in services.store.audit_log() if r["action"] == "act_forward"]
    assert [(r["actor"], r["outcome"], r["report_id"]) for r in audit] == [(me.username, "allowed", road)]
    said, _ = act(http, road, "act-forward", opd="dpupr")  # reassign to another agency
    assert services.reports.get(road)["events"][-1]["kind"] == "reassigned"


def test_operators_refuse_with_a_reason_mark_duplicates_and_escalate(app, services, client, road):
    http, _me = person(app, services, "operator")
    said, _ = act(http, road, "act-reject")
    # in the page's words, never the machine's field name or English
    assert said == "Tidak tersimpan: penolakan memerlukan alasan" and services.reports.get(road)["status"] == "baru"
    said, _ = act(http, road, "act-escalate", note="Lubang di depan sekolah, berbahaya")
    assert said == "Dieskalasi ke pimpinan." and services.reports.get(road)["events"][-1]["kind"] == "escalated"
    other = post(client, report_payload()).get_json()["id"]
    said, _ = act(http, other, "act-duplicate", dup_of=road)
    assert said == "Ditandai duplikat." and services.reports.get(other)["duplicate_of"] == road
    said, _ = act(http, road, "act-reject", note="Bukan kewenangan kota")
    assert services.reports.get(road)["status"] == "ditolak"


@pytest.mark.parametrize("role", ["pimpinan", "penilai", "admin", "opd"])
def test_forwarding_by_anyone_but_an_operator_is_refused_and_changes_nothing(app, services, road, role):
    http, _ = person(app, services, role, **({"opds": ("dpupr",)} if role == "opd" else {}))
    before = store_counts(services)
    said, _ = act(http, road, "act-forward", opd="dlh")
    assert said.startswith("Tidak tersimpan") and store_counts(services) == before
    assert services.reports.get(road)["status"] == "baru"
    assert [r["outcome"] for r in services.store.audit_log() if r["action"] == "act_forward"] == ["refused"]


def test_an_agency_cannot_act_on_another_agencys_report(app, services, road):
    http, _ = person(app, services, "opd", opds=("bpbd",))
    said, _ = act(http, road, "act-process")
    assert said == "Tidak tersimpan: laporan tidak ditemukan" and services.reports.get(road)["status"] == "baru"


def test_resolving_needs_evidence_and_a_url_is_enough(app, services, road):
    http, _ = person(app, services, "opd", opds=("dpupr",))
    act(http, road, "act-process")
    said, _ = act(http, road, "act-resolve")
    assert said == "Tidak tersimpan: selesai memerlukan setidaknya satu bukti foto atau video"
    said, _ = act(http, road, "act-resolve", evidence_url="https://laksa.example/bukti/1.jpg")
    assert (
        said == "Selesai, bukti tersimpan."
        and services.reports.get(road)["media"][-1] == "https://laksa.example/bukti/1.jpg"
    )


def test_the_card_shows_each_viewer_only_the_actions_it_may_take(app, services, road):
    def rows(http):
        values = {"map-markers.clickData": {"properties": {"id": road}}, "lang.data": "id"}
        out = call_callback(http, "map-markers.clickData", values, headers=csrf_headers(http)).get_json()["response"]
        return {
            k: out[k]["hidden"] for k in ("card-actions", "act-forward-row", "act-operator-row", "act-progress-row")
        }

    operator, _ = person(app, services, "operator")
    assert rows(operator) == {
        "card-actions": False,
        "act-forward-row": False,
        "act-operator-row": False,
        "act-progress-row": False,
    }
    agency, _ = person(app, services, "opd", opds=("dpupr",))
    assert rows(agency) == {
        "card-actions": False,
        "act-forward-row": True,
        "act-operator-row": True,
        "act-progress-row": False,
    }
    leader, _ = person(app, services, "pimpinan")
    assert all(rows(leader).values())


@pytest.mark.parametrize("junk", [7, ["x"], {"a": 1}, "", "x" * 5000, "../../etc/passwd"])
def test_a_replayed_action_with_junk_gets_a_refusal_never_an_error(app, services, road, junk):
    http, _ = person(app, services, "operator")
    before = store_counts(services)
    values = {
        **CARD_STATE,
        "card-report.data": junk,
        "act-forward.n_clicks": 1,
        "act-opd.value": junk,
        "act-note.value": junk,
        "act-upload.contents": junk,
        "act-dup-of.value": junk,
        "act-evidence-url.value": junk,
        "lang.data": junk,
    }
    for button in ("act-forward", "act-resolve", "act-duplicate"):
        resp = call_callback(
            http, f"{button}.n_clicks", {**values, f"{button}.n_clicks": 1}, headers=csrf_headers(http)
        )
        assert resp.status_code in (200, 204), resp.data
    card = call_callback(
        http, "map-markers.clickData", {"map-markers.clickData": junk, "lang.data": junk}, headers=csrf_headers(http)
    )
    assert card.status_code in (200, 204)
    assert store_counts(services) == before


def test_only_what_the_state_allows_is_offered_and_the_server_refuses_the_rest_in_words(app, services, road):
    """Issue 28: the card offered "Mulai proses" on a report already diproses, and refused it in English terms."""

    def buttons(http):
        values = {"map-markers.clickData": {"properties": {"id": road}}, "lang.data": "id"}
        out = call_callback(http, "map-markers.clickData", values, headers=csrf_headers(http)).get_json()["response"]
        return {b for b in ("act-forward", "act-duplicate", "act-reject", "act-escalate", "act-process", "act-resolve")
                if not out[b]["hidden"]}  # fmt: skip

    agency, _ = person(app, services, "opd", opds=("dpupr",))
    assert buttons(agency) == {"act-process"}  # new: it may start work, not resolve yet
    act(agency, road, "act-process")
    assert buttons(agency) == {"act-resolve"}  # started: it may resolve, not start again
    said, _ = act(agency, road, "act-process")  # a replay of the old button
    assert said == "Tidak tersimpan: laporan berstatus Diproses sudah dikerjakan; untuk OPD lain, teruskan"
    operator, _ = person(app, services, "operator")
    assert buttons(operator) == {"act-forward", "act-duplicate", "act-reject", "act-escalate", "act-resolve"}
    leader, _ = person(app, services, "pimpinan")
    assert buttons(leader) == set()
