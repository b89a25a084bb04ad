"""Indicator figures: one time-series model, seeded from the articles, updated by API; cumulative
series never go back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_feeds.indicators.config import load
from data_feeds.store import indicator_values

pytestmark = pytest.mark.store  # the store is what these test: SQLite and PostgreSQL


@pytest.fixture
def key(services):
    return {"X-API-Key": services.api_keys.create("laksa", roles=("indicators",))[1]}


def post(client, body, key, query=""):
    return client.post(
        f"/api/v1/indicators{query}", data=json.dumps(body), content_type="application/json", headers=key
    )


def count(services) -> int:
    with services.store.read() as conn:
        return conn.execute(select(func.count()).select_from(indicator_values)).scalar_one()


def fig(**over) -> dict:
    body = {
        "indicator": "vaccination_dose_1",
        "place": "36.71",
        "as_of": "2022-03-31",
        "value": 2_200_000,
        "source": "Dinkes Kota Tangerang, laporan mingguan",
    }
    body.update(over)
    return body


def test_config_names_pillars_and_owners(services):
    config = load()
    assert {"vaccination_dose_1", "house_renovation", "tangerang_bisa"} <= set(config)
    assert all(i.owner in services.routing.opds for i in config.values())
    from data_feeds.indicators.config import PILLARS

    assert {i.pillar for i in config.values()} <= set(PILLARS) and {
        o.pillar for o in services.routing.opds.values()
    } <= set(PILLARS)


def test_seed_gives_the_article_figures_once(services):
    assert services.indicators.seed() > 0
    assert services.indicators.seed() == 0  # once
    (first,) = services.indicators.series("vaccination_dose_1")
    assert (first["value"], first["as_of"], first["source"]) == (
        2130166,
        "2022-02-28",
        "Suararepubliknews, 28 Feb 2022",
    )
    targets = {
        r: services.indicators.series("house_renovation", r, "target")[0]["value"]
        for r in ("36.71", "36.71.07", "36.71.07.1007")
    }
    assert targets == {"36.71": 700, "36.71.07": 107, "36.71.07.1007": 8}


def test_api_round_trip(client, services, key):
    services.indicators.seed()
    resp = post(client, [fig(), fig(place="Karawaci", value=150_000)], key)
    assert resp.status_code == 201 and resp.get_json()["stored"] == 2
    city = client.get("/api/v1/indicators/vaccination_dose_1").get_json()["series"]
    assert [(r["as_of"], r["value"]) for r in city] == [("2022-02-28", 2130166), ("2022-03-31", 2200000)]
    kec = client.get("/api/v1/indicators/vaccination_dose_1?place=36.71.07").get_json()
    assert kec["place"] == "36.71.07" and kec["series"][0]["value"] == 150000


@pytest.mark.parametrize(
    "bad,status,field,words",
    [
        (fig(indicator="ufo"), 422, "indicator", "unknown indicator"),
        (fig(place="Atlantis"), 422, "place", "unknown place"),
        (fig(value=-5), 422, "value", "greater than or equal to 0"),
        (fig(value="banyak"), 422, "value", "must be a plain number"),
        (fig(as_of="2099-01-01"), 422, "as_of", "future"),
        (fig(source=""), 422, "source", "at least 3"),
        (fig(indicator="house_renovation"), 422, "period", "counted per period"),
        (fig(period="2023"), 422, "period", "running total"),
        (fig(value=2_000_000), 409, "value", "2,000,000 on 2022-03-31 is below 2,130,166 on 2022-02-28"),
        (
            fig(as_of="2022-01-31", value=2_500_000),
            409,
            "value",
            "2,500,000 on 2022-01-31 is above 2,130,166 on the later 2022-02-28",
        ),
        (fig(as_of="2022-02-28", value=2_100_000), 409, "as_of", "already has a figure for 2022-02-28 (2,130,166)"),
    ],
)
def test_bad_figures_are_refused_and_nothing_of_the_batch_is_stored(client, services, key, bad, status, field, words):
    services.indicators.seed()
    before = count(services)
    resp = post(client, [fig(as_of="2022-04-30", value=2_300_000), bad], key)  # a good one first: refused with it
    assert resp.status_code == status
    err = resp.get_json()["error"]
    assert err["field"] == f"[1].{field}" and words in err["reason"]
    assert count(services) == before


def test_a_correction_may_lower_a_cumulative_series(client, services, key):
    services.indicators.seed()
    resp = post(client, fig(as_of="2022-02-28", value=2_120_000, correction=True, source="Dinkes, koreksi data"), key)
    assert resp.status_code == 201
    series = client.get("/api/v1/indicators/vaccination_dose_1").get_json()["series"]
    assert [(r["as_of"], r["value"], r["correction"]) for r in series] == [("2022-02-28", 2120000, 1)]


def test_dry_run_and_roles(client, services, key):
    services.indicators.seed()
    before = count(services)
    assert post(client, fig(), key, "?dry_run=1").get_json() == {
        "stored": 0,
        "checked": 1,
        "dry_run": True,
        "items": [{**fig(), "period": "", "measure": "value", "subject": "", "correction": 0, "value": 2200000.0}],
    }
    assert count(services) == before
    other = {"X-API-Key": services.test_keys["112"]}  # a report-only key
    resp = post(client, fig(), other)
    assert resp.status_code == 403 and "'indicators' role" in resp.get_json()["error"]["reason"]
    assert count(services) == before


def test_seeding_adds_indicators_configured_later_and_leaves_the_others(services):
    services.indicators.record([fig()], actor="city")  # the city already keeps dose 1 itself
    services.indicators.seed()
    assert [r["value"] for r in services.indicators.series("vaccination_dose_1")] == [2_200_000]  # not touched
    assert services.indicators.series("tangerang_bisa")[0]["value"] == 9891  # the others seeded
    (poris,) = services.indicators.series("food_safety_safe_share", subject="Pasar Poris")
    assert (poris["period"], poris["value"], poris["as_of"]) == ("2023", 92.6, "2023-08-08")


def test_identical_figures_sent_twice_are_stored_once(client, services, key):
    assert post(client, fig(), key).get_json()["stored"] == 1
    before = count(services)
    again = post(client, fig(), key)
    assert again.status_code == 201 and again.get_json()["stored"] == 0 and count(services) == before


def test_summary_target_against_realisation_per_period_and_subject(services):
    from datetime import date

    from data_feeds.indicators.summary import summarise

    services.indicators.seed()
    places, subjects = summarise(services.store, load(), services.gazetteer, date(2026, 11, 23))
    renov = places["house_renovation"]["36.71"]  # a target, no realisation yet
    assert (renov["value"], renov["target"], renov["progress"], renov["period"]) == (None, 700, None, "2023")
    assert renov["periods"] == [{"period": "2023", "value": None, "target": 700, "progress": None}]
    assert places["house_renovation"]["36.71.07.1007"]["target"] == 8
    services.indicators.record(
        [
            {
                "indicator": "house_renovation",
                "period": "2023",
                "as_of": "2023-12-31",
                "value": 630,
                "source": "Disperkimtan",
            },
            {
                "indicator": "house_renovation",
                "period": "2024",
                "measure": "target",
                "as_of": "2024-01-15",
                "value": 750,
                "source": "Disperkimtan",
            },
            {
                "indicator": "house_renovation",
                "period": "2024",
                "as_of": "2024-06-30",
                "value": 300,
                "source": "Disperkimtan",
            },
            {
                "indicator": "assistive_devices",
                "period": "2023",
                "subject": "kursi_roda",
                "as_of": "2023-12-31",
                "value": 85,
                "source": "Dinsos",
            },
        ]
    )
    places, subjects = summarise(services.store, load(), services.gazetteer, date(2024, 7, 1))
    renov = places["house_renovation"]["36.71"]
    assert (renov["period"], renov["value"], renov["target"], renov["state"], renov["stale"]) == (
        "2024",
        300,
        750,
        "bad",
        False,
    )
    assert [(p["period"], p["value"], p["target"], round(p["progress"], 2)) for p in renov["periods"]] == [
        ("2023", 630, 700, 0.9),
        ("2024", 300, 750, 0.4),
    ]
    chairs = subjects["assistive_devices"]["36.71"]["kursi_roda"]
    assert (chairs["value"], chairs["target"], chairs["progress"], chairs["state"]) == (85, 100, 0.85, "warn")
    assert subjects["assistive_devices"]["36.71"]["walker"]["value"] is None  # allocation only


def test_demo_breakdowns_add_up_to_the_real_city_totals_and_are_marked(services):
    from sqlalchemy import select

    from data_feeds.indicators import demo as demo_indicators
    from geodata import choropleth

    services.indicators.seed()
    assert demo_indicators.synthesise(services.indicators) > 0
    assert demo_indicators.synthesise(services.indicators) == 0  # once
    gz = services.gazetteer
    for n, city in ((1, 2130166), (2, 1701575), (3, 209863)):
        latest = [services.indicators.series(f"vaccination_dose_{n}", code)[-1] for code in gz.kecamatan]
        assert sum(r["value"] for r in latest) == city and all(r["demo"] == 1 for r in latest)
        assert services.indicators.series(f"vaccination_dose_{n}")[-1]["demo"] == 0  # the city's real figure stays
    karawaci = services.indicators.series("house_renovation", "36.71.07", "target")
    assert [(r["value"], r["demo"]) for r in karawaci] == [(107, 0)]  # the real target is not overwritten
    targets = [services.indicators.series("house_renovation", code, "target")[-1]["value"] for code in gz.kecamatan]
    assert sum(targets) == 700
    with services.store.read() as conn:
        sources = set(conn.execute(select(indicator_values.c.source).where(indicator_values.c.demo == 1)).scalars())
    assert sources == {demo_indicators.SOURCE}
    # the map: coverage where the kecamatan's population is known, "no data" where it is not; marked demo
    from datetime import date

    from data_feeds.indicators.summary import summarise

    places, _ = summarise(services.store, load(), gz, date(2026, 11, 23))
    values = choropleth.values("vaccination", {}, gz, places)
    assert values["36.71.05"] == round(
        100 * services.indicators.series("vaccination_dose_2", "36.71.05")[-1]["value"] / 248210, 1
    )
    assert values["36.71.07"] is None  # Karawaci: no official population figure yet
    assert all(v is not None for v in choropleth.values("programs", {}, gz, places).values())
    assert choropleth.from_demo("vaccination", places) and not choropleth.from_demo("open", places)


def test_export_csv_opens_in_columns_in_an_indonesian_excel_and_plain_for_programs(client, services):
    import io

    import pandas as pd

    services.indicators.seed()
    resp = client.get("/api/v1/export/indicators.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv" and resp.data.startswith(b"\xef\xbb\xbf")
    # read as Excel in an Indonesian locale reads it: semicolons between cells, a decimal comma, day-first dates
    table = pd.read_csv(io.BytesIO(resp.data), sep=";", decimal=",", encoding="utf-8-sig", dtype={"kode_wilayah": str})
    assert list(table.columns[:3]) == ["pilar", "kode_indikator", "indikator"] and "sumber" in table.columns
    dose1 = table[(table.kode_indikator == "vaccination_dose_1") & (table.kode_wilayah == "36.71")].iloc[0]
    assert dose1.nilai == 2130166 and dose1.capaian_persen == 110.5 and dose1.per_tanggal == "28/02/2022"
    assert dose1.pilar == "Smart Living" and dose1.demo == "tidak"
    dose3 = table[(table.kode_indikator == "vaccination_dose_3") & (table.kode_wilayah == "36.71")].iloc[0]
    assert dose3.nilai == 209863 and dose3.capaian_persen == 10.9
    plain = client.get("/api/v1/export/indicators.csv?format=plain&lang=en")
    text = plain.data.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[:3] == ["pillar", "indicator_code", "indicator"] and "as_of" in header and "agency" in header
    assert (
        'Smart Living,vaccination_dose_1,"COVID-19 vaccination, dose 1",36.71,Kota Tangerang,,,2130166,people,,110.5,'
        in text
    )
    assert ",2022-02-28," in text
    bad = client.get("/api/v1/export/indicators.csv?format=excel")
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "format"
    assert client.get("/api/v1/export/indicators.pdf").status_code == 404


def test_export_xlsx_has_a_title_block_a_sheet_per_pillar_and_real_numbers_and_dates(client, services):
    import io
    from datetime import datetime

    from openpyxl import load_workbook

    services.indicators.seed()
    book = load_workbook(io.BytesIO(client.get("/api/v1/export/indicators.xlsx").data))
    assert [
        n for n in book.sheetnames if n.startswith("Smart ")
    ] == book.sheetnames and "Smart Living" in book.sheetnames
    sheet = book["Smart Living"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Indikator Smart City Kota Tangerang") and rows[1][0].startswith("Angka per ")
    assert rows[2][0].startswith("Dibuat ") and "WIB" in rows[2][0] and rows[3][0].startswith("Sumber:")
    header_row = next(n for n, r in enumerate(rows, start=1) if r[0] == "pilar")
    assert sheet.freeze_panes == f"A{header_row + 1}" and sheet.cell(header_row, 1).font.bold
    assert all(r[0] == "Smart Living" for r in rows[header_row:] if r[0])  # this pillar's rows only
    headers = rows[header_row - 1]
    dose1 = next(r for r in rows if r[1] == "vaccination_dose_1" and r[headers.index("kode_wilayah")] == "36.71")
    value_cell = sheet.cell(rows.index(dose1) + 1, headers.index("nilai") + 1)
    assert value_cell.value == 2130166 and value_cell.data_type == "n" and value_cell.number_format == "#,##0"
    date_cell = sheet.cell(rows.index(dose1) + 1, headers.index("per_tanggal") + 1)
    assert date_cell.value == datetime(2022, 2, 28) and date_cell.number_format == "dd/mm/yyyy"
    assert dose1[headers.index("sumber")]  # the source beside every figure
    governance = list(book["Smart Governance"].iter_rows(values_only=True))
    codes = {r[1] for r in governance[header_row:]}
    assert {"tangerang_live_downloads", "tangerang_live_services"} <= codes and "vaccination_dose_1" not in codes


def test_history_export_keeps_corrections(client, services, key):
    services.indicators.seed()
    assert (
        post(
            client, fig(as_of="2022-02-28", value=2_120_000, correction=True, source="Dinkes, koreksi"), key
        ).status_code
        == 201
    )
    text = client.get("/api/v1/export/indicators.csv?history=1&format=plain").data.decode("utf-8-sig")
    dose1 = [line for line in text.splitlines() if ",vaccination_dose_1," in line]
    assert len(dose1) == 2 and ",2130166," in dose1[0] and ",2120000," in dose1[1] and "Dinkes, koreksi" in dose1[1]
    assert text.splitlines()[0].endswith("koreksi,demo,dicatat_utc,dicatat_oleh")


def test_the_coverage_denominator_is_configurable(services, tmp_path):
    from datetime import date

    from data_feeds.indicators.summary import summarise

    text = (Path(__file__).resolve().parents[1] / "data_feeds" / "indicators" / "indicators.toml").read_text()
    text = text.replace(
        'coverage_of = "population"\nthresholds = { good = 0.9, warn = 0.7 }\nseed = "vaccination_dose_2_total"',
        'coverage_of = { value = 1500000, label = "sasaran vaksinasi Dinkes" }\n'
        'thresholds = { good = 0.9, warn = 0.7 }\nseed = "vaccination_dose_2_total"',
    )
    (tmp_path / "indicators.toml").write_text(text)
    config = load(tmp_path / "indicators.toml")
    services.indicators.seed()
    places, _ = summarise(services.store, config, services.gazetteer, date(2026, 11, 23))
    dose2 = places["vaccination_dose_2"]["36.71"]
    assert dose2["denominator"] == {"value": 1500000, "label": "sasaran vaksinasi Dinkes"}
    assert round(dose2["progress"], 4) == round(1701575 / 1500000, 4) and dose2["state"] == "good"
    assert places["vaccination_dose_1"]["36.71"]["denominator"]["value"] == 1927815  # the others: the population
    (tmp_path / "bad.toml").write_text(
        '[x]\nname_id = "x"\nname_en = "x"\nunit_id = "x"\nunit_en = "x"\nkind = "cumulative"\n'
        'owner = "dinkes"\npillar = "living"\ncadence_days = 7\ncoverage_of = "people"\n'
    )
    with pytest.raises(ValueError, match="coverage_of"):
        load(tmp_path / "bad.toml")


def test_series_of_one_subject(client, services):
    services.indicators.seed()
    rows = client.get("/api/v1/indicators/food_safety_safe_share").get_json()["series"]
    assert sorted((r["subject"], r["value"]) for r in rows) == [("Pasar Laris Cibodas", 98), ("Pasar Poris", 92.6)]
    (poris,) = client.get("/api/v1/indicators/food_safety_safe_share?subject=Pasar Poris").get_json()["series"]
    assert (poris["period"], poris["as_of"], poris["value"]) == ("2023", "2023-08-08", 92.6)
