"""Fixtures for the browser tests (helpers live in e2e_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from e2e_helpers import CONFIG, ForeignRequests, QuireServer, current_build, new_context, open_app, save_failure_artifacts
from shared_page import Shared, open_shared, page_for_test


# An expectation waits up to 15 s (Playwright's default is 5): `make test` runs two workers on two
# cores, each with a browser, and a page's answer can take that long under the load. A passing
# expectation returns as soon as it holds, so this costs only failing tests time.
expect.set_options(timeout=15_000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed test leaves screenshots (and traces, if configured) in test-results/."""
    outcome = yield
    report = outcome.get_result()
    browser = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and browser is not None:
        print(f"failure artifacts: {save_failure_artifacts(item.nodeid, list(browser.contexts))}")


@pytest.fixture(scope="session", autouse=True)
def current_vendor() -> None:
    """web/vendor/ built from the sources as they are now (the engine wheel, the service worker's
    manifest), so a change since the last `make setup` is what the pages run."""
    current_build()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QuireServer]:
    srv = QuireServer(tmp_path_factory.mktemp("quire-data"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture()
def own_server(tmp_path: Path) -> Iterator[QuireServer]:
    """A server this test alone uses (for tests that stop it)."""
    srv = QuireServer(tmp_path / "data")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(**CONFIG.launch_options())
    yield browser
    browser.close()


@pytest.fixture()
def foreign_requests() -> Iterator[ForeignRequests]:
    guard = ForeignRequests()
    yield guard
    assert guard.urls == [], f"requests left the app's origin: {guard.urls}"


@pytest.fixture()
def context(browser: Browser, server: QuireServer, foreign_requests: ForeignRequests) -> Iterator[BrowserContext]:
    ctx = new_context(browser, server.url, foreign_requests)
    yield ctx
    ctx.close()


@pytest.fixture()
def app(context: BrowserContext, server: QuireServer) -> Page:
    return open_app(context, server.url)


@pytest.fixture(scope="module")
def shared(browser: Browser, server: QuireServer) -> Iterator[Shared]:
    """One booted app page for a whole test module (see shared_page.py)."""
    yield from open_shared(browser, server)


@pytest.fixture()
def page(shared: Shared) -> Iterator[Page]:
    """The module's page, reset for this test."""
    yield from page_for_test(shared)
