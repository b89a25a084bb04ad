"""Issue 29, item 3: the categories the seeds name, with the agency that handles them and where each SLA target comes
from (a source, or a stated default): abandoned people and ODGJ to Dinsos's rapid response team, service at
government offices to the Inspektorat, none of them falling into `lainnya`."""

from __future__ import annotations

from data_feeds.reports import categories


def test_the_seeds_categories_route_to_their_agencies_with_a_stated_basis():
    table = categories.load()
    for code, opd, response_h in (
        ("orang_terlantar", "dinsos", 2),
        ("odgj", "dinsos", 2),
        ("pelayanan_kantor", "inspektorat", 24),
    ):
        cat = table.categories[code]
        assert table.default_opd(code).code == opd and cat.sla_response_hours == response_h
        assert cat.sla_response_hours < cat.sla_resolution_hours
        assert "seeds/002" in cat.sla_basis or cat.sla_basis.startswith("stated default")
    assert table.opds["dinsos"].name == "Dinas Sosial"
    assert all(c.sla_basis for c in table.categories.values())  # every target says where it comes from
