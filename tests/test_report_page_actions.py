"""Issue 28, item 1: acting from the report's own page (/laporan/<id>), where people land from search, the ticker,
the briefing and links. Plain forms posted to the page's address: only the actions the reader may take on the
report as it stands are offered; each is checked again on the server, evented, audited; a refusal is said on the
page in its words; a reload repeats nothing."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.helpers import person, post, report_payload, store_counts


@pytest.fixture
def road(client):
    """A LAKSA road report (DPUPR) with its own id."""
    return post(client, report_payload(id="LKS-2026-000777")).get_json()["id"]


REMARKS = {"note", "respond", "assign"}  # offered beside the moves (tests/test_queue.py)


def forms(page: str) -> set[str]:
    """The moves offered (the remarks beside them have their own tests)."""
    return set(re.findall(r'name="aksi" value="([a-z]+)"', page)) - REMARKS


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def said(page: str) -> str:
    """What the page says of the last action."""
    return re.search(r'id="rp-said"[^>]*>([^<]*)<', page).group(1)


def submit(http, ref: str, action: str, files=None, **fields):
    page = http.get(f"/laporan/{ref}").get_data(as_text=True)
    data = {"csrf_token": token(page), "aksi": action, **fields, **(files or {})}
    return http.post(f"/laporan/{ref}", data=data, content_type="multipart/form-data")


def test_an_operator_forwards_from_the_page_by_the_laksa_id_and_a_reload_repeats_nothing(app, services, road):
    http, me = person(app, services, "operator")
    page = http.get("/laporan/LKS-2026-000777").get_data(as_text=True)
    assert forms(page) == {"forward", "duplicate", "reject", "escalate", "process"}  # new: resolving comes after
    done = submit(http, "LKS-2026-000777", "forward", opd="dlh", catatan="Saluran, bukan jalan")
    assert done.status_code == 303 and done.headers["Location"] == "/laporan/LKS-2026-000777?selesai=forward"
    report = services.reports.get(road)
    assert report["opd"]["code"] == "dlh" and report["events"][-1]["actor"] == me.name
    assert report["events"][-1]["note"] == "Saluran, bukan jalan"
    shown = http.get(done.headers["Location"]).get_data(as_text=True)
    assert said(shown) == "Diteruskan ke Dinas Lingkungan Hidup." and 'id="rp-said" role="status"' in shown
    before = store_counts(services)
    http.get(done.headers["Location"])  # a reload of where it landed: nothing posted again
    assert store_counts(services) == before
    assert [r["outcome"] for r in services.store.audit_log() if r["action"] == "act_forward"] == ["allowed"]


def test_an_agency_starts_then_resolves_with_a_photo_from_the_page(app, services, road):
    http, _ = person(app, services, "opd", opds=("dpupr",))
    assert forms(http.get(f"/laporan/{road}").get_data(as_text=True)) == {"process"}
    assert submit(http, road, "process").status_code == 303
    assert forms(http.get(f"/laporan/{road}").get_data(as_text=True)) == {"resolve"}  # started: never "start" again
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 160, 60)).save(photo, "PNG")
    done = submit(http, road, "resolve", files={"bukti": (io.BytesIO(photo.getvalue()), "foto.png")}, catatan="Beres")
    assert done.status_code == 303, done.get_data(as_text=True)[:500]
    report = services.reports.get(road)
    url = report["events"][-1]["evidence"][0]["url"]
    assert report["status"] == "selesai" and http.get(url).mimetype == "image/jpeg"
    assert forms(http.get(f"/laporan/{road}").get_data(as_text=True)) == set()  # closed: nothing left to do


def test_a_refusal_is_said_on_the_page_in_its_words_and_changes_nothing(app, services, road):
    http, _ = person(app, services, "operator")
    before = store_counts(services)
    refused = submit(http, road, "reject")  # no reason given
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and said(page) == "Tidak tersimpan: penolakan memerlukan alasan"  # no field name
    assert 'id="rp-said" role="alert"' in page
    assert store_counts(services) == before and services.reports.get(road)["status"] == "baru"
    in_english, _ = person(app, services, "operator")
    in_english.get("/lang/en")
    page = submit(in_english, road, "duplicate", asli="").get_data(as_text=True)
    assert said(page) == "Not saved: marking a duplicate needs the original report&#39;s id"  # (escaped HTML)


@pytest.mark.parametrize(
    "role,kwargs", [("penilai", {}), ("pimpinan", {}), ("opd", {"opds": ("bpbd",)}), ("screen", {})]
)
def test_no_action_is_offered_to_those_who_may_not_act_and_a_forged_post_is_refused(app, services, road, role, kwargs):
    http, _ = person(app, services, role, **kwargs)
    page = http.get(f"/laporan/{road}")
    assert forms(page.get_data(as_text=True)) == set()
    before = store_counts(services)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    forged = http.post(
        f"/laporan/{road}",
        data={"csrf_token": csrf.group(1) if csrf else "", "aksi": "forward", "opd": "dlh"},
        content_type="multipart/form-data",
    )
    assert 400 <= forged.status_code < 500 and store_counts(services) == before
    assert services.reports.get(road)["status"] == "baru"


def test_the_header_search_opens_a_report_by_any_id_and_words_open_the_list(app, services, road, client):
    http, _ = person(app, services, "operator")
    assert "header-search" in http.get("/laporan/LKS-2026-000777").get_data(as_text=True)
    for q, where in (
        ("LKS-2026-000777", "/laporan/LKS-2026-000777"),
        (f"  {road} ", "/laporan/LKS-2026-000777"),  # the internal id: the page as people quote it
        ("lampu  mati", "/laporan/?q=lampu+mati"),
        ("", "/laporan/"),
        ("LKS-TIDAK-ADA", "/laporan/?q=LKS-TIDAK-ADA"),
    ):
        resp = http.get("/cari", query_string={"q": q})
        assert resp.status_code == 303 and resp.headers["Location"] == where, (q, resp.headers.get("Location"))
    flood = post(client, report_payload(id="LKS-2026-000778", category="banjir")).get_json()["id"]
    agency, _ = person(app, services, "opd", opds=("dpupr",))
    assert agency.get("/cari?q=LKS-2026-000778").headers["Location"] == "/laporan/?q=LKS-2026-000778"  # not theirs
    assert flood
    assert app.server.test_client().get("/cari?q=x").status_code == 302  # signed out: to the sign-in page


def test_with_the_demo_on_the_page_the_queue_and_the_list_say_so(app, services, road):
    """Issue 29, item 5: the report's page and the list carried no DATA DEMO banner."""
    http, _ = person(app, services, "operator")
    assert "DATA DEMO" not in http.get("/laporan/LKS-2026-000777").get_data(as_text=True)
    services.settings = services.settings.model_copy(update={"demo": True})
    for address in ("/laporan/LKS-2026-000777", "/antrian"):
        assert 'class="lr-rp-demo-banner" role="note">DATA DEMO' in http.get(address).get_data(as_text=True), address
    banners = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("className") == "lr-demo-banner":
                banners.append(props)
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(http.get("/laporan/_dash-layout").get_json())
    assert [(b["children"].startswith("DATA DEMO"), b["hidden"]) for b in banners] == [(True, False)]
