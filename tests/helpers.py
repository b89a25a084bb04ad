"""What the tests share: payloads, places, HTTP shorthands, the browser and its wall helpers."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess

from PIL import Image
from sqlalchemy import func, select

from data_feeds.settings import PROJECT_DIR
from data_feeds.store import outbox, report_events, reports
from data_feeds.store.tables import evidence_files

SHARED_DIR = PROJECT_DIR.parent / "shared"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Tests send bursts no feed would; the rate limits have their own tests (test_limits.py), with their own limits.
UNLIMITED = {
    "rate_limit_per_key": "100000/second",
    "rate_limit_per_address": "100000/second",
    "screen_limit": "100000/second",
    "screen_page_limit": "100000/second",
}
WAIT_MS = 15_000  # generous: these check that things happen, bench/ measures how fast


def wait_until(check, timeout: float = 60.0, what: str = "it", step: float = 0.05):
    """Poll `check` until it gives something true (returned), or fail naming `what`: a test waits for behaviour,
    generously; how fast it happens is bench/'s business."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"{what} never happened")


def report_payload(**overrides) -> dict:
    """A valid report in Kecamatan Karawaci on the schematic default boundaries."""
    body = {
        "source": "laksa",
        "category": "jalan_rusak",
        "title": "Jalan berlubang di depan pasar",
        "description": "Lubang sedalam 20 cm",
        "lat": -6.1805,
        "lon": 106.6297,
    }
    body.update(overrides)
    return body


def at_kelurahan(code: str) -> dict:
    """lat/lon of a kelurahan's representative point: a place that is surely inside it."""
    from geodata import gazetteer

    place = gazetteer.load().kelurahan[code]
    return {"lat": place.lat, "lon": place.lon}


def post(client, body, path="/api/v1/reports", **kwargs):
    return client.post(path, data=json.dumps(body), content_type="application/json", **kwargs)


def store_counts(services) -> tuple[int, int, int, int]:
    """Rows of reports, events, outbox messages and evidence files: a refusal changes none of them."""
    with services.store.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (reports, report_events, outbox, evidence_files)
        )


def stored_report(services, report_id: str) -> dict:
    """A report as the public API shows it, with the reporter read straight from the store (no audited route)."""
    row, _events = services.reports.repository.get_report(report_id)
    return {
        **services.reports.get(report_id),
        "reporter": services.reports.sealer.reporter(row),
    }


def open_wall(page, url: str):
    """Open the wall at `url`: a one-time sign-in link (LiveStack.enter) or, for a signed-in page, the site."""
    page.goto(url)
    page.wait_for_selector("#kpi-baru")
    page.wait_for_selector(".leaflet-container .lr-kec-label")
    page.evaluate("window.__sameDocument = true")  # lost if the page reloads


FIND_POLYGON = """([x, y]) => {
  for (let r = 0; r < 80; r += 5) for (let a = 0; a < 6.28; a += 0.4) {
    const px = x + r * Math.cos(a), py = y + r * Math.sin(a);
    const e = document.elementFromPoint(px, py);
    if (e && e.tagName === 'path' && e.closest('.leaflet-overlay-pane')) return [px, py];
  }
  return null;
}"""


def click_kecamatan(page, name: str):
    """Click the kecamatan's polygon near its label, where no marker is in the way."""
    label = page.locator(".lr-kec-label", has_text=name).first
    label.wait_for(state="visible", timeout=WAIT_MS)
    page.wait_for_timeout(300)  # let the map settle if it is still fitting its bounds
    box = label.bounding_box()
    point = page.evaluate(FIND_POLYGON, [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert point, f"no clickable spot found near {name}"
    page.mouse.click(*point)


def sign_in(client, services, role: str, opds=(), personal: bool = False, username: str | None = None):
    """Sign the test client in as a new person of `role` (by a one-time link, as the start-up does), sending
    no API key from then on. -> the Person."""
    import uuid

    from data_feeds.access.people import People
    from data_feeds.access.tokens import SIGNIN_TTL, OneTimeTokens

    person, _password = People(services.store).add(
        username or f"{role}-{uuid.uuid4().hex[:6]}", role, opds=opds, personal=personal
    )
    client.environ_base.pop("HTTP_X_API_KEY", None)
    resp = client.get(f"/masuk/{OneTimeTokens(services.store).issue('signin', person.id, SIGNIN_TTL)}")
    assert resp.status_code == 302 and resp.headers["Location"] == "/", resp.data
    return person


def csrf_headers(client) -> dict:
    """The header Dash's renderer sends with every callback: the token the page handed over as a cookie."""
    client.get("/")
    return {"X-CSRFToken": client.get_cookie("_csrf_token").value}


def call_callback(
    http,
    first_input: str,
    values: dict,
    url: str = "",
    headers: dict | None = None,
    app_path: str = "/",
    output: str = "",
):
    """Replay a Dash callback as the browser sends it: the callback whose first input (else any input) is
    `first_input` ("component-id.property"), triggered by it, with `values` for its inputs and states by "id.property"
    (None if absent).
    `http` is a Flask test client (url "") or a requests session (url: the site); `app_path` the Dash app's
    address ("/" the wall, "/laporan/" the report browser); `output`, part of the callback's output where several
    share a first input."""
    deps = (
        http.get(f"{url}{app_path}_dash-dependencies").json()
        if url
        else http.get(f"{app_path}_dash-dependencies").get_json()
    )
    named = lambda d: [f"{i['id']}.{i['property']}" for i in d["inputs"]]  # noqa: E731
    deps = [d for d in deps if output in d["output"] and not d.get("clientside_function")]
    dep = next((d for d in deps if named(d)[:1] == [first_input]), None) or next(
        d for d in deps if first_input in named(d)
    )
    parts = [p.rsplit(".", 1) for p in dep["output"].strip(".").split("...")]
    outputs = [{"id": i, "property": p} for i, p in parts]
    body = {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "changedPropIds": [first_input],
        "inputs": [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in dep["inputs"]],
        "state": [{**s, "value": values.get(f"{s['id']}.{s['property']}")} for s in dep["state"]],
    }
    if url:
        return http.post(f"{url}{app_path}_dash-update-component", json=body, headers=headers or {}, timeout=30)
    return http.post(f"{app_path}_dash-update-component", json=body, headers=headers or {})


class CuttingProxy:
    """A TCP proxy that cuts every connection `cut_after_s` after it opened, as proxies with a short read
    timeout do to long-lived streams (a real socket: the browser sees the stream end mid-way). `unplug()` is the
    cable pulled: every open connection ends and new ones are closed at once, until `plug()`."""

    def __init__(self, target_port: int, cut_after_s: float):
        import asyncio
        import threading

        from data_feeds.runtime.embedded_redis import free_port

        self.port, self.target_port, self.cut_after_s = free_port(), target_port, cut_after_s
        self.cuts = 0
        self.plugged, self.open = True, set()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(10)

    def _run(self, ready):
        import asyncio

        asyncio.set_event_loop(self.loop)

        async def pipe(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass

        async def handle(client_reader, client_writer):
            if not self.plugged:
                client_writer.close()
                return
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            except OSError:
                client_writer.close()
                return
            tasks = [
                asyncio.ensure_future(pipe(client_reader, up_writer)),
                asyncio.ensure_future(pipe(up_reader, client_writer)),
            ]
            self.open.update(tasks)
            done, _ = await asyncio.wait(tasks, timeout=self.cut_after_s, return_when=asyncio.FIRST_COMPLETED)
            self.open.difference_update(tasks)
            if not done:
                self.cuts += 1
            for task in tasks:
                task.cancel()
            for writer in (client_writer, up_writer):
                writer.close()

        async def serve():
            server = await asyncio.start_server(handle, "127.0.0.1", self.port)
            ready.set()
            async with server:
                await server.serve_forever()

        self.loop.run_until_complete(serve())

    def unplug(self) -> None:
        def cut_all():
            self.plugged = False
            for task in list(self.open):
                task.cancel()

        self.loop.call_soon_threadsafe(cut_all)

    def plug(self) -> None:
        self.loop.call_soon_threadsafe(lambda: setattr(self, "plugged", True))


def area_view(summary: dict, kode_kec: str | None):
    """(KPIs, ticker rows, SLA panel) of a snapshot for the whole city or one kecamatan, as a selection shows them."""
    from data_feeds.live.snapshot_reads import SLA_WINDOW

    empty = {"rows": [], "breached": 0, "soon": 0, "window_days": SLA_WINDOW.days}
    if kode_kec and kode_kec in summary.get("kpi_by_kec", {}):
        return (
            summary["kpi_by_kec"][kode_kec],
            summary["ticker_by_kec"][kode_kec],
            summary.get("sla", {}).get(kode_kec, empty),
        )
    return summary["kpi"], summary["ticker"], summary.get("sla", {}).get("city", empty)


def data_feeds_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`python -m data_feeds ARGS` with `env` as the whole environment, run by its own main() in this process: the
    same exit code and output without an interpreter's start per call. (tests/test_bulk_import.py::test_cli and
    tests/test_geodata.py run the real `python -m data_feeds` too.)"""
    import contextlib
    import io

    from data_feeds.api.cli import main

    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's refusals, as the process would exit
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["python", "-m", "data_feeds", *args], code, out.getvalue(), err.getvalue())


# -- acting on a report from its card, as the browser's callback does --------------------------------

CARD_STATE = {
    "lang.data": "id",
    "act-note.value": None,
    "act-opd.value": None,
    "act-dup-of.value": None,
    "act-upload.contents": None,
    "act-evidence-url.value": None,
}


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
    """A signed-in browser of `role` (role "screen": a paired wall screen). -> (its test client, the Person or None)."""
    if role == "screen":
        return paired_screen(app, services), None
    http = app.server.test_client()
    return http, sign_in(http, services, role, **kwargs)


def paired_screen(app, services, name: str = "Layar uji"):
    """A browser paired as a wall screen (its pairing link opened once), holding the screen's credential cookie."""
    from data_feeds.access.devices import Devices

    _device, pairing = Devices(services.store).add(name)
    screen = app.server.test_client()
    assert screen.get(f"/pasang/{pairing}").status_code == 302
    return screen


def png_upload() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
