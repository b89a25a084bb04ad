"""Shared fixtures: a real embedded Redis, a real SQLite store, the real app, a real Chromium."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from data_feeds.runtime.embedded_redis import EmbeddedRedis
from data_feeds.services import Services
from data_feeds.settings import Settings
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, SHARED_DIR, UNLIMITED
from tests.stack import LiveStack

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"needs ../shared/ beside the project ({SHARED_DIR}); it holds the official-boundary test fixture")
    return SHARED_DIR


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres():
    from tests.pg import ThrowawayPostgres, binaries

    if binaries() is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL server binaries not found; the test command installs Debian's postgresql")
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql): PostgreSQL store tests skipped")
    server = ThrowawayPostgres().start()
    yield server
    server.stop()


def pytest_generate_tests(metafunc):
    """A test marked `store` (the store is what it tests) runs on the embedded SQLite default and on
    PostgreSQL; every other test runs on SQLite alone."""
    if "database_url" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("store") is not None
        metafunc.parametrize("database_url", ["sqlite", "postgresql"] if both else ["sqlite"], indirect=True)


def pytest_collection_modifyitems(items):
    """Tiers follow from what a test uses, so the fast tier (`make test-fast`: not browser, stack or postgres)
    cannot take in a slow test by a forgotten marker."""
    for item in items:
        if getattr(item, "callspec", None) and item.callspec.params.get("database_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        if {"live_stack", "demo_stack"} & set(item.fixturenames):
            item.add_marker(pytest.mark.stack)
        if {"page", "browser"} & set(item.fixturenames):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def settings(tmp_path, redis_server, database_url) -> Settings:
    return Settings.from_env(
        data_dir=tmp_path,
        database_url=database_url,
        redis_url=redis_server.url,
        demo=False,
        key_prefix=f"t{uuid.uuid4().hex[:8]}",
        **UNLIMITED,
    )


@pytest.fixture
def services(settings) -> Services:
    svc = Services(settings)
    svc.store.create_schema()
    # keys as `python -m data_feeds keys create` makes them: laksa may do everything, 112 only send
    svc.test_keys = {
        "laksa": svc.api_keys.create("laksa", roles=("report", "workflow", "personal"))[1],
        "112": svc.api_keys.create("112")[1],
    }
    yield svc
    svc.store.dispose()


@pytest.fixture
def app(services):
    from app import create_app

    return create_app(services=services)


@pytest.fixture
def client(app, services):
    """The app's test client, sending the laksa key (all roles) unless a test overrides the header."""
    test_client = app.server.test_client()
    test_client.environ_base["HTTP_X_API_KEY"] = services.test_keys["laksa"]
    return test_client


@pytest.fixture(scope="module")
def live_stack(tmp_path_factory):
    stack = LiveStack(tmp_path_factory.mktemp("stack"), demo=False).wait_ready()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory):
    # the load demo's volume (a report every 5 min): a dense map, the clusters an area's name must not lose clicks to
    stack = LiveStack(tmp_path_factory.mktemp("demo"), demo=True, env={"DEMO_INTERVAL_S": "300"}).wait_ready()
    yield stack
    stack.stop()


# -- a real headless Chromium -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}; the test command installs Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # a script, style or image the Content-Security-Policy refused is a broken page too
    pg.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None,
    )
    pg.errors = errors
    yield pg
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
