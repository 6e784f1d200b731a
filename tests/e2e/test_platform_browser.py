"""The engine's Pyodide platform in real Chromium: WebCrypto, fetch and BroadcastChannel give
exactly what the CPython platform gives for the same test vectors and the same server.

tests/e2e/pages/platform.html starts a module worker with the app's vendored Pyodide and engine
wheel and runs tests/pylib/platform_vectors.py on ``pylib.platform.current`` there. The page
server also answers the echo routes, so every fetch stays on the page's origin.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from e2e_helpers import CONFIG, ForeignRequests, ROOT, new_context, pages_server

sys.path.insert(0, str(ROOT / "tests" / "pylib"))
from aio import run as run_async  # noqa: E402
from platform_vectors import EXPECTED, FETCH_EXPECTED, compute  # noqa: E402

from pylib.platform.cpython import CPythonPlatform  # noqa: E402

PAGES = Path(__file__).parent / "pages"
VECTORS = ROOT / "tests" / "pylib" / "platform_vectors.py"


async def _hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello from the echo server")


async def _echo(request: Request) -> JSONResponse:
    body = await request.body()
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return JSONResponse({"method": request.method, "path": path,
                         "check": request.headers.get("x-quire-check"), "length": len(body),
                         "sha256": hashlib.sha256(body).hexdigest()})


async def _missing(request: Request) -> PlainTextResponse:
    return PlainTextResponse("no such page", status_code=404)


@pytest.fixture(scope="module")
def pages_url() -> Iterator[str]:
    """web/ at /, the test pages at /tests/ and the echo routes, on 127.0.0.1."""
    routes = [Route("/hello", _hello), Route("/echo", _echo, methods=["POST"]), Route("/missing", _missing)]
    with pages_server(routes) as url:
        yield url


def test_pyodide_platform_in_chromium_matches_cpython(browser: Browser, pages_url: str,
                                                       foreign_requests: ForeignRequests) -> None:
    ctx = new_context(browser, pages_url + "/", foreign_requests)
    ctx.set_default_timeout(CONFIG.BOOT_TIMEOUT_MS)
    try:
        page = ctx.new_page()
        page.on("pageerror", lambda error: print("pageerror:", error))
        page.goto(pages_url + "/tests/platform.html")
        raw = page.evaluate("([source, url]) => platformCheck(source, url)",
                            [VECTORS.read_text(encoding="utf-8"), pages_url])
    finally:
        ctx.close()
    report = json.loads(raw)
    native = run_async(compute(CPythonPlatform(), pages_url, refused=False))
    assert report["platform"] == "pyodide"
    assert report["results"] == native
    assert report["results"].pop("fetch") == {k: v for k, v in FETCH_EXPECTED.items() if k != "refused"}
    assert report["results"] == EXPECTED
