"""Two tabs, no stale screens, in the real page: a tab that does not own the workspace shows it
read-only (tree and documents, answered by the owning tab) with "Use here" and follows what the
owner saves; when the owning tab closes, the other offers to take over at once; a tab that
handed over keeps its preview and its tree, never "Preview unavailable", and follows the tab
that took over. Each test has its own browser profile."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from e2e_helpers import QuireServer, engine_call, wait_ready
from shared_page import create_document, editor, expect_editor_text, open_in_tree, saved, shown

SHOTS = Path(__file__).resolve().parents[2] / ".build" / "screenshots"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _second(context: BrowserContext, server: QuireServer) -> Page:
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(server.url, wait_until="domcontentloaded")
    tab.wait_for_function("document.documentElement.dataset.engine === 'elsewhere'")
    tab.errors = errors  # type: ignore[attr-defined]
    return tab


def test_a_second_tab_shows_the_workspace_read_only_and_follows_the_owner(
        app: Page, context: BrowserContext, server: QuireServer) -> None:
    create_document(app, "plan.md")
    editor(app).fill("# Plan\n\nFirst words.")
    saved(app)
    create_document(app, "other.md")
    open_in_tree(app, "plan.md")
    second = _second(context, server)
    expect(second.get_by_text("This workspace is open in another tab")).to_be_visible()
    expect(second.get_by_role("button", name="Use here")).to_be_enabled()
    # Not blank: the tree and the last open note, read-only, answered by the owning tab.
    expect(second.get_by_role("treeitem", name="other.md")).to_be_visible()
    shown(second, "plan.md")
    expect_editor_text(second, "# Plan\n\nFirst words.")
    expect(editor(second)).not_to_be_editable()
    expect(second.locator("#preview h1")).to_have_text("Plan")
    expect(second.get_by_role("button", name="New document")).to_be_disabled()
    _shot(second, "second-tab-read-only")
    open_in_tree(second, "other.md")
    open_in_tree(second, "plan.md")
    # Finding one's way is reading: quick open and Activity work here too.
    expect(second.get_by_role("button", name="Quick open")).to_be_enabled()
    second.keyboard.press("Control+k")
    second.get_by_role("combobox", name="Find a document by path").fill("other")
    second.keyboard.press("Enter")
    shown(second, "other.md")
    second.get_by_role("button", name="Activity").click()
    expect(second.get_by_role("dialog", name="Activity")).to_contain_text("plan.md", timeout=15_000)
    second.keyboard.press("Escape")
    open_in_tree(second, "plan.md")
    # What the owner saves shows in the other tab without a reload.
    editor(app).fill("# Plan\n\nFirst words, then more.")
    saved(app)
    expect_editor_text(second, "# Plan\n\nFirst words, then more.", timeout=10_000)
    create_document(app, "third.md")
    expect(second.get_by_role("treeitem", name="third.md")).to_be_visible(timeout=10_000)
    # A file's card offers "Replace file…" only where the tab may write.
    app.evaluate("""() => globalThis.quire.ui.actions.upload(
        [new File([new Uint8Array([0xff, 0x00, 0xfe])], "photo.bin", { type: "application/octet-stream" })], "/")""")
    open_in_tree(app, "photo.bin")
    expect(app.locator("#binary").get_by_role("button", name="Replace file…")).to_be_enabled()
    open_in_tree(second, "photo.bin")
    card = second.locator("#binary")
    expect(card.get_by_role("button", name="Download")).to_be_enabled()
    expect(card.get_by_role("button", name="Replace file…")).to_be_disabled()
    # Downloading is reading: the owner hands over the bytes, of a file and of a note.
    with second.expect_download() as info:
        card.get_by_role("button", name="Download").click()
    assert Path(info.value.path()).read_bytes() == b"\xff\x00\xfe"
    # A file of control bytes that happen to be UTF-8 is a file in both tabs, never text.
    app.evaluate("""() => globalThis.quire.ui.actions.upload(
        [new File([new Uint8Array([1, 2, 3])], "tiny.bin", { type: "application/octet-stream" })], "/")""")
    for tab in (app, second):
        open_in_tree(tab, "tiny.bin")
        expect(tab.locator("#binary").get_by_role("button", name="Download")).to_be_visible()
    open_in_tree(second, "plan.md")
    with second.expect_download() as info:
        second.get_by_role("button", name="Download", exact=True).click()
    assert info.value.suggested_filename == "plan.md"
    assert Path(info.value.path()).read_text() == "# Plan\n\nFirst words, then more."
    # So is the history: its versions and their texts, with Restore left to the owner.
    second.get_by_role("button", name="History", exact=True).click()
    history = second.get_by_role("dialog", name="History — plan.md")
    versions = history.get_by_role("listbox", name="Versions").get_by_role("option")
    expect(versions.nth(1)).to_be_visible()
    versions.nth(1).click()
    history.get_by_role("button", name="Text").click()
    expect(history.locator(".history-content")).to_contain_text("First words.")
    expect(history.get_by_role("button", name="Restore version")).to_be_disabled()
    _shot(second, "second-tab-history")
    second.keyboard.press("Escape")
    assert second.errors == []  # type: ignore[attr-defined]


def test_when_the_owning_tab_closes_the_other_offers_to_take_over_at_once(
        app: Page, context: BrowserContext, server: QuireServer) -> None:
    create_document(app, "kept.md")
    editor(app).fill("written in the first tab")
    saved(app)
    second = _second(context, server)
    shown(second, "kept.md")
    app.close()
    banner = second.locator("#ownership-banner")
    expect(banner).to_contain_text("has closed", timeout=5_000)
    expect(banner).not_to_contain_text("open in another tab")
    _shot(second, "owner-closed-offer")
    second.get_by_role("button", name="Use here").click()
    wait_ready(second)
    expect(banner).to_be_hidden()
    expect(editor(second)).to_be_editable()
    expect_editor_text(second, "written in the first tab")
    editor(second).press("Control+End")
    second.keyboard.type(" and the second")
    saved(second)
    assert engine_call(second, "tree.list")["artifacts"][0]["name"] == "kept.md"


def test_a_tab_that_handed_over_keeps_its_preview_and_follows_the_new_owner(
        app: Page, context: BrowserContext, server: QuireServer) -> None:
    create_document(app, "notes.md")
    editor(app).fill("# Notes\n\nbefore the hand-over")
    saved(app)
    second = _second(context, server)
    second.get_by_role("button", name="Use here").click()
    wait_ready(second)
    app.wait_for_function("document.documentElement.dataset.engine === 'released'")
    expect(app.get_by_text("This tab is read-only now")).to_be_visible()
    shown(second, "notes.md")
    editor(second).fill("# Notes\n\nafter the hand-over")
    saved(second)
    # The first tab follows: its editor (read-only) and preview show the new text.
    expect_editor_text(app, "# Notes\n\nafter the hand-over", timeout=10_000)
    expect(app.locator("#preview")).to_contain_text("after the hand-over")
    expect(app.locator("#preview")).not_to_contain_text("Preview unavailable")
    expect(app.get_by_role("treeitem", name="notes.md")).to_be_visible()
    _shot(app, "handed-over-tab")
    # It opens another document read-only too, preview included.
    create_document(second, "later.md")
    editor(second).fill("*later*")
    saved(second)
    expect(app.get_by_role("treeitem", name="later.md")).to_be_visible(timeout=10_000)
    open_in_tree(app, "later.md")
    expect(app.locator("#preview em")).to_have_text("later")
    expect(app.locator("#preview")).not_to_contain_text("Preview unavailable")


def test_use_here_gives_up_on_an_owner_that_does_not_answer_which_keeps_the_workspace(
        app: Page, context: BrowserContext, server: QuireServer) -> None:
    """An owning tab that never answers (stuck in a long task, or frozen) does not leave "Use
    here" waiting for ever: after a bounded wait the other tab says so and stays read-only, and
    the owner, once it runs again, keeps the workspace (never two tabs writing)."""
    create_document(app, "kept.md")
    editor(app).fill("written in the first tab")
    saved(app)
    second = _second(context, server)
    expect_editor_text(second, "written in the first tab")  # shown read-only, from the owner
    second.evaluate("window.quire.engine.handoverMs = 2000")
    # The owner's page is busy for 6 s: the request to hand over waits in its queue meanwhile.
    app.evaluate("setTimeout(() => { window.stuck = true; const end = Date.now() + 6000; "
                 "while (Date.now() < end); window.stuck = false; })")
    second.get_by_role("button", name="Use here").click()
    expect(second.get_by_role("alert")).to_contain_text("did not hand over", timeout=5_000)
    _shot(second, "owner-stuck-take-over-refused")
    expect(second.get_by_role("button", name="Use here")).to_be_enabled()
    assert second.evaluate("document.documentElement.dataset.engine") == "elsewhere"
    expect(editor(second)).not_to_be_editable()
    expect_editor_text(second, "written in the first tab")  # what it showed, still shown
    # Running again, the owner gets the late request and keeps the workspace: it still saves.
    app.wait_for_function("window.stuck === false", timeout=15_000)
    editor(app).press("Control+End")
    app.keyboard.type(", still here")
    saved(app)
    assert app.evaluate("document.documentElement.dataset.engine") == "ready"
    assert second.evaluate("document.documentElement.dataset.engine") == "elsewhere"
    # Asked again while it answers, it hands over as before.
    second.get_by_role("button", name="Use here").click()
    wait_ready(second)
    app.wait_for_function("document.documentElement.dataset.engine === 'released'")
    expect_editor_text(second, "written in the first tab, still here")
    assert second.errors == []  # type: ignore[attr-defined]
