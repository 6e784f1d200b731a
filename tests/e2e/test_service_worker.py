"""The service worker, against a real build on disk: a one-file change makes a returning client
fetch that file (and the manifest) only; the page opens offline before, during and after the
update, still cross-origin isolated, from a cache that holds the app and nothing from /api."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from e2e_helpers import ROOT, ForeignRequests, QuireServer, new_context, open_app, wait_ready

CACHED_PATHS = """(async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) out.push(new URL(request.url).pathname);
  }
  return out;
})()"""
MARKER = "getComputedStyle(document.documentElement).getPropertyValue('--quire-build').trim()"
NOT_STATIC = ("/api", "/auth", "/signin", "/signout", "/healthz")


def controlled(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)


def manifest_of(web: Path) -> dict:
    return json.loads((web / "vendor" / "manifest.json").read_text())


def build_next_version(web: Path) -> tuple[str, str]:
    """What deploying a one-file change does: that file, and the manifest `make setup` writes."""
    stylesheet = next(p for p in manifest_of(web)["files"] if p.endswith(".css") and not p.startswith("vendor/"))
    path = web / stylesheet
    path.write_text(path.read_text() + "\n:root { --quire-build: next; }\n")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "precache.py"), str(web)], check=True,
                   capture_output=True)
    return stylesheet, manifest_of(web)["version"]


def static_fetches(server: QuireServer, since: int) -> list[str]:
    """Paths of the app's files the server sent in full (200) after log offset `since`."""
    paths = []
    with server.log_path.open("rb") as log:
        log.seek(since)
        for line in log.read().decode().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            path = entry.get("path") if isinstance(entry, dict) else None
            if path and entry.get("method") == "GET" and entry.get("status") == 200 and not path.startswith(NOT_STATIC):
                paths.append(path)
    return paths


def reload_offline(page: Page, server: QuireServer) -> None:
    server.stop()
    page.reload()
    wait_ready(page)
    assert page.evaluate("self.crossOriginIsolated") is True
    expect(page.get_by_role("status")).to_contain_text("Offline")


def test_one_file_change_refetches_that_file_only_and_stays_offline_ready(
    browser: Browser, tmp_path: Path, foreign_requests: ForeignRequests
) -> None:
    web = tmp_path / "web"
    shutil.copytree(ROOT / "web", web)
    server = QuireServer(tmp_path / "data", env={"QUIRE_WEB_DIR": str(web)})
    server.start()
    context = new_context(browser, server.url, foreign_requests)
    try:
        page = open_app(context, server.url)
        controlled(page)
        first = manifest_of(web)["version"]
        assert page.evaluate("caches.keys()") == [f"quire-{first}"]

        changed, version = build_next_version(web)
        mark = server.log_path.stat().st_size
        page.reload()
        wait_ready(page)
        expect(page.get_by_text("Update ready")).to_be_visible(timeout=60_000)
        fetched = static_fetches(server, mark)
        # The new worker has its complete cache: the changed file, the manifest and the worker's
        # own script came from the network; every other file was copied from the old cache.
        assert f"/{changed}" in fetched and "/vendor/manifest.json" in fetched, fetched
        assert set(fetched) <= {f"/{changed}", "/vendor/manifest.json", "/sw.js"}, fetched
        sizes = {p: (web / p.lstrip("/")).stat().st_size for p in set(fetched)}
        total = sum(sizes[p] for p in fetched)
        everything = sum((web / p).stat().st_size for p in manifest_of(web)["files"])
        print(f"update fetched {len(fetched)} requests, {total} bytes of {everything}: {sorted(fetched)}")
        assert total < everything / 100

        # Mid-update, offline: the old build opens, whole, from the old worker's cache.
        reload_offline(page, server)
        assert page.evaluate(MARKER) == ""
        server.start()
        page.reload()
        wait_ready(page)
        expect(page.get_by_text("Update ready")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="Reload").click()
        page.wait_for_function(
            "(v) => navigator.serviceWorker.controller?.scriptURL.includes(`v=${v}`)", arg=version, timeout=60_000)
        wait_ready(page)
        assert page.evaluate(MARKER) == "next"

        # After the update, offline: the new build, from its own cache; the old cache is gone.
        reload_offline(page, server)
        assert page.evaluate(MARKER) == "next"
        cached = page.evaluate(CACHED_PATHS)
        assert {f"/{p}" for p in manifest_of(web)["files"]} <= set(cached)
        assert not [p for p in cached if p.startswith(NOT_STATIC)]
        assert page.evaluate("caches.keys()") == [f"quire-{version}"]
    finally:
        context.close()
        server.stop()
