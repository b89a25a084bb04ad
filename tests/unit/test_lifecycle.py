"""The LAKSA lifecycle's decisions, from the transition table to each move's event and updates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from data_feeds.refusal import Kind, Refusal
from data_feeds.reports import categories, lifecycle
from data_feeds.reports.contract import StatusChangeIn

ROUTING = categories.load()
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(hours=1)
PHOTO = "https://laksa.tangerangkota.go.id/bukti/foto.jpg"


def report(status: str, **over) -> dict:
    row = dict(
        id="01JREPORT0000000000000000A",
        status=status,
        opd="dpupr" if status != "baru" else None,
        category="jalan_rusak" if "jalan_rusak" in ROUTING.categories else next(iter(ROUTING.categories)),
        reported_at=T0,
        first_response_at=None if status == "baru" else T0 + timedelta(minutes=5),
        media=[],
        duplicate_of=None,
    )
    return {**row, **over}


def change(status: str, **given) -> StatusChangeIn:
    return StatusChangeIn(status=status, **given)


def moves() -> list[tuple[str, str]]:
    return [(frm, to) for frm in lifecycle.STATUSES for to in lifecycle.STATUSES]


def good_change(frm: str, to: str) -> StatusChangeIn:
    given: dict = {}
    if to == "diproses":
        given["opd"] = "dinkes" if frm == "diproses" else "dpupr"
    if to == "selesai":
        given["evidence"] = [PHOTO]
    if to in ("ditolak",) or frm == "selesai":
        given["note"] = "alasan"
    if to == "duplikat":
        given["duplicate_of"] = "01JORIGINAL000000000000000"
    return change(to, **given)


def original(_rid):
    return {"id": "01JORIGINAL000000000000000", "status": "baru", "duplicate_of": None}


@pytest.mark.parametrize("frm,to", moves())
def test_a_move_is_legal_exactly_when_the_table_says(frm, to):
    legal = to in lifecycle.TRANSITIONS[frm]
    try:
        event, updates = lifecycle.decide(report(frm), [], good_change(frm, to), ROUTING, NOW, original)
    except Refusal as exc:
        assert not legal, exc.errors
        assert exc.kind == Kind.CONFLICT and exc.errors[0]["field"] == "status"
        return
    assert legal
    assert (event["from_status"], event["to_status"], updates["status"]) == (frm, to, to)
    assert event["recorded_at"] == NOW and updates["updated_at"] == NOW


@pytest.mark.parametrize("status", lifecycle.STATUSES)
def test_open_statuses_are_the_ones_with_work_left(status):
    assert (status in lifecycle.OPEN) == (status in ("baru", "diproses"))


def test_the_first_answer_sets_the_first_response_time_once():
    _event, updates = lifecycle.decide(report("baru"), [], change("diproses", opd="dpupr"), ROUTING, NOW)
    assert updates["first_response_at"] == NOW
    _event, later = lifecycle.decide(report("diproses"), [], change("diproses", opd="dinkes"), ROUTING, NOW)
    assert "first_response_at" not in later


def test_resolving_keeps_the_evidence_as_media():
    event, updates = lifecycle.decide(report("diproses"), [], change("selesai", evidence=[PHOTO]), ROUTING, NOW)
    assert updates["media"] == [PHOTO] and updates["resolved_at"] == NOW
    assert event["evidence"][0]["url"] == PHOTO


def test_reassigning_needs_another_opd():
    with pytest.raises(Refusal) as refused:
        lifecycle.decide(report("diproses"), [], change("diproses", opd="dpupr"), ROUTING, NOW)
    assert refused.value.kind == Kind.CONFLICT and refused.value.errors[0]["field"] == "opd"
    event, _ = lifecycle.decide(report("diproses"), [], change("diproses", opd="dinkes"), ROUTING, NOW)
    assert event["kind"] == "reassigned"


def test_reopening_needs_a_note_and_clears_the_resolution():
    with pytest.raises(Refusal) as refused:
        lifecycle.decide(report("selesai"), [], change("diproses"), ROUTING, NOW)
    assert refused.value.errors[0]["field"] == "note"
    event, updates = lifecycle.decide(report("selesai"), [], change("diproses", note="bocor lagi"), ROUTING, NOW)
    assert event["kind"] == "reopened" and updates["resolved_at"] is None


@pytest.mark.parametrize(
    "target,found,reason",
    [
        ("01JREPORT0000000000000000A", {"status": "baru"}, "itself"),
        ("01JMISSING0000000000000000", None, "no report"),
        ("01JDUP00000000000000000000", {"status": "duplikat", "duplicate_of": "01JFIRST"}, "point at that one"),
    ],
)
def test_a_duplicate_points_at_a_real_original(target, found, reason):
    with pytest.raises(Refusal) as refused:
        lifecycle.decide(report("baru"), [], change("duplikat", duplicate_of=target), ROUTING, NOW, lambda _id: found)
    assert refused.value.errors[0]["field"] == "duplicate_of" and reason in refused.value.errors[0]["reason"]


def test_a_duplicate_says_of_what_in_its_note():
    event, updates = lifecycle.decide(report("baru"), [], good_change("baru", "duplikat"), ROUTING, NOW, original)
    assert event["note"].startswith("duplikat dari 01JORIGINAL") and updates["duplicate_of"].startswith("01JORIG")


@pytest.mark.parametrize(
    "offset,ok", [(-timedelta(hours=2), False), (timedelta(minutes=4), True), (timedelta(hours=1), False)]
)
def test_a_change_is_dated_between_the_last_event_and_a_little_past_now(offset, ok):
    given = change("diproses", opd="dpupr", at=NOW + offset)
    if ok:
        event, _ = lifecycle.decide(report("baru"), [], given, ROUTING, NOW)
        assert event["at"] == NOW + offset
    else:
        with pytest.raises(Refusal) as refused:
            lifecycle.decide(report("baru"), [], given, ROUTING, NOW)
        assert refused.value.errors[0]["field"] == "at"


@pytest.mark.parametrize(
    "given,field",
    [
        ({"status": "hilang"}, "status"),
        ({"status": "diproses", "opd": "bukan-opd"}, "opd"),
        ({"status": "ditolak"}, "note"),
        ({"status": "duplikat"}, "duplicate_of"),
        ({"status": "selesai"}, "evidence"),
    ],
)
def test_checks_that_need_no_stored_state(given, field):
    with pytest.raises(Refusal) as refused:
        lifecycle.validate_request(change(**given), ROUTING)
    assert refused.value.kind == Kind.INVALID and refused.value.errors[0]["field"] == field
