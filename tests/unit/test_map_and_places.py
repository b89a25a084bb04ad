"""The map's places and colours: the gazetteer's 13 kecamatan and 104 kelurahan found by the names people write,
and the choropleth's fixed classes."""

from __future__ import annotations

import pytest

from geodata import choropleth, gazetteer
from geodata.gazetteer import CITY_CODE

GZ = gazetteer.load()


def test_the_city_has_13_kecamatan_and_104_kelurahan():
    assert len(GZ.kecamatan) == 13 and len(GZ.kelurahan) == 104
    assert sum(len(GZ.kelurahan_of(code)) for code in GZ.kecamatan) == 104
    assert all(code.startswith(CITY_CODE) for code in GZ.kecamatan)


@pytest.mark.parametrize("written", ["Cipondoh", "cipondoh", "  CIPONDOH ", "Kecamatan Cipondoh"])
def test_a_kecamatan_by_the_name_people_write(written):
    found = GZ.find_kecamatan(written)
    assert found is not None and found.name == "Cipondoh"


def test_a_name_that_is_no_kecamatan_finds_none():
    assert GZ.find_kecamatan("Atlantis") is None


@pytest.mark.parametrize("code", sorted(GZ.kecamatan))
def test_every_kecamatan_is_found_by_its_code_and_name(code):
    place = GZ.kecamatan[code]
    assert GZ.find_kecamatan(code) == place and GZ.find_kecamatan(place.name) == place


@pytest.mark.parametrize("measure", sorted(choropleth.MEASURES))
def test_the_classes_rise_and_cover_every_value(measure):
    classes = choropleth.classes(measure)
    assert len(classes) == len(choropleth.PALETTE) == 5
    assert classes[0][0] is None and classes[-1][1] is None  # open below the first break and above the last
    breaks = choropleth.MEASURES[measure].breaks
    assert list(breaks) == sorted(breaks) and [c[1] for c in classes[:-1]] == list(breaks)
