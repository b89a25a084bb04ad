"""Indicator figures: one time-series model, seeded from the articles, updated by API; cumulative series never go back."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from data_feeds.indicators import load
from data_feeds.store import indicator_values


@pytest.fixture
def key(services):
    return {"X-API-Key": services.api_keys.create("laksa", roles=("indicators",))[1]}


def post(client, body, key, query=""):
    return client.post(f"/api/v1/indicators{query}", data=json.dumps(body), content_type="application/json", headers=key)


def count(services) -> int:
    with services.store.read() as conn:
        return conn.execute(select(func.count()).select_from(indicator_values)).scalar_one()


def fig(**over) -> dict:
    body = {"indicator": "vaccination_dose_1", "place": "36.71", "as_of": "2022-03-31", "value": 2_200_000,
            "source": "Dinkes Kota Tangerang, laporan mingguan"}
    body.update(over)
    return body


def test_config_names_pillars_and_owners(services):
    config = load()
    assert {"vaccination_dose_1", "house_renovation", "tangerang_bisa"} <= set(config)
    assert all(i.owner in services.routing.opds for i in config.values())


def test_seed_gives_the_article_figures_once(services):
    assert services.indicators.seed() > 0
    assert services.indicators.seed() == 0  # once
    (first,) = services.indicators.series("vaccination_dose_1")
    assert (first["value"], first["as_of"], first["source"]) == (2130166, "2022-02-28", "Suararepubliknews, 28 Feb 2022")
    targets = {r: services.indicators.series("house_renovation", r, "target")[0]["value"] for r in ("36.71", "36.71.07", "36.71.07.1007")}
    assert targets == {"36.71": 700, "36.71.07": 107, "36.71.07.1007": 8}


def test_api_round_trip(client, services, key):
    services.indicators.seed()
    resp = post(client, [fig(), fig(place="Karawaci", value=150_000)], key)
    assert resp.status_code == 201 and resp.get_json()["stored"] == 2
    city = client.get("/api/v1/indicators/vaccination_dose_1").get_json()["series"]
    assert [(r["as_of"], r["value"]) for r in city] == [("2022-02-28", 2130166), ("2022-03-31", 2200000)]
    kec = client.get("/api/v1/indicators/vaccination_dose_1?place=36.71.07").get_json()
    assert kec["place"] == "36.71.07" and kec["series"][0]["value"] == 150000


@pytest.mark.parametrize("bad,status,field,words", [
    (fig(indicator="ufo"), 422, "indicator", "unknown indicator"),
    (fig(place="Atlantis"), 422, "place", "unknown place"),
    (fig(value=-5), 422, "value", "greater than or equal to 0"),
    (fig(value="banyak"), 422, "value", "must be a plain number"),
    (fig(as_of="2099-01-01"), 422, "as_of", "future"),
    (fig(source=""), 422, "source", "at least 3"),
    (fig(indicator="house_renovation"), 422, "period", "counted per period"),
    (fig(period="2023"), 422, "period", "running total"),
    (fig(value=2_000_000), 409, "value", "2,000,000 on 2022-03-31 is below 2,130,166 on 2022-02-28"),
    (fig(as_of="2022-01-31", value=2_500_000), 409, "value", "2,500,000 on 2022-01-31 is above 2,130,166 on the later 2022-02-28"),
    (fig(as_of="2022-02-28", value=2_100_000), 409, "as_of", "already has a figure for 2022-02-28 (2,130,166)"),
])
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
        "stored": 0, "checked": 1, "dry_run": True, "items": [{**fig(), "period": "", "measure": "value", "subject": "", "correction": 0, "value": 2200000.0}]}
    assert count(services) == before
    other = {"X-API-Key": services.test_keys["112"]}  # a report-only key
    resp = post(client, fig(), other)
    assert resp.status_code == 403 and "'indicators' role" in resp.get_json()["error"]["reason"]
    assert count(services) == before
