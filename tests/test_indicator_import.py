"""Indicator figures from CSV and XLSX: round trips, every kind of bad row named by line, nothing stored from a bad
file.
"""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from data_feeds.indicators.importer import FileError, import_file, run_cli
from data_feeds.store import indicator_values
from tests.helpers import data_feeds_cli

ROOT = Path(__file__).resolve().parents[1]
HEADER = "indicator,place,period,measure,subject,as_of,value,source,correction"
GOOD = [
    "vaccination_dose_1,Karawaci,,,,2022-03-31,150000,Dinkes mingguan,",
    "vaccination_dose_1,36.71,,,,2022-03-31,2200000,Dinkes mingguan,",
    "house_renovation,36.71,2023,value,,2023-12-31,650,Disperkimtan,",
    "assistive_devices,36.71,2023,value,kursi_roda,2023-12-31,96,Dinsos,",
    "food_safety_safe_share,36.71,2023,,Pasar Anyar,2023-09-01,95.5,Dinkes uji pangan,",
]


def count(services) -> int:
    with services.store.read() as conn:
        return conn.execute(select(func.count()).select_from(indicator_values)).scalar_one()


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO("\n".join([HEADER, *lines]).encode())


@pytest.mark.store
def test_csv_round_trip(services):
    services.indicators.seed()
    stored, errors = import_file(services.indicators, csv_file(*GOOD), "figures.csv", actor="test")
    assert (stored, errors) == (len(GOOD), [])
    assert [r["value"] for r in services.indicators.series("vaccination_dose_1", "36.71.07")] == [150000]
    assert services.indicators.series("vaccination_dose_1")[-1]["value"] == 2200000
    (renov,) = services.indicators.series("house_renovation")
    assert (renov["period"], renov["value"]) == ("2023", 650)
    (market,) = services.indicators.series("food_safety_safe_share", subject="Pasar Anyar")
    assert market["value"] == 95.5 and market["as_of"] == "2023-09-01"
    assert services.indicators.series("assistive_devices", subject="kursi_roda")[0]["recorded_by"] == "test"


@pytest.mark.store
def test_xlsx_round_trip_with_date_and_number_cells(services):
    wb = Workbook()
    ws = wb.active
    ws.append(["Indicator", "Place", "Period", "As_of", "Value", "Source"])  # header case does not matter
    ws.append(["house_renovation", "Karawaci", 2023, datetime(2023, 12, 31), 99, "Disperkimtan, rekap tahunan"])
    ws.append([None, None, None, None, None, None])  # a blank line between blocks
    ws.append(["tangerang_bisa", None, None, date(2024, 6, 30), 10250, "Diskop UKM"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    assert import_file(services.indicators, buf, "rekap.xlsx", actor="test") == (2, [])
    (row,) = services.indicators.series("house_renovation", "36.71.07")
    assert (row["period"], row["as_of"], row["value"]) == ("2023", "2023-12-31", 99)
    assert services.indicators.series("tangerang_bisa")[0]["value"] == 10250


@pytest.mark.store
@pytest.mark.parametrize(
    "bad,field,words",
    [
        ("ufo,36.71,,,,2022-03-31,5,Dinkes,", "indicator", "unknown indicator 'ufo'"),
        ("vaccination_dose_1,Atlantis,,,,2022-03-31,5,Dinkes,", "place", "unknown place 'Atlantis'"),
        ("vaccination_dose_1,36.71,,,,2022-03-31,2.130.166,Dinkes,", "value", "must be a plain number"),
        ("vaccination_dose_1,36.71,,,,,5,Dinkes,", "as_of", "is required"),
        ("vaccination_dose_1,36.71,,,,31/03/2022,5,Dinkes,", "as_of", "date"),
        ("vaccination_dose_1,36.71,,,,2099-01-01,5,Dinkes,", "as_of", "future"),
        ("vaccination_dose_1,36.71,,,,2022-03-31,-1,Dinkes,", "value", "greater than or equal to 0"),
        ("vaccination_dose_1,36.71,,,,2022-03-31,5,,", "source", "is required"),
        ("house_renovation,36.71,,,,2023-12-31,5,Disperkimtan,", "period", "counted per period"),
        ("house_renovation,36.71,23,,,2023-12-31,5,Disperkimtan,", "period", "must be a year"),
        ("assistive_devices,36.71,2023,,sepeda,2023-12-31,5,Dinsos,", "subject", "kursi_roda"),
        ("vaccination_dose_1,36.71,,target,,2022-03-31,5,Dinkes,", "measure", "coverage denominator"),
        ("vaccination_dose_1,36.71,,,,2022-03-31,5,Dinkes,mungkin", "correction", "boolean"),
        (
            "vaccination_dose_1,36.71,,,,2022-03-15,1000,Dinkes,",
            "value",
            "is below 2,130,166 on 2022-02-28",
        ),  # cumulative regression
    ],
)
def test_each_bad_row_is_named_and_nothing_of_the_file_is_stored(services, bad, field, words):
    services.indicators.seed()
    before = count(services)
    stored, errors = import_file(services.indicators, csv_file(*GOOD, bad), "figures.csv", actor="test")
    assert stored == 0 and len(errors) == 1
    (err,) = errors
    assert err["line"] == len(GOOD) + 2 and err["field"] == field and words in err["reason"], err
    assert count(services) == before


@pytest.mark.store
def test_every_bad_row_is_reported_not_only_the_first(services):
    services.indicators.seed()
    before = count(services)
    _, errors = import_file(
        services.indicators,
        csv_file("ufo,36.71,,,,2022-03-31,5,x x x,", GOOD[0], "vaccination_dose_1,36.71,,,,2022-03-31,abc,Dinkes,"),
        "f.csv",
        actor="t",
    )
    assert [(e["line"], e["field"]) for e in errors] == [(2, "indicator"), (4, "value")]
    # rows checked against the series: a later row below an earlier one of the same file is refused too
    _, errors = import_file(
        services.indicators,
        csv_file("tbc_cadres,,,,,2023-01-31,5200,Dinkes,", "tbc_cadres,,,,,2023-06-30,5100,Dinkes,"),
        "f.csv",
        actor="t",
    )
    assert [(e["line"], e["field"]) for e in errors] == [(3, "value")] and "below 5,200 on 2023-01-31" in errors[0][
        "reason"
    ]
    assert count(services) == before


def test_dry_run_checks_and_stores_nothing(services, capsys, tmp_path):
    services.indicators.seed()
    before = count(services)
    path = tmp_path / "figures.csv"
    path.write_text("\n".join([HEADER, *GOOD]))
    assert run_cli(services.indicators, str(path), dry_run=True) == 0
    assert "5 figure(s) checked, nothing stored" in capsys.readouterr().out
    assert count(services) == before
    path.write_text("\n".join([HEADER, GOOD[0], "ufo,36.71,,,,2022-03-31,5,Dinkes,"]))
    assert run_cli(services.indicators, str(path), dry_run=False) == 1
    assert "line 3: indicator: unknown indicator 'ufo'" in capsys.readouterr().err
    assert count(services) == before


@pytest.mark.parametrize(
    "content,name,words",
    [
        ("indicator,as_of,value,source,colour\n", "f.csv", "unknown column(s) colour"),
        ("indicator,as_of,value\nx,2022-01-01,1\n", "f.csv", "missing column(s) source"),
        (HEADER + "\n", "f.csv", "no rows"),
        ("not a workbook", "f.xlsx", "not a readable XLSX"),
        ("a,b", "f.pdf", ".csv or .xlsx"),
    ],
)
def test_unreadable_files_are_refused_whole(services, content, name, words):
    with pytest.raises(FileError, match=words.replace("(", r"\(").replace(")", r"\)")):
        import_file(services.indicators, io.BytesIO(content.encode()), name, actor="t")


def test_semicolon_csv_from_a_spreadsheet_in_indonesian_locale(services):
    text = "indicator;as_of;value;source\ntangerang_emas;2024-06-30;310;Diskop UKM\n"
    assert import_file(services.indicators, io.BytesIO(text.encode()), "emas.csv", actor="t") == (1, [])


def test_upload_through_the_api(client, services):
    key = {"X-API-Key": services.api_keys.create("laksa", roles=("indicators",))[1]}
    services.indicators.seed()
    before = count(services)
    body = "\n".join([HEADER, *GOOD]).encode()
    resp = client.post("/api/v1/indicators/import?dry_run=1", data={"file": (io.BytesIO(body), "f.csv")}, headers=key)
    assert resp.status_code == 200 and resp.get_json() == {"stored": 0, "checked": 5, "dry_run": True}
    assert count(services) == before
    bad = "\n".join([HEADER, GOOD[0], "ufo,36.71,,,,2022-03-31,5,Dinkes,"]).encode()
    resp = client.post("/api/v1/indicators/import", data={"file": (io.BytesIO(bad), "f.csv")}, headers=key)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == [
        {"line": 3, "field": "indicator", "reason": resp.get_json()["errors"][0]["reason"]}
    ]
    assert count(services) == before
    resp = client.post("/api/v1/indicators/import", data={"file": (io.BytesIO(body), "f.csv")}, headers=key)
    assert resp.status_code == 201 and resp.get_json()["stored"] == 5
    assert count(services) == before + 5
    report_only = {"X-API-Key": services.test_keys["112"]}
    assert (
        client.post(
            "/api/v1/indicators/import", data={"file": (io.BytesIO(body), "f.csv")}, headers=report_only
        ).status_code
        == 403
    )


def test_the_command_line(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text("\n".join([HEADER, GOOD[2]]))
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    run = data_feeds_cli(env, "import", "indicators", str(path))
    assert run.returncode == 0 and "1 figure(s) stored from figures.csv" in run.stdout, run.stderr
    run = data_feeds_cli(env, "import", "indicators", str(path))
    assert run.returncode == 0 and "0 figure(s) stored" in run.stdout  # the same file again: nothing doubled
