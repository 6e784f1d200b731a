"""The service worker, against a real build on disk: a new build offers a reload; the app then
opens with the server stopped, still cross-origin isolated, from a cache that holds the app and
nothing from /api."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from e2e_helpers import ROOT, ForeignRequests, QuireServer, open_app, wait_ready

CACHED_PATHS = """(async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) out.push(new URL(request.url).pathname);
  }
  return out;
})()"""


def controlled(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)


def build_next_version(web: Path) -> str:
    """What deploying a new build does: changed files, and the manifest the vendoring script writes."""
    index = web / "index.html"
    index.write_text(index.read_text().replace("No document open", "Nothing open yet"))
    manifest_path = web / "vendor" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["version"] = "next-" + manifest["version"]
    manifest_path.write_text(json.dumps(manifest))
    return manifest["version"]


def test_new_build_offers_a_reload_then_works_offline(
    browser: Browser, tmp_path: Path, foreign_requests: ForeignRequests
) -> None:
    web = tmp_path / "web"
    shutil.copytree(ROOT / "web", web)
    server = QuireServer(tmp_path / "data", env={"QUIRE_WEB_DIR": str(web)})
    server.start()
    context = browser.new_context()
    try:
        foreign_requests.install(context, server.url)
        page = open_app(context, server.url)
        expect(page.get_by_role("link", name="Sign in")).to_be_visible()
        expect(page.get_by_role("heading", name="No document open")).to_be_visible()
        controlled(page)

        version = build_next_version(web)
        page.reload()
        wait_ready(page)
        expect(page.get_by_text("Update ready")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="Reload").click()
        page.wait_for_function(
            "(v) => navigator.serviceWorker.controller?.scriptURL.includes(`v=${v}`)", arg=version, timeout=60_000)
        wait_ready(page)
        expect(page.get_by_text("Update ready")).to_be_hidden()

        server.stop()
        page.reload()
        wait_ready(page)
        assert page.evaluate("self.crossOriginIsolated") is True
        expect(page.get_by_role("status")).to_contain_text("Offline")
        expect(page.get_by_role("heading", name="Nothing open yet")).to_be_visible()  # the new build, from the cache
        cached = page.evaluate(CACHED_PATHS)
        assert "/index.html" in cached and "/ui/app.mjs" in cached
        assert not [p for p in cached if p.startswith(("/api", "/signin", "/healthz"))]
        assert page.evaluate("caches.keys()") == [f"quire-{version}"]  # the old build's cache is gone
    finally:
        context.close()
        server.stop()
