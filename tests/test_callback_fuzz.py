"""Issue 27 finding 8: Dash's callback endpoint answered 13 fuzzed bodies with a 500 (11 malformed bodies Dash read
blindly, 2 non-string queries in the report browser) and a `..%2f` under /_dash-component-suites/ with another.
Every callback of both apps, replayed by a signed-in operator with bodies broken every way: 4xx or a callback's
own answer, never a 5xx; a malformed body names what is wrong."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import csrf_headers, person

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _bodies(app) -> list[tuple[str, dict]]:
    """A well-formed body per callback of `app` (every value None), and the path it is posted to."""
    out = []
    prefix = app.config.requests_pathname_prefix
    for output, cb in app.callback_map.items():
        if "callback" not in cb:
            continue  # runs in the browser
        names = output.strip(".").split("...") if output.startswith("..") else [output]
        outs = [
            {"id": n.rsplit(".", 1)[0], "property": n.rsplit(".", 1)[1]} for n in names
        ]  # (as the renderer: @hash kept)
        out.append(
            (
                f"{prefix}_dash-update-component",
                {
                    "output": output,
                    "outputs": outs if output.startswith("..") else outs[0],
                    "inputs": [{**i, "value": None} for i in cb["inputs"]],
                    "state": [{**s, "value": None} for s in cb["state"]],
                    "changedPropIds": [f"{cb['inputs'][0]['id']}.{cb['inputs'][0]['property']}"]
                    if cb["inputs"]
                    else [],
                },
            )
        )
    return out


@pytest.fixture
def operator(app, services):
    http, _ = person(app, services, "operator")
    http.get(app.reports_app.config.requests_pathname_prefix)  # (each app's Dash sets itself up at its first page)
    return http, csrf_headers(http), _bodies(app) + _bodies(app.reports_app)


def _broken(body: dict) -> list:
    """The malformations the probe found, for one well-formed body."""
    first_input = body["inputs"][0] if body["inputs"] else {"id": "x", "property": "y"}
    return [
        [],
        "text",
        7,
        {},
        {k: v for k, v in body.items() if k != "output"},
        {k: v for k, v in body.items() if k != "inputs"},
        {**body, "output": "nope.children"},
        {**body, "output": ["list"]},
        {**body, "inputs": body["inputs"][:-1]},
        {**body, "inputs": [*body["inputs"], first_input]},
        {**body, "inputs": "x"},
        {**body, "inputs": [7] * len(body["inputs"])},
        {**body, "inputs": [{"id": {"type": "x"}, "property": "y"}] * len(body["inputs"])},
        {**body, "state": {"a": 1}},
        {**body, "outputs": []},
        {**body, "outputs": "x"},
        {**body, "outputs": [body["outputs"]] if isinstance(body["outputs"], dict) else body["outputs"][0]},
        {**body, "changedPropIds": "x"},
        {**body, "changedPropIds": [None]},
    ]


def test_every_malformed_callback_body_is_a_400_naming_the_problem(operator):
    http, headers, bodies = operator
    tried = 0
    for path, body in bodies:
        ok = http.post(path, json=body, headers=headers)
        assert ok.status_code in (200, 204), (body["output"], ok.data[:300])
        for broken in _broken(body):
            resp = http.post(path, json=broken, headers=headers)
            tried += 1
            assert resp.status_code == 400, (body["output"], broken, resp.status_code)
            assert resp.get_json()["error"]["field"] == "body"
        raw = http.post(path, data=b"{not json", headers={**headers, "Content-Type": "application/json"})
        assert raw.status_code == 400
    assert tried == len(bodies) * len(_broken(bodies[0][1])) and len(bodies) > 10


ODD_VALUES = [
    None, 7, -5, 10**20, -1.5, True, "", "x", "z" * 3000, "?status=zz", "36.71.07", "/indikator", "open",
    [], [1, "a"], [[1]], {}, {"a": {"b": 1}}, {"mark": 5}, {"mark": "x", "demo": 3}, {"properties": 5},
    {"properties": {"id": [1]}}, {"properties": {"kode_kec": 5}}, {"startRow": "a", "endRow": 5},
    {"startRow": 0, "endRow": 10**9},
]  # fmt: skip


def test_every_callback_answers_odd_values_without_a_5xx(operator):
    """Each callback, 150 times, with its arguments drawn from values a page never sends (the same draws every run)."""
    http, headers, bodies = operator
    draw, failed = random.Random(7), {}
    for path, body in bodies:
        for _ in range(150):
            sent = json.loads(json.dumps(body))
            for item in sent["inputs"] + sent["state"]:
                item["value"] = draw.choice(ODD_VALUES)
            if http.post(path, json=sent, headers=headers).status_code >= 500:
                failed.setdefault(body["output"], {i["id"]: i["value"] for i in sent["inputs"] + sent["state"]})
    assert failed == {}


@settings(max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_values_in_a_well_formed_body_never_5xx(operator, data):
    """The values are the callbacks' own business: whatever they are, a callback answers or refuses, never a 500
    (the report browser's count and map took a non-string query)."""
    http, headers, bodies = operator
    path, body = data.draw(st.sampled_from(bodies))
    body = json.loads(json.dumps(body))
    for item in body["inputs"] + body["state"]:
        item["value"] = data.draw(JSON)
    resp = http.post(path, json=body, headers=headers)
    assert resp.status_code < 500, (body["output"], resp.status_code, resp.data[:300])


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/..%2f..%2fapp.py",
        "/_dash-component-suites/dash/..%2F..%2F..%2Fsecret_key",
        "/laporan/_dash-component-suites/..%2fapp.py",
    ],
)
def test_a_component_suite_address_that_climbs_is_a_404(operator, path):
    http, _headers, _ = operator
    assert http.get(path).status_code == 404
