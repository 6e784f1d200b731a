"""One booted page shared by the tests of a module, and the helpers they drive it with.

Booting the engine takes seconds, so a module's tests share one page on the real app (`quire
serve`, the engine in Chromium, every request to another host refused). Each test makes its own
uniquely named documents and folders, starts from a top-level document (so "New document" and
"New folder" create at the top level) and leaves no dialog open; none relies on what another did.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from e2e_helpers import CONFIG, ForeignRequests, QuireServer, engine_call, new_context, wait_ready
from workspace_helpers import find_artifact

WIDE = CONFIG.VIEWPORT
TOP = "start.md"  # the top-level document each test starts from

# Resolves, as soon as the editor shows `text` and can be typed into, with the time since
# navigation and the engine's state then (instant open: before the engine is ready).
EDITABLE_WITH = """(text) => new Promise((resolve) => {
  const check = () => {
    const el = document.querySelector("#editor .cm-content");
    if (el && el.isContentEditable && window.quire?.ui?.editor?.text() === text) {
      resolve({ ms: performance.now(), engine: document.documentElement.dataset.engine || "" });
    } else {
      requestAnimationFrame(check);
    }
  };
  check();
})"""


@dataclass
class Shared:
    context: BrowserContext
    page: Page
    guard: ForeignRequests
    errors: list[str] = field(default_factory=list)


def open_shared(browser: Browser, server: QuireServer) -> Iterator[Shared]:
    """A context with the foreign-request guard and one page on the booted app (a module fixture)."""
    guard = ForeignRequests()
    context = new_context(browser, server.url, guard)
    page = context.new_page()
    shared = Shared(context, page, guard)
    page.on("pageerror", lambda error: shared.errors.append(str(error)))
    page.goto(server.url, wait_until="domcontentloaded")
    wait_ready(page)
    yield shared
    context.close()


def page_for_test(shared: Shared) -> Iterator[Page]:
    """The shared page, with a top-level document open; afterwards: no dialog, no foreign request."""
    page = shared.page
    start_at_top_level(page)
    yield page
    for other in shared.context.pages:
        if other is not page:
            other.close()
    page.set_viewport_size(WIDE)
    for _ in range(5):
        if not page.locator("dialog[open], [role=menu]").count():
            break
        page.keyboard.press("Escape")
    foreign, errors = list(shared.guard.urls), list(shared.errors)
    shared.guard.urls.clear()
    shared.errors.clear()
    assert foreign == [], f"requests left the app's origin: {foreign}"
    assert errors == [], f"errors in the page: {errors}"


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:6]}"


def editor(page: Page) -> Locator:
    return page.get_by_label("Document text")


def editor_text(page: Page) -> str:
    """The text in the editor, as the page's editor reports it (`quire.ui.editor.text()`)."""
    return page.evaluate("() => quire.ui.editor.text()")


def expect_editor_text(page: Page, text: "str | re.Pattern[str]", timeout: int = 30_000) -> None:
    """Wait until the editor holds exactly `text`, or a text `text` (a pattern) matches
    somewhere; fails with what it holds instead."""
    if isinstance(text, re.Pattern):
        check, arg = "(p) => new RegExp(p).test(quire.ui.editor.text())", text.pattern
    else:
        check, arg = "(t) => quire.ui.editor.text() === t", text
    try:
        page.wait_for_function(check, arg=arg, timeout=timeout)
    except Exception:
        got = editor_text(page)
        ok = bool(text.search(got)) if isinstance(text, re.Pattern) else got == text
        assert ok, f"the editor holds {got[:300]!r}, not {str(text)[:300]!r}"
        raise


def saved(page: Page) -> None:
    """Everything typed so far is durable: the status says Saved (only the engine's answer sets it)."""
    expect(page.locator("#status")).to_have_attribute("data-save", "saved", timeout=30_000)


def shown(page: Page, name: str) -> None:
    """The document is open and its content is in the editor."""
    expect(page.locator("#doc-name")).to_have_text(name)
    expect(editor(page)).not_to_have_attribute("aria-busy", "true")


def _create(page: Page, what: str, name: str, inside: str | None) -> None:
    """Name a new document or folder in its dialog: opened from `inside`'s menu, or the toolbar."""
    if inside:
        page.get_by_role("button", name=f"More actions for {inside}").click()
        page.get_by_role("menuitem", name=f"New {what} here").click()
    else:
        page.get_by_role("button", name=f"New {what}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(f"{what.capitalize()} name").fill(name)
    dialog.get_by_role("button", name="Create").click()


def create_document(page: Page, name: str, folder: str | None = None) -> None:
    """Through the page: in `folder` (its menu), or where "New document" puts it."""
    _create(page, "document", name, folder)
    expect(page.get_by_role("dialog")).to_have_count(0)
    shown(page, name if "." in name else f"{name}.md")


def create_folder(page: Page, name: str, inside: str | None = None) -> None:
    _create(page, "folder", name, inside)
    expect(page.get_by_role("treeitem", name=name, exact=True)).to_be_visible()


def start_at_top_level(page: Page) -> None:
    top = page.locator(f'#tree > [role=treeitem][data-path="/{TOP}"]')
    if not top.count():
        # A new (or just replaced) workspace has nothing selected: this lands at the top level.
        create_document(page, TOP)
        expect(top).to_have_count(1)
    top.locator(".tree-row").click()
    shown(page, TOP)


def open_in_tree(page: Page, name: str) -> None:
    page.get_by_role("treeitem", name=name, exact=True).locator(".tree-row").first.click()
    shown(page, name)


def text_of(page: Page, name: str) -> str:
    """The document's text as the engine has it (names in these tests are unique)."""
    matches = [a for a in engine_call(page, "tree.list")["artifacts"] if a["name"] == name]
    assert len(matches) == 1, matches
    return find_artifact(page, matches[0]["path"])["text"]
