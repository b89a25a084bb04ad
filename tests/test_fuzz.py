"""Property-based fuzz of every write route: no input, however strange, gets a 5xx; every refusal has the
error shape and leaves the store as it was.

The native API is fuzzed from its own OpenAPI document (/api/v1/openapi.json, generated from the
pydantic models) by schemathesis, in both its modes: valid-looking bodies (which go deep: placement,
routing, the lifecycle) and bodies that break the schema. Open311's form-encoded writes, which the
document does not describe, are fuzzed with hypothesis strategies of their fields. FUZZ_EXAMPLES
(default 100) is the number of inputs per route and mode; the README says how many one run tries.
"""

from __future__ import annotations

import io
import os
import uuid
import xml.etree.ElementTree as ET

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from sqlalchemy import func, select

from data_feeds.store import api_keys, audit_events, indicator_values, outbox, report_events, reports
from tests.helpers import UNLIMITED, at_kelurahan, post, report_payload

pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
# derandomised, so CI tries the same inputs every run; FUZZ_RANDOM=1 explores new ones
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
TRIED: list[str] = []  # every input sent, by route: the count the README quotes


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory, redis_server):
    from app import create_app
    from data_feeds.services import Services
    from data_feeds.settings import Settings

    data = tmp_path_factory.mktemp("fuzz")
    services = Services(
        Settings.from_env(
            data_dir=data,
            database_url=f"sqlite:///{data / 'fuzz.db'}",
            redis_url=redis_server.url,
            demo=False,
            key_prefix=f"f{uuid.uuid4().hex[:8]}",
            **UNLIMITED,
        )
    )
    services.store.create_schema()
    key = services.api_keys.create("laksa", roles=("report", "workflow", "personal", "indicators"))[1]
    client = create_app(services=services).server.test_client()
    targets = [
        post(
            client, report_payload(title=f"Sasaran uji {n}", **at_kelurahan(code)), headers={"X-API-Key": key}
        ).get_json()["id"]
        for n, code in enumerate(("36.71.07.1011", "36.71.13.1002"))
    ]
    yield {"services": services, "client": client, "key": key, "targets": targets}
    services.store.dispose()


def snapshot(services) -> tuple:
    with services.store.read() as conn:
        counts = tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (reports, report_events, outbox, indicator_values, api_keys, audit_events)
        )
        return counts, conn.execute(select(func.max(reports.c.updated_at))).scalar()


def assert_error_shape(resp) -> None:
    body = resp.get_json(silent=True)
    assert isinstance(body, dict) and "error" in body, resp.get_data(as_text=True)[:300]
    for err in body["error"] if isinstance(body["error"], list) else [body["error"]]:
        assert set(err) == {"field", "reason"} and isinstance(err["reason"], str) and err["reason"]


def _upload(value):
    """A requests-style file entry as the Flask test client takes it."""
    name, content = (value[0], value[1]) if isinstance(value, tuple) else ("upload", value)
    content = content if isinstance(content, bytes) else str(content).encode()
    return io.BytesIO(content), name or "upload"


def send(client, case):
    kw = case.as_transport_kwargs()
    files = kw.get("files")
    items = files.items() if isinstance(files, dict) else files or []
    data = {name: _upload(value) for name, value in items} if files else kw.get("data")
    return client.open(
        kw["url"],
        method=kw["method"],
        headers={k: v for k, v in kw["headers"].items() if k.lower() != "content-length"},
        query_string=kw.get("params"),
        json=kw.get("json") if "json" in kw else None,
        data=data,
        content_type="multipart/form-data" if files else None,
    )


def native_operations():
    from data_feeds.api.openapi import document

    schema = schemathesis.openapi.from_dict(document())
    return schema, [r.ok() for r in schema.get_all_operations()]


SCHEMA, OPERATIONS = native_operations()


# schema-breaking inputs need something to break: a body, a path or a query parameter
CASES = [
    (op, mode)
    for op in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or list(op.iter_parameters()) or op.method == "post"
]


@pytest.mark.parametrize(
    "operation,mode", CASES, ids=[f"{op.method.upper()} {op.path} {mode.value}" for op, mode in CASES]
)
def test_native_api_never_5xx_and_refusals_change_nothing(fuzz, operation, mode):
    services, client = fuzz["services"], fuzz["client"]
    path_parameters = (
        {"report_id": fuzz["targets"][0]}
        if "{report_id}" in operation.path and mode is GenerationMode.POSITIVE
        else None
    )
    strategy = operation.as_strategy(
        generation_mode=mode, headers={"X-API-Key": fuzz["key"]}, path_parameters=path_parameters
    )

    # a valid evidence-pack request renders a whole PDF (~2 s): a few valid periods here (tests/test_evidence_pack.py
    # checks the pack itself); its strange inputs get the full count in the negative mode
    many = (
        SETTINGS
        if (operation.path, mode) != ("/api/v1/export/evidence.pdf", GenerationMode.POSITIVE)
        else settings(SETTINGS, max_examples=min(EXAMPLES, 6))
    )

    @given(case=strategy)
    @many
    def run(case):
        before = snapshot(services)
        resp = send(client, case)
        TRIED.append(operation.path)
        assert resp.status_code < 500, (case.as_curl_command(), resp.get_data(as_text=True)[:500])
        if 400 <= resp.status_code < 500:
            if not operation.path.startswith("/api/v1/indicators/import") or resp.status_code != 422:
                assert_error_shape(resp)
            assert snapshot(services) == before, case.as_curl_command()

    run()


# -- valid inputs with a few fields changed to anything: past the first check, into placement and the lifecycle --

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def mutations(valid: dict, alternatives: dict) -> st.SearchStrategy:
    """`valid` with up to three of its fields (or unknown ones) replaced, or left out (None: removed)."""
    fields = sorted({*valid, *alternatives, "extra"})

    def field_value(name):
        return st.one_of(ANY_JSON, st.just(None), *([alternatives[name]] if name in alternatives else []))

    chosen = st.lists(st.sampled_from(fields), max_size=3, unique=True)
    return chosen.flatmap(lambda names: st.fixed_dictionaries({n: field_value(n) for n in names})).map(
        lambda changes: {k: v for k, v in {**valid, **changes}.items() if v is not None}
    )


MUTATED = {
    "report": (
        lambda fx: "/api/v1/reports",
        report_payload(
            title="Laporan uji fuzz",
            reporter={"name": "Uji", "phone": "0812 0000 0000"},
            media=["https://laksa.example/a.jpg"],
        ),
        {
            "lat": st.floats(-6.25, -6.12),
            "lon": st.floats(106.57, 106.72),
            "category": st.sampled_from(["banjir", "sampah", "x"]),
            "reported_at": st.datetimes().map(lambda d: d.isoformat() + "+07:00"),
            "kelurahan": st.sampled_from(["Babakan", "Cipondoh", "?"]),
            "id": st.text(min_size=1, max_size=90),
        },
    ),
    "status": (
        lambda fx: f"/api/v1/reports/{fx['targets'][0]}/status",
        {"status": "diproses", "opd": "dpupr", "note": "uji"},
        {
            "status": st.sampled_from(["baru", "diproses", "selesai", "ditolak", "duplikat"]),
            "opd": st.sampled_from(["dpupr", "dlh", "?"]),
            "evidence": st.lists(st.one_of(st.just("https://x.example/a.jpg"), st.text(max_size=30)), max_size=3),
            "duplicate_of": st.sampled_from(["x", "01NOSUCH"]),
            "at": st.datetimes().map(lambda d: d.isoformat() + "+07:00"),
        },
    ),
    "indicators": (
        lambda fx: "/api/v1/indicators",
        {"indicator": "tbc_cadres", "as_of": "2024-05-01", "value": 5100, "source": "Dinkes"},
        {
            "indicator": st.sampled_from(["tbc_cadres", "house_renovation", "vaccination_dose_1", "x"]),
            "as_of": st.dates().map(str),
            "value": st.one_of(st.floats(), st.integers()),
            "period": st.sampled_from(["2023", "20x3", ""]),
            "place": st.sampled_from(["36.71", "Karawaci", "Pabuaran", "?"]),
            "correction": st.booleans(),
        },
    ),
}


@pytest.mark.parametrize("route", sorted(MUTATED))
def test_valid_inputs_with_fields_changed_never_5xx(fuzz, route):
    services, client = fuzz["services"], fuzz["client"]
    path_of, valid, alternatives = MUTATED[route]

    @given(body=mutations(valid, alternatives))
    @SETTINGS
    def run(body):
        before = snapshot(services)
        resp = post(client, body, path_of(fuzz), headers={"X-API-Key": fuzz["key"]})
        TRIED.append(path_of(fuzz).replace(fuzz["targets"][0], "{report_id}"))
        assert resp.status_code < 500, (body, resp.get_data(as_text=True)[:500])
        if resp.status_code >= 400:
            assert_error_shape(resp)
            assert snapshot(services) == before, body

    run()


# -- Open311's form-encoded writes --------------------------------------------------------------


def texts():
    """What a 311 form field may hold: the ordinary, the empty, and anything unicode can say (NUL, bidi, emoji)."""
    return st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                "",
                " ",
                "\x00",
                "\u202e",
                "0",
                "-1",
                "1e999",
                "NaN",
                "Infinity",
                "9999-12-31T23:59:59-14:00",
                "2026-11-01",
                "banjir",
                "sampah",
            ]
        ),
    )


def form_fields(key: str, target: str):
    fields = {
        "service_code": st.one_of(st.sampled_from(["banjir", "sampah", "jalan_rusak", "nope"]), texts()),
        "lat": st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), st.just("-6.1805"), texts()),
        "long": st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), st.just("106.6297"), texts()),
        "address_string": st.one_of(st.just("Jl. Daan Mogot 1, Babakan, Tangerang"), texts()),
        "address_id": st.one_of(st.just("36.71.13.1001"), texts()),
        "description": texts(),
        "first_name": texts(),
        "last_name": texts(),
        "phone": texts(),
        "token": texts(),
        "media_url": st.one_of(st.just("https://laksa.example/a.jpg"), texts()),
        "jurisdiction_id": st.one_of(st.just("tangerangkota.go.id"), texts()),
        "service_request_id": st.one_of(st.just(target), texts()),
        "update_id": texts(),
        "status": st.one_of(st.sampled_from(["OPEN", "REOPEN", "CLOSED", "open"]), texts()),
        "updated_datetime": texts(),
        "start_date": texts(),
        "end_date": texts(),
        "extensions": texts(),
    }
    return st.tuples(
        st.sampled_from([key, "", "lr_x_y"]),
        st.dictionaries(st.sampled_from(sorted(fields)), st.none(), max_size=8).flatmap(
            lambda chosen: st.fixed_dictionaries({name: fields[name] for name in chosen})
        ),
    )


@pytest.mark.parametrize(
    "method,path",
    [("POST", "requests"), ("POST", "servicerequestupdates"), ("GET", "requests"), ("GET", "servicerequestupdates")],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_never_5xx_and_refusals_are_the_specs_errors(fuzz, method, path, fmt):
    services, client = fuzz["services"], fuzz["client"]

    @given(given_fields=form_fields(fuzz["key"], fuzz["targets"][1]))
    @SETTINGS
    def run(given_fields):
        key, fields = given_fields
        before = snapshot(services)
        args = {**fields, "api_key": key} if key else fields
        resp = (
            client.post(f"/open311/v2/{path}.{fmt}", data=args)
            if method == "POST"
            else client.get(f"/open311/v2/{path}.{fmt}", query_string=args)
        )
        TRIED.append(f"/open311/v2/{path}")
        assert resp.status_code < 500, (args, resp.get_data(as_text=True)[:500])
        if resp.status_code >= 400:
            if fmt == "json":
                errors = resp.get_json()
            else:
                root = ET.fromstring(resp.data)
                assert root.tag == "errors"
                errors = [{c.tag: c.text for c in e} for e in root]
            assert len(errors) == 1 and int(errors[0]["code"]) == resp.status_code and errors[0]["description"]
            assert snapshot(services) == before, args
        elif fmt == "xml":
            ET.fromstring(resp.data)  # every answer stays XML

    run()


def test_the_fuzz_tried_every_route(fuzz):
    """Runs last in this module: the count of inputs tried, for the README."""
    routes = {op.path for op in OPERATIONS} | {"/open311/v2/requests", "/open311/v2/servicerequestupdates"}
    assert routes <= set(TRIED)
    print(f"\nfuzz: {len(TRIED)} inputs over {len(set(TRIED))} routes")
