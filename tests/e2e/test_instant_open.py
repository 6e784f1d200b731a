"""Instant open: on a reload, the note open last shows its saved text and takes typing before
Python is ready; what is typed then reaches the engine once it is up (real Chromium)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from e2e_helpers import CONFIG, ForeignRequests, QuireServer, engine_call, new_context, open_app, wait_ready
from shared_page import EDITABLE_WITH, editor_text, expect_editor_text, open_in_tree, saved, unique

RECOVERED = "Recovered text you typed before the page closed"
# Holds every `artifacts.update` the page sends from now on: the save is never confirmed.
HOLD_SAVES = """() => {
  const engine = quire.engine, call = engine.call.bind(engine);
  engine.call = (method, params) => method === "artifacts.update" ? new Promise(() => {}) : call(method, params);
}"""


def _open_new(page: Page, name: str, text: str) -> dict:
    """A new note made through the engine, opened in the tree and saved: the last note open."""
    created = engine_call(page, "artifacts.create", {"path": f"/{name}", "content": text})
    page.evaluate("() => quire.ui.documents.refreshTree()")
    open_in_tree(page, name)
    saved(page)
    return created


def test_the_last_note_takes_typing_before_the_engine_is_ready(app: Page) -> None:
    name = unique("instant") + ".md"
    text = "# Instant\n\nopened before Python\n"
    created = _open_new(app, name, text)

    app.reload(wait_until="commit")
    seen = app.evaluate(EDITABLE_WITH, text)
    assert seen["engine"] != "ready", seen
    print(f"editable {seen['ms']:.0f} ms after navigation, engine {seen['engine']!r}")
    app.locator("#editor .cm-content").click()
    app.keyboard.press("Control+End")
    app.keyboard.type("typed early")
    assert app.evaluate("document.documentElement.dataset.engine") != "ready"
    app.screenshot(path=str(CONFIG.RESULTS_DIR / "instant-open.png"))

    wait_ready(app)
    expect(app.locator("#doc-name")).to_have_text(name)
    saved(app)
    assert engine_call(app, "artifacts.get", {"id": created["id"]})["text"] == text + "typed early"
    expect_editor_text(app, text + "typed early")
    # No recovery message: nothing was lost, the typing simply went on.
    expect(app.get_by_role("status")).not_to_contain_text("Recovered")


def test_a_snapshot_older_than_the_engine_gives_way_to_the_engines_text(app: Page) -> None:
    name = unique("stale") + ".md"
    created = _open_new(app, name, "old text")
    # Changed in the engine behind the page's back (as another tab would): the snapshot is stale.
    engine_call(app, "artifacts.update", {"id": created["id"], "content": "newer text"})
    app.reload(wait_until="commit")
    app.evaluate(EDITABLE_WITH, "old text")
    wait_ready(app)
    expect_editor_text(app, "newer text")
    assert editor_text(app) == "newer text"
    open_in_tree(app, name)


def test_typing_into_the_first_screen_is_handed_over(
    browser: Browser, server: QuireServer, foreign_requests: ForeignRequests,
) -> None:
    """What is typed into the first screen, before the rest of the page (app.mjs) has loaded,
    stays in the editor that takes it over, with the caret, and reaches the engine; and text
    the last page left unsaved is on the first screen already, and said once the page is put
    together. The rest of the page is held back by a route, so this test needs its own context
    without the service worker (which would answer from its cache, past the route), and so its
    own engine."""
    context = new_context(browser, server.url, foreign_requests, service_workers="block")
    held: list = []
    hold = {"on": False}

    def app_module(route) -> None:
        if hold["on"]:
            held.append(route)
        else:
            route.continue_()

    try:
        context.route("**/ui/app.mjs", app_module)
        page = open_app(context, server.url)
        name = unique("first") + ".md"
        text = "# First screen\n\ntyped before the page is put together\n"
        created = _open_new(page, name, text)

        hold["on"] = True
        page.reload(wait_until="commit")
        page.evaluate(EDITABLE_WITH, text)
        page.locator("#editor .cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.type("early ")
        # Still the first screen: the page's parts (its store) are not put together yet.
        assert page.evaluate("() => !window.quire.ui.store") and held, "app.mjs should be held"
        hold["on"] = False
        for route in held:
            route.continue_()

        wait_ready(page)
        page.keyboard.type("and later")  # the caret stayed where the first screen left it
        saved(page)
        assert engine_call(page, "artifacts.get", {"id": created["id"]})["text"] == text + "early and later"
        expect_editor_text(page, text + "early and later")
        expect(page.get_by_role("status")).not_to_contain_text("Recovered")

        # Typed, never confirmed (the save is held), and the page reloaded: the first screen
        # shows that text at once, while the rest of the page is still held back.
        page.evaluate(HOLD_SAVES)
        page.keyboard.type(" unsaved")
        page.on("dialog", lambda d: d.accept())  # leaving asks: the save is not confirmed
        hold["on"] = True
        held.clear()
        page.reload(wait_until="commit")
        recovered = text + "early and later unsaved"
        page.evaluate(EDITABLE_WITH, recovered)
        assert page.evaluate("() => !window.quire.ui.store") and held, "app.mjs should be held"
        page.locator("#editor .cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.type("!")
        hold["on"] = False
        for route in held:
            route.continue_()
        expect(page.get_by_role("status")).to_contain_text(RECOVERED)
        wait_ready(page)
        saved(page)
        assert engine_call(page, "artifacts.get", {"id": created["id"]})["text"] == recovered + "!"
        expect_editor_text(page, recovered + "!")
    finally:
        context.close()
