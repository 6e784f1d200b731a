"""The server-side semantic index from the page, against the real proxy and qdrant-edge: a
signed-in page uploads its chunk vectors (payload: the document's id and chunk number only —
checked on what the server holds) and deletes a trashed document's points; the settings
screen, clicked through as a person does, shows how many vectors the server holds, turning it
off deletes them and on uploads them again, and "Delete my vectors from the server" deletes
every point of the user and turns the index off.

The module's tests share one server and one signed-in page (a first boot, the model and a
first index take most of a test's time); each makes its own notes and reads what the server
holds before it changes anything."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e_helpers import (CONFIG, ForeignRequests, QuireServer, engine_call, new_context,
                         printed_login_link, wait_ready)

SECRET = "Our launch code is PELICAN-42 and the budget is eleven thousand."


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


@pytest.fixture(scope="module")
def signed_in(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """A page of a server of this module's own, signed in by the printed one-time link."""
    server = QuireServer(tmp_path_factory.mktemp("semantic-server"))
    server.start()
    guard = ForeignRequests()
    context = new_context(browser, server.url, guard)
    context.set_default_timeout(CONFIG.BOOT_TIMEOUT_MS * 4)
    try:
        page = context.new_page()
        page.goto(printed_login_link(server))
        page.wait_for_url(server.url)
        wait_ready(page)
        expect(page.locator("#account-name")).to_contain_text("owner")
        yield page
    finally:
        context.close()
        server.stop()
    assert guard.urls == [], f"requests left the app's origin: {guard.urls}"


def _point_keys(page: Page) -> list[tuple[str, int]]:
    return sorted((p["artifact_id"], p["chunk"]) for p in _server_points(page))


def test_upload_and_delete(signed_in: Page) -> None:
    page = signed_in
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


def test_the_settings_screen_turns_it_off_on_and_deletes_everything(signed_in: Page) -> None:
    page = signed_in
    idea = engine_call(page, "artifacts.create", {"path": "/Idea.md", "content": "# Idea\nA kite made of paper."})
    page.evaluate("window.quire.semantic.indexer.wake()")
    page.wait_for_function("() => window.quire.semantic?.uploader", timeout=60_000)
    page.evaluate("window.quire.semantic.uploader.wake()")
    _queue_empty(page)
    held = _point_keys(page)
    assert (idea["id"], 0) in held
    vectors = f"{len(held)} vector{'s' if len(held) != 1 else ''} on the server."

    entry = page.locator("#server-index-open")
    entry.click()
    settings = page.get_by_role("dialog", name="Settings — server-side semantic index")
    switch = settings.get_by_label("Server-side semantic index")
    status = settings.locator("#server-index-status")
    expect(switch).to_be_checked()
    expect(settings.get_by_text("numbers only, never your text")).to_be_visible()
    expect(status).to_have_text(vectors)
    page.screenshot(path=str(CONFIG.RESULTS_DIR / "semantic" / "server-index-settings.png"))

    # Off: the server forgets every vector of the user.
    switch.click()
    expect(status).to_have_text("0 vectors on the server.")
    expect(switch).not_to_be_checked()
    expect(entry).to_have_text("Semantic index: off")
    assert _server_points(page) == []

    # On again: the page uploads them all again; the screen, opened again, counts them.
    switch.click()
    expect(switch).to_be_checked()
    expect(entry).to_have_text("Semantic index: on")
    settings.get_by_role("button", name="Close", exact=True).last.click()
    expect(settings).to_be_hidden()
    _queue_empty(page)
    assert _point_keys(page) == held
    entry.click()
    expect(status).to_have_text(vectors)

    settings.get_by_role("button", name="Delete my vectors from the server").click()
    expect(status).to_have_text("0 vectors on the server.")
    expect(switch).not_to_be_checked()
    expect(entry).to_have_text("Semantic index: off")
    assert _server_points(page) == []
    assert engine_call(page, "vectors.forget")["deletes"] == []
