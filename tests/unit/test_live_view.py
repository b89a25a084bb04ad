"""The live view: merge patches (RFC 7396) between versions, audiences, which markers a wall may receive."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_feeds.live.view import Audience, apply, diff, visible_markers

scalars = st.one_of(st.integers(-1000, 1000), st.text(max_size=5), st.booleans())
docs = st.recursive(
    st.dictionaries(st.text(min_size=1, max_size=4), scalars, max_size=4),
    lambda inner: st.dictionaries(
        st.text(min_size=1, max_size=4), st.one_of(scalars, inner, st.lists(scalars, max_size=3)), max_size=4
    ),
    max_leaves=12,
)


@settings(max_examples=300, derandomize=True)
@given(docs, docs)
def test_a_patch_turns_the_old_view_into_the_new(old, new):
    assert apply(old, diff(old, new)) == new


@settings(max_examples=100, derandomize=True)
@given(docs)
def test_nothing_changed_is_an_empty_patch(doc):
    assert diff(doc, doc) == {}


def test_a_patch_carries_only_what_changed():
    old = {"kpi": {"baru": 3, "diproses": 2}, "ticker": [1, 2], "gone": 1}
    new = {"kpi": {"baru": 4, "diproses": 2}, "ticker": [1, 2]}
    assert diff(old, new) == {"kpi": {"baru": 4}, "gone": None}


@pytest.mark.parametrize(
    "audience",
    [Audience(), Audience(frozenset({"dpupr"})), Audience(frozenset({"dlh", "dpupr"})), Audience(None, False)],
)
def test_an_audience_survives_its_key(audience):
    assert Audience.from_key(audience.key) == audience


def test_the_key_names_the_agencies_in_order():
    assert Audience(frozenset({"dpupr", "dlh"})).key == "opd:dlh,dpupr" and Audience(None, False).key == "figures"
    with pytest.raises(ValueError):
        Audience.from_key("siapa")


def test_an_assessor_gets_no_markers_and_the_city_all():
    assert Audience(None, False).map_opds == frozenset() and Audience().map_opds is None


def marker(rid: str, opd: str) -> dict:
    return {"id": rid, "properties": {"o": opd}}


def test_another_agencys_markers_never_arrive():
    ups = [marker("a", "dpupr"), marker("b", "dlh")]
    kept, gone = visible_markers(ups, ["c"], frozenset({"dpupr"}))
    assert [m["id"] for m in kept] == ["a"] and gone == ["b", "c"]  # b was reassigned away: removed on its wall
    assert visible_markers(ups, [], None) == (ups, [])
