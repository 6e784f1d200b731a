"""The editor people type in (CodeMirror 6, vendored): undo per document across switches, lists,
Tab, Markdown shortcuts, find and replace, soft wrap, served from the app's own origin."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e_helpers import CONFIG, engine_call, page_bytes
from shared_page import editor, editor_text, expect_editor_text, open_in_tree, saved, text_of, unique


def _note(page: Page, text: str) -> str:
    name = unique("ed") + ".md"
    engine_call(page, "artifacts.create", {"path": f"/{name}", "content": text})
    page.evaluate("() => quire.ui.documents.refreshTree()")
    open_in_tree(page, name)
    return name


def _type_at_end(page: Page, text: str, at_once: bool = False) -> None:
    """Type `text` at the end; `at_once`: as one input (one undo step), since keys typed more than
    CodeMirror's 500 ms apart, as on a loaded machine, are undone one by one."""
    editor(page).click()
    page.keyboard.press("Control+End")
    if at_once:
        page.keyboard.insert_text(text)
    else:
        page.keyboard.type(text)


def test_the_editor_is_a_labelled_textbox_from_the_apps_origin(page: Page) -> None:
    box = page.get_by_role("textbox", name="Document text")
    expect(box).to_be_visible()
    expect(box).to_be_editable()
    urls = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert any(u.endswith("/vendor/codemirror/codemirror.mjs") for u in urls) or page.evaluate(
        "Boolean(document.querySelector('#editor .cm-editor'))")
    # No line numbers for prose; long lines wrap.
    assert page.locator("#editor .cm-gutters").count() == 0
    assert page.locator("#editor .cm-lineWrapping").count() == 1


def test_undo_history_survives_switching_documents(page: Page) -> None:
    first = _note(page, "first:")
    _type_at_end(page, " one", at_once=True)
    saved(page)
    second = _note(page, "second:")
    _type_at_end(page, " two", at_once=True)
    saved(page)
    open_in_tree(page, first)
    expect_editor_text(page, "first: one")
    editor(page).click()
    page.keyboard.press("Control+z")
    expect_editor_text(page, "first:")
    saved(page)
    assert text_of(page, first) == "first:"
    open_in_tree(page, second)
    editor(page).click()
    page.keyboard.press("Control+z")
    expect_editor_text(page, "second:")
    page.keyboard.press("Control+Shift+z")
    expect_editor_text(page, "second: two")
    saved(page)


def test_enter_continues_lists_and_tab_indents(page: Page) -> None:
    _note(page, "")
    editor(page).click()
    page.keyboard.type("- milk")
    page.keyboard.press("Enter")
    page.keyboard.type("eggs")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("brown")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the inner list
    text = editor_text(page)
    assert text.startswith("- milk\n- eggs\n"), text
    assert "brown" in text.splitlines()[2] and text.splitlines()[2].lstrip().startswith("- brown"), text
    expect(editor(page)).to_be_focused()  # Tab indented, it did not leave


def test_escape_then_tab_leaves_the_editor(page: Page) -> None:
    _note(page, "text")
    editor(page).click()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(editor(page)).not_to_be_focused()
    assert editor_text(page) == "text"


def test_markdown_shortcuts(page: Page) -> None:
    name = _note(page, "make this strong")
    editor(page).click()
    page.keyboard.press("Control+End")
    for _ in range(6):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Control+b")
    expect_editor_text(page, "make this **strong**")
    page.keyboard.press("Control+i")
    expect_editor_text(page, "make this ***strong***")
    page.keyboard.press("Control+k")  # the selection is still the word inside the marks
    expect_editor_text(page, "make this ***[strong](url)***")
    expect(page.get_by_role("dialog")).to_have_count(0)  # with a selection, Ctrl+K is a link
    page.keyboard.type("other.md")
    expect_editor_text(page, "make this ***[strong](other.md)***")
    saved(page)
    assert text_of(page, name) == "make this ***[strong](other.md)***"
    # Without a selection, Ctrl+K is still quick open.
    page.keyboard.press("End")
    page.keyboard.press("Control+k")
    expect(page.get_by_role("dialog")).to_have_count(1)
    page.keyboard.press("Escape")


def test_find_and_replace_in_the_document(page: Page) -> None:
    name = _note(page, "cat and cat and dog")
    editor(page).click()
    page.keyboard.press("Control+f")
    find = page.get_by_role("textbox", name="Find")
    expect(find).to_be_focused()
    find.fill("cat")
    page.get_by_role("textbox", name="Replace").fill("bird")
    page.get_by_role("button", name="replace all").click()
    expect_editor_text(page, "bird and bird and dog")
    page.screenshot(path=str(CONFIG.RESULTS_DIR / "editor-find.png"))
    page.keyboard.press("Escape")
    saved(page)
    assert text_of(page, name) == "bird and bird and dog"


# ---------- images pasted or dropped, and [[ completion ----------

# A 1x1 red PNG.
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="

PASTE = """([kind, b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const target = document.querySelector("#editor .cm-content");
  const box = target.getBoundingClientRect();
  const event = kind === "paste"
    ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
    : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true, clientX: box.left + 40, clientY: box.top + 40 });
  target.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def _bytes_of(page: Page, path: str) -> bytes:
    listing = engine_call(page, "tree.list")
    match = [a for a in listing["artifacts"] if a["path"] == path]
    assert match, f"{path} not in {[a['path'] for a in listing['artifacts']]}"
    return page_bytes(page, "async (id) => (await quire.engine.call('artifacts.download', {id})).data", match[0]["id"])


def test_a_pasted_image_becomes_a_file_beside_the_note_and_a_link(page: Page) -> None:
    import base64
    folder = unique("pics")
    engine_call(page, "folders.create", {"path": f"/{folder}"})
    name = unique("with-image") + ".md"
    engine_call(page, "artifacts.create", {"path": f"/{folder}/{name}", "content": "Look:\n"})
    page.evaluate("() => quire.ui.documents.refreshTree()")
    page.get_by_role("treeitem", name=folder, exact=True).locator(".tree-row").first.click()
    open_in_tree(page, name)
    editor(page).click()
    page.keyboard.press("Control+End")
    assert page.evaluate(PASTE, ["paste", PNG_B64, "image.png"]) is True
    text = editor_text(page)
    assert text.startswith("Look:\n![pasted-") and text.endswith(".png)"), text
    file_name = text.split("](attachments/")[1].rstrip(")")
    expect(page.get_by_role("status")).to_contain_text(f"Attached {file_name}")
    assert _bytes_of(page, f"/{folder}/attachments/{file_name}") == base64.b64decode(PNG_B64)
    # Dropping a named file keeps its name; the link goes where it was dropped.
    assert page.evaluate(PASTE, ["drop", PNG_B64, "chart.png"]) is True
    expect(page.get_by_role("status")).to_contain_text("Attached chart.png")
    assert "![chart](attachments/chart.png)" in editor_text(page)
    assert _bytes_of(page, f"/{folder}/attachments/chart.png") == base64.b64decode(PNG_B64)
    saved(page)
    assert "![chart](attachments/chart.png)" in engine_call(page, "artifacts.get", {"id": page.evaluate("quire.ui.editor.current.id")})["text"]


def test_typing_double_brackets_offers_note_names(page: Page) -> None:
    target = unique("Alpha Plan")
    engine_call(page, "artifacts.create", {"path": f"/{target}.md", "content": "the plan"})
    name = _note(page, "See ")
    editor(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.type("[[" + target[:8])
    option = page.locator(".cm-tooltip-autocomplete [role=option]", has_text=target)
    # The engine answers after what the background indexer queued before it (2 shared cores).
    expect(option.first).to_be_visible(timeout=20_000)
    page.screenshot(path=str(CONFIG.RESULTS_DIR / "editor-links.png"))
    page.keyboard.press("Enter")
    expect_editor_text(page, f"See [[{target}]]")
    saved(page)
    assert text_of(page, name) == f"See [[{target}]]"


def test_the_api_for_the_panes_beside_the_editor(page: Page) -> None:
    name = _note(page, "# Tasks\n\n- [ ] one\n- [ ] two\n" + "filler line\n\n" * 200)
    assert page.evaluate("quire.ui.editor.replaceLine(2, '- [x] one')") is True  # 0-based
    assert editor_text(page).startswith("# Tasks\n\n- [x] one\n- [ ] two\n")
    seen = page.evaluate("""() => new Promise((resolve) => {
      const stop = quire.ui.editor.onScroll((line) => { stop(); resolve(line); });
      quire.ui.editor.scrollToLine(150);
    })""")
    assert 140 <= seen <= 160, seen
    page.wait_for_timeout(100)
    assert 140 <= page.evaluate("quire.ui.editor.topLine()") <= 160
    page.evaluate("quire.ui.editor.select(2, 7)")
    assert page.evaluate("quire.ui.editor.view.selection()") == [2, 7]
    saved(page)
    assert text_of(page, name).startswith("# Tasks\n\n- [x] one\n")
