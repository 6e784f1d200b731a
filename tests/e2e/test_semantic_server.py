"""The server-side semantic index from the page, against the real proxy and qdrant-edge: a
signed-in page uploads its chunk vectors (payload: the document's id and chunk number only —
checked on what the server holds), deletes a trashed document's points, and the settings
screen shows how many vectors the server holds and "Delete my vectors from the server" deletes
every point of the user and turns the index off."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from e2e_helpers import CONFIG, QuireServer, engine_call, new_context, wait_ready

SECRET = "Our launch code is PELICAN-42 and the budget is eleven thousand."


def _login_link(server: QuireServer) -> str:
    match = re.search(r"(http://\S+\?login=\S+)", server.log_path.read_text())
    assert match, server.log_path.read_text()
    return match.group(1)


def _server_points(page: Page) -> list[dict]:
    """Every point the server holds for this user near a few directions (limit 100)."""
    return page.evaluate("""async () => {
        const found = new Map();
        for (let axis = 0; axis < 8; axis++) {
          const vector = Array.from({ length: 384 }, (_, i) => (i % 8 === axis ? 1 : 0.01));
          const res = await fetch("/api/vectors/query", { method: "POST", credentials: "same-origin",
            headers: { "content-type": "application/json" }, body: JSON.stringify({ vector, limit: 100 }) });
          if (!res.ok) throw new Error(`query answered ${res.status}`);
          for (const r of (await res.json()).results) found.set(r.id, r.payload);
        }
        return [...found.values()];
    }""")


def _queue_empty(page: Page, timeout_s: float = 240) -> None:
    """Until every document is embedded and the server acknowledged every upload."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        progress = engine_call(page, "embeddings.progress")
        if progress["done"] and progress["documents"] and engine_call(page, "vectors.outbox")["remaining"] == 0:
            return
        page.evaluate("window.quire.semantic?.uploader?.wake()")
        time.sleep(1)
    raise AssertionError(f"the upload queue did not empty: {engine_call(page, 'vectors.outbox')}")


def test_upload_delete_and_turning_it_off(browser, own_server: QuireServer, foreign_requests) -> None:
    context = new_context(browser, own_server.url, foreign_requests)
    context.set_default_timeout(CONFIG.BOOT_TIMEOUT_MS * 4)
    try:
        page = context.new_page()
        page.goto(_login_link(own_server))
        page.wait_for_url(own_server.url)
        wait_ready(page)
        expect(page.locator("#account-name")).to_contain_text("owner")
        plan = engine_call(page, "artifacts.create", {"path": "/Plan.md", "content": "# Plan\n" + SECRET})
        notes = engine_call(page, "artifacts.create", {"path": "/Notes.md", "content": "# Notes\nbuy milk\n# Later\ncall Sam"})
        page.reload()
        wait_ready(page)
        expect(page.get_by_role("button", name="Semantic index: on")).to_be_visible(timeout=60_000)
        page.evaluate("window.quire.semantic.indexer.wake()")
        page.wait_for_function("() => window.quire.semantic?.uploader", timeout=60_000)
        page.evaluate("window.quire.semantic.uploader.wake()")
        _queue_empty(page)
        points = _server_points(page)
        assert sorted((p["artifact_id"], p["chunk"]) for p in points) == sorted(
            [(plan["id"], 0), (notes["id"], 0), (notes["id"], 1)])
        for payload in points:  # what the server received: ids and numbers, no text
            assert payload["content_preview"] == "" and payload["path"] == ""
            assert "PELICAN" not in str(payload) and "milk" not in str(payload)

        engine_call(page, "artifacts.delete", {"id": plan["id"]})
        page.evaluate("window.quire.semantic.uploader.wake()")
        _queue_empty(page)
        assert {p["artifact_id"] for p in _server_points(page)} == {notes["id"]}

        page.get_by_role("button", name="Semantic index: on").click()
        settings = page.get_by_role("dialog", name="Settings — server-side semantic index")
        expect(settings.get_by_label("Server-side semantic index")).to_be_checked()
        expect(settings.get_by_text("numbers only, never your text")).to_be_visible()
        expect(settings.locator("#server-index-status")).to_have_text("2 vectors on the server.")
        page.screenshot(path=str(CONFIG.RESULTS_DIR / "semantic" / "server-index-settings.png"))
        settings.get_by_role("button", name="Delete my vectors from the server").click()
        expect(settings.locator("#server-index-status")).to_have_text("0 vectors on the server.")
        expect(settings.get_by_label("Server-side semantic index")).not_to_be_checked()
        expect(page.locator("#server-index-open")).to_have_text("Semantic index: off")
        assert _server_points(page) == []
        assert engine_call(page, "vectors.forget")["deletes"] == []
    finally:
        context.close()
