"""Evidence uploaded from the card (issue 27, findings 1 and 7, and evidence that outlives a node): judged only after
who sends it may resolve the report, made safe (photos re-encoded without EXIF, bombs refused, videos probed and
remuxed), staged and adopted by the event that names it, kept in the database where every node reads it, within
each person's hourly allowance. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from datetime import timedelta

import av
import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from data_feeds.refusal import Kind, Refusal
from data_feeds.reports import evidence_content
from data_feeds.reports.evidence_store import STAGED_FOR, Allowance, EvidenceStore
from data_feeds.services import Services
from data_feeds.store.tables import evidence_files
from tests.helpers import act, person, png_upload, post, report_payload, store_counts

pytestmark = pytest.mark.store


@pytest.fixture
def road(client):
    """A new road report (routed to DPUPR)."""
    return post(client, report_payload()).get_json()["id"]


def upload(data: bytes, claimed: str = "image/jpeg") -> str:
    return f"data:{claimed};base64," + base64.b64encode(data).decode()


def rows(services) -> list[dict]:
    with services.store.read() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(
                    evidence_files.c.report_id,
                    evidence_files.c.name,
                    evidence_files.c.event_id,
                    evidence_files.c.claimed_taken_at,
                    evidence_files.c.claimed_lat,
                    evidence_files.c.claimed_lon,
                ).order_by(evidence_files.c.uploaded_at)
            ).mappings()
        ]


def nothing_on_disk(services) -> bool:
    return not (services.settings.data_dir / "evidence").exists()


def _dms(x: float) -> tuple:
    from PIL.TiffImagePlugin import IFDRational

    return IFDRational(int(x)), IFDRational(int(x * 60) % 60), IFDRational(round((x * 3600) % 60 * 100), 100)


def gps_photo() -> bytes:
    """A JPEG as a phone writes it: EXIF with the time taken, the camera, and a GPS position in Kota Tangerang."""
    img = Image.new("RGB", (64, 48), (30, 120, 60))
    exif = Image.Exif()
    exif[271] = "PhoneMaker"  # camera make
    exif[306] = "2026:12:01 09:15:00"
    exif.get_ifd(0x8769)[36867] = "2026:12:01 09:14:33"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", _dms(6.1783), "E", _dms(106.6319)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A PNG of width x height 1-bit pixels, all zero: a few kilobytes that would decode to megapixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" * (1 + (width + 7) // 8)
    raw = zlib.compress(row * height, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def video(fmt: str = "mp4", codec: str = "mpeg4", location: str | None = "+06.1783+106.6319/") -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        if location:
            out.metadata["location"] = location
        stream = out.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 40, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def test_the_agency_resolves_with_a_photo_served_only_to_those_who_see_the_report(app, services, road):
    http, me = person(app, services, "opd", opds=("dpupr",))
    assert act(http, road, "act-process")[0] == "Diproses."
    said, _ = act(http, road, "act-resolve", upload=png_upload(), note="Lubang ditambal")
    assert said == "Selesai, bukti tersimpan."
    report = services.reports.get(road)
    url = report["events"][-1]["evidence"][0]["url"]
    assert report["status"] == "selesai" and url.startswith(f"/bukti/{road}/") and url.endswith(".jpg")
    assert [r["event_id"] for r in rows(services)] == [report["events"][-1]["id"]]  # adopted by the event
    assert nothing_on_disk(services)  # in the database, not on this node's disk
    got = http.get(url)
    assert got.status_code == 200 and got.mimetype == "image/jpeg" and got.data.startswith(b"\xff\xd8")
    assert "sandbox" in got.headers["Content-Security-Policy"] and got.headers["Cache-Control"].startswith("private")
    assert http.get(url, headers={"If-None-Match": got.headers["ETag"]}).status_code == 304
    leader, _ = person(app, services, "pimpinan")
    assert leader.get(url).status_code == 200
    others, _ = person(app, services, "opd", opds=("bpbd",))
    assert others.get(url).status_code == 404  # another agency's evidence reads as none
    assert app.server.test_client().get(url).status_code == 401
    assert http.get(f"/bukti/{road}/..%2F..%2Fsecret_key").status_code == 404
    assert http.get(f"/bukti/{road}/../../secret_key").status_code == 404


def test_a_photo_is_served_without_its_exif_and_the_claims_are_kept_in_the_store(app, services, road):
    """Finding 7: EXIF GPS and camera make were served to everyone who may see the photo."""
    photo = gps_photo()
    assert b"PhoneMaker" in photo
    http, _ = person(app, services, "opd", opds=("dpupr",))
    act(http, road, "act-process")
    assert act(http, road, "act-resolve", upload=upload(photo))[0] == "Selesai, bukti tersimpan."
    served = http.get(services.reports.get(road)["media"][-1]).data
    assert b"PhoneMaker" not in served and b"Exif" not in served and not Image.open(io.BytesIO(served)).getexif()
    (row,) = rows(services)
    assert row["claimed_taken_at"] == "2026-12-01T09:14:33"
    assert row["claimed_lat"] == pytest.approx(-6.1783, abs=1e-3) and row["claimed_lon"] == pytest.approx(
        106.6319, abs=1e-3
    )


def test_a_large_photo_is_bounded_and_a_decompression_bomb_is_a_refusal_not_an_error(app, services, road):
    """Finding 7: a 144-megapixel PNG was accepted and served, a 400-megapixel one was a 500."""
    big = io.BytesIO()
    Image.new("RGB", (6000, 4000), (10, 10, 10)).save(big, "JPEG")
    accepted = evidence_content.accept(big.getvalue(), 25_000_000)
    assert max(Image.open(io.BytesIO(accepted.data)).size) == evidence_content.MAX_SIDE
    http, _ = person(app, services, "opd", opds=("dpupr",))
    act(http, road, "act-process")
    before = store_counts(services)
    for side in (12_000, 20_000):  # 144 and 400 megapixels
        said, _ = act(http, road, "act-resolve", upload=upload(png_bomb(side, side), "image/png"))
        assert said.startswith("Tidak tersimpan: foto terlalu besar (") and "50.000.000 piksel" in said
    assert store_counts(services) == before and services.reports.get(road)["status"] == "diproses"


def test_a_video_must_be_a_real_stream_and_is_kept_without_its_metadata(app, services, road):
    """Finding 7: a video was judged by its first bytes only."""
    mp4 = video()
    accepted = evidence_content.accept(mp4, 25_000_000)
    with av.open(io.BytesIO(accepted.data)) as kept:
        assert accepted.ext == "mp4" and kept.streams.video and "location" not in kept.metadata
    assert evidence_content.accept(video("webm", "libvpx", None), 25_000_000).ext == "webm"
    header_only = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    with pytest.raises(Refusal) as refused:
        evidence_content.accept(header_only, 25_000_000)
    assert refused.value.kind == Kind.UNSUPPORTED
    http, _ = person(app, services, "opd", opds=("dpupr",))
    act(http, road, "act-process")
    said, _ = act(http, road, "act-resolve", upload=upload(header_only, "video/mp4"))
    assert said == "Tidak tersimpan: berkas tidak dapat dibaca sebagai gambar atau video"
    assert act(http, road, "act-resolve", upload=upload(mp4, "video/mp4"))[0] == "Selesai, bukti tersimpan."
    url = services.reports.get(road)["media"][-1]
    assert url.endswith(".mp4")
    part = http.get(url, headers={"Range": "bytes=0-99"})  # a browser seeks in a video by ranges
    assert part.status_code == 206 and len(part.data) == 100 and part.mimetype == "video/mp4"


def test_evidence_is_judged_by_content_and_size():
    photo = base64.b64decode(png_upload().split(",", 1)[1])
    assert evidence_content.accept(photo, 10_000).kind == "photo"
    for data, limit, kind, words in (
        (photo, 50, Kind.TOO_LARGE, "at most 50 are accepted"),
        (b"", 100, Kind.INVALID, "empty"),
        (b"GIF89a" + b"\x00" * 40, 100, Kind.UNSUPPORTED, "image/gif"),
        (b"%PDF-1.7\n" + b"\x00" * 40, 100, Kind.UNSUPPORTED, "application/pdf"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, 100, Kind.UNSUPPORTED, "not a readable image"),
    ):
        with pytest.raises(Refusal) as refused:
            evidence_content.accept(data, limit)
        assert refused.value.kind == kind and words in refused.value.errors[0]["reason"]
    with pytest.raises(Refusal):
        evidence_content.decode_upload("data:image/png;base64,@@@not-base64@@@")


def test_a_file_that_claims_to_be_a_jpeg_but_is_not_is_refused_and_nothing_is_kept(app, services, road):
    http, _ = person(app, services, "opd", opds=("dpupr",))
    act(http, road, "act-process")
    before = store_counts(services)
    fake = upload(b"<html><script>alert(1)</script></html>")
    said, _ = act(http, road, "act-resolve", upload=fake)
    assert said == "Tidak tersimpan: jenis berkas ini tidak diterima; yang diterima: JPEG, PNG, WebP, MP4, WebM, MOV"
    assert store_counts(services) == before and services.reports.get(road)["status"] == "diproses"
    assert nothing_on_disk(services)


@pytest.mark.parametrize(
    "role,kwargs", [("penilai", {}), ("pimpinan", {}), ("admin", {}), ("opd", {"opds": ("bpbd",)}), ("screen", {})]
)
def test_an_upload_from_anyone_who_may_not_resolve_the_report_keeps_nothing(app, services, road, role, kwargs):
    """Finding 1: the file was written before the action was authorised, for any role and any id."""
    http, _ = person(app, services, role, **kwargs)
    before = store_counts(services)
    said, _ = act(http, road, "act-resolve", upload=png_upload())
    assert said.startswith("Tidak tersimpan") and store_counts(services) == before
    assert rows(services) == [] and nothing_on_disk(services)


@pytest.mark.parametrize("report_id", ["01ZZZZZZZZZZZZZZZZZZZZZZZZ", "tidakada", "A" * 32])
def test_an_upload_for_a_report_that_does_not_exist_keeps_nothing(app, services, report_id):
    http, _ = person(app, services, "opd", opds=("dpupr",))
    said, _ = act(http, report_id, "act-resolve", upload=png_upload())
    assert said == "Tidak tersimpan: laporan tidak ditemukan" and rows(services) == [] and nothing_on_disk(services)


def test_an_upload_the_lifecycle_refuses_is_not_kept(app, services, road):
    """The agency may resolve its reports, but not one still new (baru -> selesai is no move): refused on the state
    the write sees, the staged file goes; a file an earlier event holds stays."""
    http, _ = person(app, services, "opd", opds=("dpupr",))
    said, _ = act(http, road, "act-resolve", upload=png_upload())
    assert said == "Tidak tersimpan: laporan berstatus Baru tidak dapat dipindah ke Selesai"
    assert rows(services) == []
    act(http, road, "act-process")
    assert act(http, road, "act-resolve", upload=png_upload())[0] == "Selesai, bukti tersimpan."
    kept = rows(services)
    assert len(kept) == 1 and kept[0]["event_id"] is not None
    said, _ = act(http, road, "act-resolve", upload=png_upload())  # selesai -> selesai: refused, the same photo stays
    assert said.startswith("Tidak tersimpan") and rows(services) == kept


def test_each_person_uploads_within_an_hourly_allowance(app, services, client):
    """Finding 1: one OPD head wrote 26 MB in 1.0 s, on the disk that holds every report."""
    services.settings = services.settings.replace(evidence_hourly_files=2)
    http, _ = person(app, services, "opd", opds=("dpupr",))
    reports = [post(client, report_payload()).get_json()["id"] for _ in range(3)]
    for n, rid in enumerate(reports):
        act(http, rid, "act-process")
        photo = io.BytesIO()
        Image.new("RGB", (8, 8), (n * 60, 10, 10)).save(photo, "PNG")
        said, _ = act(http, rid, "act-resolve", upload=upload(photo.getvalue(), "image/png"))
        if n < 2:
            assert said == "Selesai, bukti tersimpan."
    assert said == (
        "Tidak tersimpan: batas unggahan per jam untuk akun ini tercapai (paling banyak 2 berkas atau "
        "524.288.000 byte per jam); coba lagi nanti"
    )
    assert len(rows(services)) == 2 and services.reports.get(reports[2])["status"] == "diproses"
    colleague, _ = person(app, services, "opd", opds=("dpupr",))  # another person's allowance is their own
    assert act(colleague, reports[2], "act-resolve", upload=png_upload())[0] == "Selesai, bukti tersimpan."


def test_what_no_event_adopts_is_swept_and_an_event_cannot_name_a_file_never_uploaded(services, client, road):
    """A process that died between staging and the event leaves a staged file: the live worker sweeps it. An event
    from the API naming a /bukti/ address that holds nothing (or another report's file) is refused."""
    accepted = evidence_content.accept(base64.b64decode(png_upload().split(",", 1)[1]), 10_000)
    other = post(client, report_payload()).get_json()["id"]
    staged = services.evidence.stage(other, accepted, "person:x", Allowance(10, 10**9))
    assert services.evidence.read(other, staged["url"].rsplit("/", 1)[1]) is None  # not served until adopted
    client.post(f"/api/v1/reports/{road}/status", json={"status": "diproses", "opd": "dpupr"})
    before = store_counts(services)
    for url in (staged["url"], f"/bukti/{road}/{'0' * 32}.jpg"):
        resp = client.post(f"/api/v1/reports/{road}/status", json={"status": "selesai", "evidence": [url]})
        assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "evidence", resp.data
    assert store_counts(services) == before
    later = EvidenceStore(services.store, lambda: services.evidence.clock() + STAGED_FOR + timedelta(seconds=1))
    assert services.evidence.sweep() == 0 and later.sweep() == 1 and rows(services) == []


def test_evidence_uploaded_through_one_node_is_served_by_another(app, services, settings, road, tmp_path):
    """Evidence that outlives a node: two nodes share the database, not a disk."""
    from app import create_app

    http, _ = person(app, services, "opd", opds=("dpupr",))
    act(http, road, "act-process")
    act(http, road, "act-resolve", upload=upload(gps_photo()))
    url = services.reports.get(road)["media"][-1]
    other_dir = tmp_path / "node-b"
    node_b = Services(settings.replace(data_dir=other_dir))
    try:
        app_b = create_app(services=node_b)
        reader, _ = person(app_b, node_b, "pimpinan")
        got = reader.get(url)
        assert got.status_code == 200 and got.data == http.get(url).data and got.data.startswith(b"\xff\xd8")
    finally:
        node_b.store.dispose()


def test_files_an_older_version_kept_on_disk_move_into_the_database(app, services, client, road):
    client.post(f"/api/v1/reports/{road}/status", json={"status": "diproses", "opd": "dpupr"})
    png = base64.b64decode(png_upload().split(",", 1)[1])
    name = f"{'ab' * 16}.png"
    folder = services.settings.data_dir / "evidence" / road
    folder.mkdir(parents=True)
    (folder / name).write_bytes(png)
    (folder / f"{'cd' * 16}.png").write_bytes(png)  # named by no event: left alone
    url = f"/bukti/{road}/{name}"
    with services.store.write() as conn:  # the event an older version wrote, naming the file on disk
        from data_feeds.store.tables import report_events

        conn.execute(report_events.update().where(report_events.c.report_id == road).values(evidence=[{"url": url}]))
    assert services.evidence.import_folder(services.settings.data_dir) == 1
    assert not (folder / name).exists() and (folder / f"{'cd' * 16}.png").exists()
    http, _ = person(app, services, "pimpinan")
    got = http.get(url)
    assert got.status_code == 200 and got.data == png and got.mimetype == "image/png"
