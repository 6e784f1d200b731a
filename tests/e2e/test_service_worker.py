"""The page with the real engine: every panel against pylib's real result shapes, and the
service worker (isolation headers offline, update notice, nothing from /api cached)."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e_helpers import ForeignRequests, QuireServer, engine_call, open_app, wait_ready


def saved(page: Page) -> None:
    expect(page.locator("#status")).to_have_attribute("data-save", "saved", timeout=30_000)


def test_panels_with_the_real_engine(app: Page) -> None:
    engine_call(app, "folders.create", {"path": "/notes"})
    app.reload()
    wait_ready(app)
    app.get_by_role("treeitem", name="notes").click()
    app.get_by_role("button", name="New document").click()
    app.get_by_role("dialog").get_by_label("Document name").fill("plan")
    app.get_by_role("dialog").get_by_role("button", name="Create").click()
    expect(app.locator("#doc-crumbs")).to_have_text("notes")
    editor = app.get_by_label("Document text")
    editor.type("# Plan\n\nfirst")
    saved(app)
    expect(app.locator("#preview h1")).to_have_text("Plan")
    editor.press("Control+End")
    editor.type(" and second")
    saved(app)

    app.get_by_role("button", name="History").click()
    dialog = app.get_by_role("dialog")
    expect(dialog.get_by_role("option").first).to_contain_text("current")
    older = dialog.get_by_role("option").nth(1)
    older.click()
    expect(dialog.locator(".history-content")).not_to_contain_text("second")
    dialog.get_by_role("button", name="Restore version").click()
    expect(app.get_by_role("dialog")).to_have_count(0)
    expect(editor).not_to_have_value("# Plan\n\nfirst and second")

    app.get_by_role("button", name="Rename").click()
    app.get_by_role("dialog").get_by_label("New name").fill("roadmap.md")
    app.keyboard.press("Enter")
    expect(app.get_by_role("treeitem", name="roadmap.md")).to_be_visible()

    app.get_by_role("button", name="Delete", exact=True).click()
    expect(app.get_by_role("treeitem", name="roadmap.md")).to_have_count(0)
    app.get_by_role("button", name="Trash").click()
    trash = app.get_by_role("dialog")
    expect(trash).to_contain_text("/notes/roadmap.md")
    trash.get_by_role("button", name="Restore roadmap.md").click()
    expect(trash).to_contain_text("Trash is empty")
    app.keyboard.press("Escape")
    expect(app.get_by_role("treeitem", name="roadmap.md")).to_be_visible()

    app.get_by_role("button", name="Activity").click()
    activity = app.get_by_role("dialog")
    expect(activity.get_by_role("listitem").first).to_contain_text("Restored")
    expect(activity).to_contain_text("Renamed /notes/plan.md → /notes/roadmap.md")
    app.keyboard.press("Escape")

    app.get_by_role("button", name="Storage").click()
    storage = app.get_by_role("dialog")
    expect(storage).to_contain_text("Database size")
    expect(storage).to_contain_text("Markdown (1)")
    expect(storage).to_contain_text("Persistent storage")
    app.keyboard.press("Escape")
    assert app.get_by_role("alert").count() == 0


def controlled(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)


def test_offline_page_stays_isolated_and_says_offline(
    browser: Browser, own_server: QuireServer, foreign_requests: ForeignRequests
) -> None:
    ctx = browser.new_context()
    foreign_requests.install(ctx, own_server.url)
    page = open_app(ctx, own_server.url)
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    controlled(page)
    own_server.stop()
    page.reload()
    wait_ready(page)
    assert page.evaluate("self.crossOriginIsolated") is True
    expect(page.get_by_role("status")).to_contain_text("Offline")
    cached = page.evaluate(
        "(async () => { const out = []; for (const n of await caches.keys()) {"
        " const c = await caches.open(n); for (const r of await c.keys()) out.push(new URL(r.url).pathname); }"
        " return out; })()"
    )
    assert "/index.html" in cached and "/ui/app.mjs" in cached
    assert not [p for p in cached if p.startswith(("/api", "/signin", "/healthz"))]
    ctx.close()


def test_new_version_offers_a_reload(context: BrowserContext, server: QuireServer) -> None:
    page = open_app(context, server.url)
    controlled(page)
    manifest = json.loads(page.evaluate("fetch('vendor/manifest.json', {cache: 'no-store'}).then(r => r.text())"))
    manifest["version"] = "next-" + manifest["version"]

    context.route("**/vendor/manifest.json", lambda route: route.fulfill(
        body=json.dumps(manifest), content_type="application/json"))
    page.reload()
    wait_ready(page)
    expect(page.get_by_text("Update ready")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Reload").click()
    page.wait_for_function(
        "navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL.includes('v=next-')",
        timeout=60_000,
    )
    wait_ready(page)
