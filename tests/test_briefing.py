"""The 07:00 briefing: the mayor's page and each agency's, read back from the PDF (poppler) against what happened that
day; listed and served only to those allowed; mailed through a local SMTP server the test starts; made once a day."""

from __future__ import annotations

import email
import re
import subprocess
from datetime import datetime, time, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller

from data_feeds.clock import WIB, wib_today
from data_feeds.documents import briefing
from data_feeds.runtime.embedded_redis import free_port
from data_feeds.services import Services
from tests.helpers import at_kelurahan, post, report_payload, sign_in

DAY = wib_today() - timedelta(days=1)


def at(day, hh: int, mm: int = 0) -> str:
    return datetime.combine(day, time(hh, mm), WIB).isoformat()


def text(path_or_bytes, tmp_path) -> str:
    path = path_or_bytes
    if isinstance(path_or_bytes, bytes):
        path = tmp_path / "b.pdf"
        path.write_bytes(path_or_bytes)
    return " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )


@pytest.fixture
def a_day(client, services):
    """Yesterday: three road reports to DPUPR (one resolved, one in progress, one new), a flood report to BPBD
    answered four hours after its two-hour SLA, a rubbish report from the day before left unanswered past its
    24 hours (DLH), a vaccination figure dated yesterday; the reporter's contact on each."""
    who = {"reporter": {"name": "Siti Aminah", "phone": "+62 812 1234 5678"}}
    ids = {}
    send = lambda key, **body: ids.__setitem__(key, post(client, report_payload(**who, **body)).get_json()["id"])  # noqa: E731
    move = lambda key, body: post(client, body, path=f"/api/v1/reports/{ids[key]}/status")  # noqa: E731
    send("road_done", id="LKS-B-1", title="Jalan berlubang A", reported_at=at(DAY, 8))
    send("road_busy", id="LKS-B-2", title="Jalan berlubang B", reported_at=at(DAY, 9), **at_kelurahan("36.71.02.1003"))
    send("road_new", id="LKS-B-3", title="Jalan berlubang C", reported_at=at(DAY, 10))
    send("flood", id="LKS-B-4", category="banjir", title="Banjir di perumahan", reported_at=at(DAY, 7))
    send(
        "rubbish", id="LKS-B-5", category="sampah", title="Sampah menumpuk", reported_at=at(DAY - timedelta(days=1), 15)
    )
    move("road_done", {"status": "diproses", "at": at(DAY, 9)})
    move("road_done", {"status": "selesai", "at": at(DAY, 16), "evidence": ["https://laksa.example/b/1.jpg"]})
    move("road_busy", {"status": "diproses", "at": at(DAY, 11)})
    move("flood", {"status": "diproses", "at": at(DAY, 13)})
    key = {"X-API-Key": services.api_keys.create("laksa", roles=("indicators",))[1]}
    services.indicators.seed()
    figure = {
        "indicator": "vaccination_dose_1",
        "place": "36.71",
        "as_of": DAY.isoformat(),
        "value": 2_131_000,
        "source": "Dinkes",
    }
    assert client.post("/api/v1/indicators", json=figure, headers=key).status_code == 201
    return ids


def test_the_mayors_page_says_what_happened_that_day(services, a_day, tmp_path):
    files = briefing.write_day(services, DAY)
    assert {"walikota.pdf", "opd-dpupr.pdf", "opd-bpbd.pdf", "opd-dlh.pdf"} <= set(files)
    info = subprocess.run(["pdfinfo", str(files["walikota.pdf"])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)  # one page
    mayor = text(files["walikota.pdf"], tmp_path)
    assert "Briefing pagi" in mayor and "untuk Wali Kota" in mayor
    assert "Laporan hari itu: 4" in mayor  # the day's four (the rubbish report was the day before)
    assert re.search(r"Baru Diproses Selesai Ditolak Duplikat 1 2 1 0 0", mayor)
    assert (
        "Lewat SLA hari itu: 2 laporan" in mayor
        and "LKS-B-4" in mayor
        and "LKS-B-5" in mayor
        and "LKS-B-1" not in mayor
    )
    assert "BPBD" in mayor and "DPUPR" in mayor  # the agencies' SLA table
    assert "Vaksinasi COVID-19 dosis 1: 2.131.000 orang (+834)" in mayor  # the figure of that day, and its change
    assert "Siti Aminah" not in mayor and "1234" not in mayor


def test_an_agencys_page_has_its_own_reports_only(services, a_day, tmp_path):
    files = briefing.write_day(services, DAY)
    dpupr = text(files["opd-dpupr.pdf"], tmp_path)
    assert "untuk Dinas Pekerjaan Umum" in dpupr and "Laporan hari itu: 3" in dpupr
    assert "Lewat SLA hari itu: 0 laporan" in dpupr and "LKS-B-4" not in dpupr and "BPBD" not in dpupr
    bpbd = text(files["opd-bpbd.pdf"], tmp_path)
    assert "Laporan hari itu: 1" in bpbd and "LKS-B-4" in bpbd and "respons" in bpbd


def test_briefings_are_listed_and_served_only_to_those_allowed(app, services, a_day):
    briefing.write_day(services, DAY)
    base = f"/briefing/{DAY.isoformat()}"
    mayor, agency, assessor = (app.server.test_client() for _ in range(3))
    sign_in(mayor, services, "pimpinan")
    sign_in(agency, services, "opd", opds=("dpupr",))
    sign_in(assessor, services, "penilai")
    listed = mayor.get("/briefing/").get_data(as_text=True)
    assert f'href="{base}/walikota.pdf"' in listed and f'href="{base}/opd-bpbd.pdf"' in listed
    own = agency.get("/briefing/").get_data(as_text=True)
    assert f'href="{base}/opd-dpupr.pdf"' in own and "walikota.pdf" not in own and "opd-bpbd" not in own
    assert 'id="briefings-none"' in assessor.get("/briefing/").get_data(as_text=True)
    got = mayor.get(f"{base}/walikota.pdf")
    assert (
        got.status_code == 200
        and got.mimetype == "application/pdf"
        and got.headers["Cache-Control"] == "private, no-store"
    )
    assert agency.get(f"{base}/opd-dpupr.pdf").status_code == 200
    for who, path in (
        (agency, "walikota.pdf"),
        (agency, "opd-bpbd.pdf"),
        (assessor, "walikota.pdf"),
        (assessor, "opd-dpupr.pdf"),
    ):
        assert who.get(f"{base}/{path}").status_code == 403, path
    assert app.server.test_client().get(f"{base}/walikota.pdf").status_code == 302  # signed out: to the sign-in page
    for bad in (
        "/briefing/2026-1-1/walikota.pdf",
        f"{base}/walikota.txt",
        f"{base}/opd-x.pdf",
        f"{base}/opd-dpupr.pdf.tmp",
    ):
        assert mayor.get(bad).status_code == 404, bad
    climbed = mayor.get(
        f"{base}/..%2f..%2fsecret_key"
    )  # (the path leaves /briefing/: the wall's page answers, not a file)
    secret = (
        (services.settings.data_dir / "secret_key").read_bytes()
        if (services.settings.data_dir / "secret_key").exists()
        else b"\0"
    )
    assert climbed.mimetype != "application/pdf" and secret not in climbed.data


class Inbox:
    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def test_the_briefing_is_mailed_to_its_readers(services, a_day, tmp_path):
    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        settings = services.settings.replace(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
            smtp_from="liveroom@kota.example",
            briefing_to="walikota@kota.example",
            briefing_opd_to="dpupr=kadis@dpupr.example,sekdis@dpupr.example;dlh=kadis@dlh.example",
        )
        mailing = Services(settings)
        files = briefing.write_day(mailing, DAY)
        assert briefing.send_day(mailing, DAY, files) == 3  # the mayor, DPUPR, DLH (BPBD has no address: not sent)
    finally:
        smtp.stop()
    by_to = {tuple(to): email.message_from_bytes(content) for to, content in inbox.messages}
    assert set(by_to) == {
        ("walikota@kota.example",),
        ("kadis@dpupr.example", "sekdis@dpupr.example"),
        ("kadis@dlh.example",),
    }
    mayor = by_to[("walikota@kota.example",)]
    assert mayor["From"] == "liveroom@kota.example" and DAY.isoformat() in mayor["Subject"]
    (attachment,) = [part for part in mayor.walk() if part.get_content_type() == "application/pdf"]
    assert "Laporan hari itu: 4" in text(attachment.get_payload(decode=True), tmp_path)


def test_the_worker_briefs_the_day_before_once_after_seven(services, a_day):
    seven = datetime.combine(DAY + timedelta(days=1), time(7, 0), WIB).astimezone(timezone.utc)
    assert briefing.due_day(seven - timedelta(minutes=1), "07:00") is None
    assert briefing.due_day(seven, "07:00") == DAY and briefing.due_day(seven, "") is None
    assert briefing.brief_if_due(services, seven - timedelta(minutes=1)) is None
    assert briefing.brief_if_due(services, seven + timedelta(minutes=3)) == DAY
    folder = briefing.folder(services.settings.data_dir, DAY)
    first = (folder / "walikota.pdf").stat().st_mtime_ns
    assert briefing.brief_if_due(services, seven + timedelta(minutes=4)) is None  # done: not again
    assert (folder / "walikota.pdf").stat().st_mtime_ns == first and (folder / ".done").read_text().startswith(
        "4 pages"
    )
