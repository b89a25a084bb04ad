"""The report card renders every kind of event and evidence, in both languages, without personal data."""

from __future__ import annotations

import json

import pytest

from layouts import report_card
from tests.helpers import report_payload


@pytest.mark.parametrize("lang", ["id", "en"])
def test_card_renders_a_full_history(client, services, lang):
    post = lambda path, body: client.post(path, json=body)  # noqa: E731
    rid = post(
        "/api/v1/reports", report_payload(reporter={"name": "Siti Aminah", "phone": "0812 1111 2222"})
    ).get_json()["id"]
    post(f"/api/v1/reports/{rid}/status", {"status": "diproses", "opd": "dpupr", "note": "Survei lokasi"})
    post(f"/api/v1/reports/{rid}/status", {"status": "diproses", "opd": "dlh", "note": "Salah OPD"})
    post(
        f"/api/v1/reports/{rid}/status",
        {
            "status": "selesai",
            "evidence": ["https://x.example/a.jpg", {"url": "https://x.example/b.mp4", "type": "video"}],
        },
    )
    post(f"/api/v1/reports/{rid}/status", {"status": "diproses", "note": "Lubang muncul lagi"})
    report = services.reports.get(rid)  # the public shape the card is given
    children = report_card.body(report, lang, "LAKSA")
    text = json.dumps([c.to_plotly_json() for c in children if c is not None], default=lambda o: o.to_plotly_json())
    for words in ("Survei lokasi", "Salah OPD", "Lubang muncul lagi", "https://x.example/b.mp4", "Video 1") + (
        ("Dibuka kembali", "Dialihkan ke OPD lain", "Foto 1") if lang == "id" else ("Reopened", "Reassigned", "Photo 1")
    ):
        assert words in text, words
    assert "Siti" not in text and "0812" not in text


def test_card_for_a_missing_report():
    assert "tidak ditemukan" in json.dumps(report_card.body(None, "id")[0].to_plotly_json())
