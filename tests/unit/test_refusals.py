"""Refusals: one type with its kind and problems; said to a person in the page's words, never by an internal field
name; said to a machine by field and reason."""

from __future__ import annotations

import pytest

from data_feeds.i18n import STRINGS, refusal_text
from data_feeds.i18n.refusals import FIELD_LABELS
from data_feeds.refusal import Kind, Refusal


def test_a_machine_reads_the_field_and_reason_only():
    refused = Refusal.one(Kind.CONFLICT, "status", "cannot move", "refuse_move", frm_status="baru", to_status="selesai")
    assert refused.body() == {"error": {"field": "status", "reason": "cannot move"}}
    two = Refusal(Kind.INVALID, [{"field": "a", "reason": "x"}, {"field": "b", "reason": "y", "words": "k"}])
    assert two.body() == {"error": [{"field": "a", "reason": "x"}, {"field": "b", "reason": "y"}]}


@pytest.mark.parametrize(
    "lang,expected",
    [
        ("id", "laporan berstatus Selesai tidak dapat dipindah ke Baru"),
        ("en", "a report that is Resolved cannot be moved to New"),
    ],
)
def test_statuses_in_a_refusal_are_said_in_the_pages_words(lang, expected):
    refused = Refusal.one(Kind.CONFLICT, "status", "x", "refuse_move", frm_status="selesai", to_status="baru")
    assert refusal_text(refused.errors, lang) == expected


@pytest.mark.parametrize("field", sorted(FIELD_LABELS))
def test_a_field_is_named_by_its_label_on_the_page(field):
    said = refusal_text([{"field": field, "reason": "must be a date as YYYY-MM-DD"}], "id")
    label = STRINGS[FIELD_LABELS[field]][0]
    assert label in said and "must be" not in said


@pytest.mark.parametrize("field", ["cursor", "reporter.phone", "[2].value", None, "body"])
def test_a_field_without_a_label_is_not_named(field):
    said = refusal_text([{"field": field, "reason": "is not a known field"}], "id")
    assert said == STRINGS["refusal_generic"][0]
    assert (field or "") not in said or field is None


def test_the_same_words_twice_are_said_once():
    problems = [{"field": "from", "reason": "a"}, {"field": "from", "reason": "b"}]
    assert refusal_text(problems, "en").count("From") == 1


@pytest.mark.parametrize("words", sorted(k for k in STRINGS if k.startswith("refuse_")))
def test_every_refusal_has_words_in_both_languages_without_the_machines_terms(words):
    indonesian, english = STRINGS[words]
    for internal in ("duplicate_of", "evidence[", "report_id", "_at", "opd:"):
        assert internal not in indonesian and internal not in english


def test_the_first_kind_is_the_most_basic():
    assert Refusal.first_kind([Kind.INVALID, Kind.MALFORMED, Kind.CONFLICT]) == Kind.MALFORMED
    assert Refusal.first_kind([Kind.INVALID, Kind.CONFLICT]) == Kind.CONFLICT


def test_every_kind_has_its_status_in_the_web_layer():
    from data_feeds.api.refusals import STATUS

    assert set(STATUS) == set(Kind) and all(400 <= code < 600 for code in STATUS.values())
