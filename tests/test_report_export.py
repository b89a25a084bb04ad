"""The filtered report list as files: CSV for Indonesian Excel, XLSX with a title block; the reader's scope;
never the reporter."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from tests.helpers import post, report_payload, sign_in


@pytest.fixture
def three(client):
    body = {"reporter": {"name": "Siti Aminah", "phone": "0812 1111 2222"}}
    return {
        "road": post(
            client, report_payload(id="LKS-2026-000777", title='=HYPERLINK("x") jalan; rusak', **body)
        ).get_json()["id"],
        "flood": post(client, report_payload(category="banjir", title="Banjir di perumahan", **body)).get_json()["id"],
        "trash": post(client, report_payload(category="sampah", title="Sampah menumpuk", **body)).get_json()["id"],
    }


def test_csv_opens_in_columns_in_indonesian_excel_and_keeps_no_personal_data(client, three):
    resp = client.get("/api/v1/export/reports.csv", query_string={"category": "jalan_rusak,banjir"})
    assert (
        resp.status_code == 200 and resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    )
    assert resp.data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    lines = resp.data.decode("utf-8-sig").split("\r\n")
    header = lines[0].split(";")
    assert header[:4] == ["ID", "ID internal", "Dilaporkan (WIB)", "Status"] and len(header) == 13
    assert header[-1] == "Sumber"
    body = "\n".join(lines[1:])
    assert three["flood"] in body and three["road"] in body and three["trash"] not in body
    assert "Siti" not in body and "0812" not in body
    road = next(line for line in lines if three["road"] in line)
    assert (
        road.startswith("LKS-2026-000777;") and '"\'=HYPERLINK(""x"") jalan; rusak"' in road
    )  # quoted, and no formula
    assert datetime.strptime(road.split(";")[2], "%d/%m/%Y %H:%M")  # a date Excel reads as one


def test_xlsx_has_a_title_saying_the_filter_a_frozen_header_and_real_dates(client, three):
    resp = client.get("/api/v1/export/reports.xlsx", query_string={"status": "baru", "lang": "en"})
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert "status=baru" in ws["A1"].value and "3 reports" in ws["A1"].value and "WIB" in ws["A1"].value
    assert [c.value for c in ws[3]][:3] == ["Id", "Internal id", "Reported (WIB)"] and ws.freeze_panes == "A4"
    assert isinstance(ws["C4"].value, datetime) and ws["C4"].number_format == "dd/mm/yyyy hh:mm"
    assert {ws.cell(row=r, column=2).value for r in range(4, 7)} == set(three.values())
    assert all("Siti" not in str(c.value) for row in ws.iter_rows() for c in row)


def test_an_export_holds_only_what_the_reader_sees(app, services, three):
    agency = app.server.test_client()
    sign_in(agency, services, "opd", opds=("bpbd",))
    body = agency.get("/api/v1/export/reports.csv").data.decode("utf-8-sig")
    assert three["flood"] in body and three["road"] not in body and three["trash"] not in body
    assessor = app.server.test_client()
    sign_in(assessor, services, "penilai")
    assert assessor.get("/api/v1/export/reports.csv").status_code == 403
    assert app.server.test_client().get("/api/v1/export/reports.csv").status_code == 401
    assert agency.get("/api/v1/export/reports.pdf").status_code == 404
    assert agency.get("/api/v1/export/reports.csv", query_string={"status": "x"}).status_code == 422


def test_a_control_character_in_a_stored_title_does_not_break_the_file(client, services, three):
    from sqlalchemy import update

    from data_feeds.store import reports

    with services.store.write() as conn:  # as stored before intake refused control characters
        conn.execute(update(reports).where(reports.c.id == three["trash"]).values(title="Sampah\x00 menumpuk\x1b"))
    resp = client.get("/api/v1/export/reports.xlsx")
    assert resp.status_code == 200
    titles = [row[11] for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows(min_row=4, values_only=True)]
    assert "Sampah menumpuk" in titles
    assert client.get("/api/v1/export/reports.xlsx", query_string={"q": "\x1b"}).status_code == 422


def test_demo_reports_are_labelled_in_both_files(client, services, three):
    """Issue 29, item 5: an export of the demo's reports said nothing of it (2,039 of 2,111 rows were demo)."""
    demo_key = services.api_keys.create("demo")[1]
    post(client, report_payload(source="demo", title="Laporan simulasi"), headers={"X-API-Key": demo_key})
    sign_in(client, services, "pimpinan")
    rows = client.get("/api/v1/export/reports.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].split(";")[-1] == "Sumber"
    assert sorted(line.split(";")[-1] for line in rows[1:]) == ["demo", "laksa", "laksa", "laksa"]
    ws = load_workbook(io.BytesIO(client.get("/api/v1/export/reports.xlsx").data)).active
    assert ws["A1"].value.startswith("DATA DEMO: 1 laporan ini simulasi, bukan laporan warga.")
    client.get("/lang/en")
    ws = load_workbook(io.BytesIO(client.get("/api/v1/export/reports.xlsx?lang=en").data)).active
    assert ws["A1"].value.startswith("DATA DEMO: 1 of these reports are simulated")
