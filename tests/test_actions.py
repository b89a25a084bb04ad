"""Acting on reports from the card: operators forward, reassign, mark duplicates, refuse and escalate; the
report's agency starts work and resolves it with evidence uploaded from the browser (checked by content).
Each callback is replayed as the browser sends it, by the right role and by the wrong ones."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from tests.helpers import call_callback, csrf_headers, post, report_payload, sign_in, store_counts

CARD_STATE = {
    "lang.data": "id",
    "act-note.value": None,
    "act-opd.value": None,
    "act-dup-of.value": None,
    "act-upload.contents": None,
    "act-evidence-url.value": None,
}


@pytest.fixture
def road(client):
    """A new road report (routed to DPUPR), with the reporter's contact."""
    return post(client, report_payload(reporter={"name": "Siti Aminah", "phone": "0812 1111 2222"})).get_json()["id"]


def act(http, report_id, button: str, **fields):
    values = {
        **CARD_STATE,
        "card-report.data": report_id,
        f"{button}.n_clicks": 1,
        **{f"act-{k.replace('_', '-')}.{'contents' if k == 'upload' else 'value'}": v for k, v in fields.items()},
    }
    resp = call_callback(http, f"{button}.n_clicks", values, headers=csrf_headers(http))
    assert resp.status_code == 200, resp.data
    out = resp.get_json()["response"]
    return out["act-result"]["children"], out


def person(app, services, role, **kwargs):
    http = app.server.test_client()
    return http, sign_in(http, services, role, **kwargs)


def png() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


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


def test_the_agency_resolves_its_report_with_an_uploaded_photo_served_only_to_those_who_see_it(app, services, road):
    http, me = person(app, services, "opd", opds=("dpupr",))
    said, _ = act(http, road, "act-process")
    assert said == "Diproses." and services.reports.get(road)["events"][-1]["actor"] == me.name
    said, out = act(http, road, "act-resolve", upload=png(), note="Lubang ditambal")
    assert said == "Selesai, bukti tersimpan."
    report = services.reports.get(road)
    url = report["events"][-1]["evidence"][0]["url"]
    assert report["status"] == "selesai" and url.startswith(f"/bukti/{road}/") and url.endswith(".png")
    assert (services.settings.data_dir / "evidence" / road / url.rsplit("/", 1)[1]).is_file()
    got = http.get(url)
    assert got.status_code == 200 and got.mimetype == "image/png" and got.data.startswith(b"\x89PNG")
    assert "sandbox" in got.headers["Content-Security-Policy"] and got.headers["Cache-Control"].startswith("private")
    leader, _ = person(app, services, "pimpinan")
    assert leader.get(url).status_code == 200
    others, _ = person(app, services, "opd", opds=("bpbd",))
    assert others.get(url).status_code == 404  # another agency's evidence reads as none
    assert app.server.test_client().get(url).status_code == 401
    assert (
        http.get(f"/bukti/{road}/..%2F..%2Fsecret_key").status_code == 404
    )  # a name that is not ours never reaches the disk
    assert http.get(f"/bukti/{road}/../../secret_key").status_code == 404


def test_a_file_that_claims_to_be_a_jpeg_but_is_not_is_refused(app, services, road):
    http, _ = person(app, services, "opd", opds=("dpupr",))
    act(http, road, "act-process")
    before = store_counts(services)
    fake = "data:image/jpeg;base64," + base64.b64encode(b"<html><script>alert(1)</script></html>").decode()
    said, _ = act(http, road, "act-resolve", upload=fake)
    assert said == "Tidak tersimpan: jenis berkas ini tidak diterima; yang diterima: JPEG, PNG, WebP, MP4, WebM, MOV"
    truncated = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 64).decode()
    said, _ = act(http, road, "act-resolve", upload=truncated)
    assert said == "Tidak tersimpan: berkas tidak dapat dibaca sebagai gambar"
    assert store_counts(services) == before and services.reports.get(road)["status"] == "diproses"
    assert not (services.settings.data_dir / "evidence" / road).exists()  # nothing kept of a refused file


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


def test_evidence_is_judged_by_content_and_size():
    from data_feeds.refusal import Kind, Refusal
    from data_feeds.reports import evidence_files

    photo = base64.b64decode(png().split(",", 1)[1])
    assert evidence_files.check(photo, 10_000) == ("png", "photo")
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    assert evidence_files.check(mp4, 10_000) == ("mp4", "video")
    for data, limit, status, words in (
        (photo, 50, Kind.TOO_LARGE, "at most 50 are accepted"),
        (b"", 100, Kind.INVALID, "empty"),
        (b"GIF89a" + b"\x00" * 40, 100, Kind.UNSUPPORTED, "image/gif"),
        (b"%PDF-1.7\n" + b"\x00" * 40, 100, Kind.UNSUPPORTED, "application/pdf"),
    ):
        with pytest.raises(Refusal) as refused:
            evidence_files.check(data, limit)
        assert refused.value.kind == status and words in refused.value.errors[0]["reason"]
    with pytest.raises(Refusal):
        evidence_files.decode_upload("data:image/png;base64,@@@not-base64@@@")


def _evidence_files(services) -> list:
    folder = services.settings.data_dir / "evidence"
    return sorted(p.relative_to(folder) for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize(
    "role,kwargs", [("penilai", {}), ("pimpinan", {}), ("admin", {}), ("opd", {"opds": ("bpbd",)}), ("screen", {})]
)
def test_an_upload_from_anyone_who_may_not_resolve_the_report_writes_nothing(app, services, road, role, kwargs):
    """Issue 27 finding 1: the file was written before the action was authorised, for any role and any id."""
    if role == "screen":
        from data_feeds.access.devices import Devices

        _device, token = Devices(services.store).add("Layar ruang rapat")
        http = app.server.test_client()
        http.environ_base.pop("HTTP_X_API_KEY", None)
        assert http.get(f"/pasang/{token}").status_code == 302
    else:
        http, _ = person(app, services, role, **kwargs)
    before = store_counts(services)
    said, _ = act(http, road, "act-resolve", upload=png())
    assert said.startswith("Tidak tersimpan") and store_counts(services) == before
    assert _evidence_files(services) == []  # nothing on the disk, not even a folder


@pytest.mark.parametrize("report_id", ["01ZZZZZZZZZZZZZZZZZZZZZZZZ", "tidakada", "A" * 32])
def test_an_upload_for_a_report_that_does_not_exist_writes_nothing(app, services, report_id):
    http, _ = person(app, services, "opd", opds=("dpupr",))
    said, _ = act(http, report_id, "act-resolve", upload=png())
    assert said == "Tidak tersimpan: laporan tidak ditemukan" and _evidence_files(services) == []


def test_an_upload_the_lifecycle_refuses_is_not_kept(app, services, road):
    """The agency may resolve its reports, but not one still new (baru -> selesai is no move): refused on the state
    the write sees, the file it sent goes; a file an earlier event holds stays."""
    http, _ = person(app, services, "opd", opds=("dpupr",))
    said, _ = act(http, road, "act-resolve", upload=png())
    assert said == "Tidak tersimpan: laporan berstatus Baru tidak dapat dipindah ke Selesai"
    assert _evidence_files(services) == []
    act(http, road, "act-process")
    assert act(http, road, "act-resolve", upload=png())[0] == "Selesai, bukti tersimpan."
    kept = _evidence_files(services)
    assert len(kept) == 2  # the folder and the photo
    said, _ = act(http, road, "act-resolve", upload=png())  # selesai -> selesai: refused, the same photo stays
    assert said.startswith("Tidak tersimpan") and _evidence_files(services) == kept
