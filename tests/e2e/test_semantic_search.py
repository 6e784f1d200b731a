"""Semantic search in the app, in Chromium: the page indexes notes in the background with
visible progress, resumes after a reload without starting over, finds a note by a paraphrase
that shares none of its words, shows related notes beside the open one, does all of it
offline with the server stopped, and restarts a dead embedding worker with its index. No request leaves the origin (the `foreign_requests` guard)."""

from __future__ import annotations

import re
import time

import pytest

from playwright.sync_api import BrowserContext, Page, expect

from e2e_helpers import CONFIG, QuireServer, engine_call, new_context, wait_ready

NOTES = {
    "Refund policy.md": "# Refund policy\nCustomers who are unhappy with a purchase can return it within "
                        "thirty days. We reimburse the full price to the original card once the item "
                        "arrives at our warehouse.",
    "Garden.md": "# Garden\nWater the tomatoes every morning; basil likes sun and little water.",
    "Travel checklist.md": "# Travel\nPassport, tickets, charger, adapters and a paper map.",
    "Team offsite.md": "# Offsite\nAgenda: roadmap review on Monday, hiking on Tuesday.",
    "Pancakes.md": "# Pancakes\nFlour, milk, eggs and a pinch of salt. Rest the batter ten minutes.",
    "Garden tools.md": "# Tools\nSpade, rake and a watering can for the vegetable beds.",
}
PARAPHRASE = "how do I get my money back"
SHOTS = CONFIG.RESULTS_DIR / "semantic"


def _open(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: print("pageerror:", error))
    page.on("console", lambda m: print("console:", m.text) if m.type in ("error", "warning") else None)
    page.goto(url, wait_until="domcontentloaded")
    wait_ready(page)
    return page


def _wait_indexed(page: Page, timeout_s: float = 240) -> dict:
    """Until the engine and the page's indexer both say every document is embedded."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        progress = engine_call(page, "embeddings.progress")
        if progress["done"] and progress["documents"] and page.evaluate(
                "window.quire.semantic?.indexer?.progress?.done === true"):
            return progress
        time.sleep(1)
    raise AssertionError(f"indexing did not finish: {engine_call(page, 'embeddings.progress')}")


def _panel_search(page: Page, query: str):
    """Search in the panel ("Words and meaning"); returns its result options once shown."""
    panel = page.get_by_role("dialog", name="Search")
    if not panel.is_visible():
        page.keyboard.press("Control+Shift+F")
    panel.get_by_label("Match", exact=True).select_option("meaning")
    panel.get_by_role("searchbox", name="Search").fill(query)
    expect(panel.locator("#search-results")).to_have_attribute("data-query", query)
    return panel.get_by_role("listbox", name="Results").get_by_role("option")


def _search(page: Page, query: str) -> list[dict]:
    return page.evaluate("(q) => window.quire.semantic.search(q).then(r => r.hits)", query)


@pytest.mark.timeout(900)  # a first index under a loaded machine takes minutes
def test_paraphrase_related_resume_and_offline(browser, own_server: QuireServer, foreign_requests) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = new_context(browser, own_server.url, foreign_requests)
    context.set_default_timeout(CONFIG.BOOT_TIMEOUT_MS * 4)
    try:
        page = _open(context, own_server.url)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function("navigator.serviceWorker.controller !== null || location.reload()", timeout=60_000)
        wait_ready(page)
        for name, text in NOTES.items():
            engine_call(page, "artifacts.create", {"path": f"/{name}", "content": text})
        for i in range(24):
            engine_call(page, "artifacts.create", {"path": f"/log/day {i}.md",
                                                   "content": f"# Day {i}\nNotes of day {i}: meetings, email."})
        page.reload()
        wait_ready(page)
        # Progress is shown while the first index runs; a reload mid-index resumes it.
        expect(page.locator("#index-state")).to_contain_text("Indexed", timeout=120_000)
        page.wait_for_function("() => (window.quire.semantic?.indexer?.progress?.embedded ?? 0) >= 4",
                               polling=250, timeout=180_000)
        page.screenshot(path=str(SHOTS / "indexing.png"))
        # The panel answers while the first index runs, and says its semantic part is partial.
        options = _panel_search(page, "basil")
        expect(options.filter(has_text="Garden.md").first).to_be_visible()
        if not page.evaluate("window.quire.semantic.indexer.progress.done"):
            expect(page.locator("#search-note")).to_have_text(
                re.compile(r"Semantic results are (partial|not ready yet|late)"))
        page.screenshot(path=str(SHOTS / "panel-partial.png"))
        page.keyboard.press("Escape")
        before = engine_call(page, "embeddings.progress")["embedded"]
        page.reload()
        wait_ready(page)
        page.wait_for_function("() => window.quire.semantic?.indexer?.progress", polling=250, timeout=120_000)
        after = page.evaluate("window.quire.semantic.indexer.progress.embedded")
        assert after >= before > 0, (before, after)
        # Left open while the index grows, the panel fills in with no key pressed again.
        page.evaluate("window.quire.semantic.indexer.hold(true)")
        if not page.evaluate("window.quire.semantic.indexer.progress.done"):
            options = _panel_search(page, PARAPHRASE)
            note = page.locator("#search-note")
            expect(note).to_have_text(re.compile(r"Semantic results are (partial|not ready yet|late)"))
            page.evaluate("window.quire.semantic.indexer.hold(false)")
            expect(note).to_be_hidden(timeout=240_000)
            expect(options.first).to_have_accessible_name("Refund policy.md")
            page.keyboard.press("Escape")
        page.evaluate("window.quire.semantic.indexer.hold(false)")
        done = _wait_indexed(page)
        assert done["indexed"] == done["documents"] == len(NOTES) + 24
        expect(page.locator("#index-state")).to_have_text("")

        hits = _search(page, PARAPHRASE)
        assert hits[0]["name"] == "Refund policy.md", [h["name"] for h in hits[:5]]
        assert hits[0]["source"] in ("semantic", "both")
        words = _search(page, "basil")
        assert words[0]["name"] == "Garden.md" and words[0]["source"] in ("keyword", "both")
        # The panel fuses both: the paraphrase finds the note, marked as a match in meaning.
        options = _panel_search(page, PARAPHRASE)
        expect(options.first).to_have_accessible_name("Refund policy.md")
        expect(options.first).to_contain_text("Similar meaning")
        expect(page.locator("#search-note")).to_be_hidden()
        page.screenshot(path=str(SHOTS / "panel-fused.png"))
        page.keyboard.press("Escape")
        # A second tab shows this workspace read-only: its panel searches by meaning too
        # (this tab's page, which holds the model and the vectors, answers for it).
        second = context.new_page()
        second.goto(own_server.url, wait_until="domcontentloaded")
        expect(second.get_by_text("This workspace is open in another tab")).to_be_visible()
        options = _panel_search(second, PARAPHRASE)
        expect(options.first).to_have_accessible_name("Refund policy.md")
        expect(options.first).to_contain_text("Similar meaning")
        expect(second.locator("#search-note")).to_be_hidden()
        second.screenshot(path=str(SHOTS / "second-tab-fused.png"))
        second.close()
        page.bring_to_front()

        page.get_by_role("treeitem", name="Garden.md").first.click()
        related = page.get_by_role("list", name="Related")
        expect(related).to_be_visible(timeout=60_000)
        expect(related.get_by_role("listitem").first).to_contain_text("Garden tools.md")
        page.screenshot(path=str(SHOTS / "related.png"))

        # Offline: the server is gone; the page, the model and both searches still work.
        own_server.stop()
        page.reload()
        wait_ready(page)
        expect(page.get_by_role("status")).to_contain_text("Offline")
        page.wait_for_function("() => window.quire.semantic?.available === true", polling=250, timeout=120_000)
        offline = _search(page, PARAPHRASE)
        assert offline[0]["name"] == "Refund policy.md"
        assert _search(page, "passport")[0]["name"] == "Travel checklist.md"
        page.screenshot(path=str(SHOTS / "offline.png"))

        # The embedding worker dies (what a crash looks like to the page: the worker is gone and
        # its calls fail): the next search starts a new one, which reloads the stored vectors.
        page.evaluate("""() => { const e = window.quire.semantic.embedder;
                                 e.worker.terminate(); e.crashed("terminated by the test"); }""")
        again = _search(page, PARAPHRASE)
        assert again[0]["name"] == "Refund policy.md" and again[0]["source"] in ("semantic", "both")
        assert page.evaluate("window.quire.semantic.embedder.starts") == 2
    finally:
        context.close()
