"""The device store of large files in real Chromium: the Pyodide platform's IndexedDB store
(web/engine/devicefiles.mjs) keeps bytes outside the SQLite file, durably, across a reload."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from e2e_helpers import CONFIG, ForeignRequests, new_context, pages_server

PAGES = Path(__file__).parent / "pages"

CHECK = '''
import hashlib

async def check(platform, options):
    files = await platform.open_device_files("e2e", module_url=options["module_url"])
    name, data = "ab" * 32, bytes(range(256)) * (3 * 4096)  # 3 MiB
    if options["phase"] == "write":
        await files.put(name, data)
        await files.put("cd" * 32, b"gone soon")
        await files.delete("cd" * 32)
        back = await files.get(name)
        return {"same": back == data, "deleted": await files.get("cd" * 32), "missing": await files.get("ef" * 32)}
    back = await files.get(name)
    return {"sha256": hashlib.sha256(back).hexdigest() if back else None,
            "expected": hashlib.sha256(data).hexdigest()}
'''


@pytest.fixture(scope="module")
def pages_url() -> Iterator[str]:
    with pages_server() as url:
        yield url


def test_device_files_survive_a_reload(browser: Browser, pages_url: str, foreign_requests: ForeignRequests) -> None:
    ctx = new_context(browser, pages_url + "/", foreign_requests)
    ctx.set_default_timeout(CONFIG.BOOT_TIMEOUT_MS)
    options = {"module_url": pages_url + "/engine/devicefiles.mjs"}
    try:
        page = ctx.new_page()
        page.goto(pages_url + "/tests/engine_check.html")
        written = json.loads(page.evaluate("([s, o]) => engineCheck(s, o)", [CHECK, {**options, "phase": "write"}]))
        page.reload()  # a new worker, a new Pyodide: only IndexedDB remembers
        read = json.loads(page.evaluate("([s, o]) => engineCheck(s, o)", [CHECK, {**options, "phase": "read"}]))
    finally:
        ctx.close()
    assert written == {"same": True, "deleted": None, "missing": None}
    assert read["sha256"] == read["expected"]
    assert foreign_requests.urls == []
