"""The command palette, the shortcuts list made from the same table, recent notes and today's
note, in Chromium against the real app."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e_helpers import engine_call
from shared_page import create_document, editor, editor_text, expect_editor_text, open_in_tree, saved, shown, start_at_top_level, unique
from workspace_helpers import find_artifact

TODAY = """(() => { const d = new Date(), p = (x) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; })()"""


def palette(page: Page):
    return page.get_by_role("dialog", name="Command palette")


def options(page: Page, dialog: str = "Command palette"):
    return page.get_by_role("dialog", name=dialog).get_by_role("option")


def test_palette_lists_every_action_with_its_keys_and_runs_one(page: Page) -> None:
    page.keyboard.press("Control+p")
    expect(palette(page)).to_be_visible()
    box = palette(page).get_by_role("combobox", name="Command palette")
    expect(box).to_be_focused()
    commands = palette(page).get_by_role("group", name="Commands").get_by_role("option")
    titles = page.evaluate("""import('/ui/commands.mjs').then(({ COMMANDS }) =>
        COMMANDS.filter((c) => c.palette !== false).map((c) => c.title))""")
    expect(commands).to_have_count(len(titles))
    search = commands.filter(has=page.locator("text=Search the text of every document"))
    expect(search).to_contain_text("CtrlShiftF")

    # Fuzzy: the letters in order, word starts first.
    box.fill("nfold")
    expect(options(page).first).to_have_accessible_name("New folder")
    box.fill("opn trsh")
    expect(options(page).first).to_have_accessible_name("Open Trash")
    page.keyboard.press("Enter")
    expect(palette(page)).to_have_count(0)
    expect(page.get_by_role("dialog", name="Trash")).to_be_visible()
    page.keyboard.press("Escape")

    # Ctrl+Shift+P opens it too; an action with no key of its own changes the view.
    page.keyboard.press("Control+Shift+P")
    palette(page).get_by_role("combobox").fill("preview only")
    page.keyboard.press("Enter")
    expect(page.locator("#app")).to_have_attribute("data-view", "preview")
    page.keyboard.press("Alt+v")  # the view switch's own key
    expect(page.locator("#app")).to_have_attribute("data-view", "edit")
    page.keyboard.press("Alt+v")
    expect(page.locator("#app")).to_have_attribute("data-view", "split")


def test_palette_disables_what_cannot_run_and_finds_notes(page: Page) -> None:
    name = unique("palette-note")
    create_document(page, name)
    start_at_top_level(page)
    page.keyboard.press("Control+p")
    box = palette(page).get_by_role("combobox")
    box.fill(name)
    note = palette(page).get_by_role("group", name="Notes").get_by_role("option", name=f"{name}.md")
    expect(note).to_be_visible()
    note.click()
    shown(page, f"{name}.md")

    # With a binary file open, Markdown's views cannot be chosen.
    page.evaluate("""(path) => globalThis.quire.engine.call("artifacts.upload",
        { path, data: new Uint8Array([0, 1, 2, 255]), mime_type: "application/octet-stream" })
        .then(() => window.quire.ui.documents.refreshTree())""", f"/{name}.bin")
    open_in_tree(page, f"{name}.bin")
    page.keyboard.press("Control+p")
    palette(page).get_by_role("combobox").fill("view: preview")
    expect(options(page).first).to_have_attribute("aria-disabled", "true")
    expect(options(page).first).to_have_attribute("aria-selected", "false")  # the keys skip it
    options(page).first.click(force=True)
    expect(palette(page)).to_be_visible()  # nothing ran
    expect(page.locator("#app")).not_to_have_attribute("data-view", "preview")
    page.keyboard.press("Escape")


def test_shortcuts_list_comes_from_the_same_table(page: Page) -> None:
    page.get_by_role("button", name="Keyboard shortcuts").click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    rows = page.evaluate("""import('/ui/shortcuts.mjs').then(({ SHORTCUTS }) =>
        SHORTCUTS.map((s) => [s.what, s.keys.join("")]))""")
    expect(dialog.get_by_role("row")).to_have_count(len(rows))
    shown_rows = [re.sub(r"\s+", "", t) for t in dialog.get_by_role("row").all_inner_texts()]
    assert shown_rows == [what.replace(" ", "") + keys for what, keys in rows]
    for what, keys in [("Command palette", "CtrlP"), ("Command palette", "CtrlShiftP"),
                       ("Search the text of every document", "CtrlShiftF"), ("Open today's note", "AltD")]:
        assert [what, keys] in rows
    page.keyboard.press("Escape")
    # The buttons announce the same keys.
    expect(page.get_by_role("button", name=re.compile("^Search"))).to_have_attribute("aria-keyshortcuts", "Control+Shift+F")


def test_recent_lists_what_was_opened_last(page: Page) -> None:
    first, second = unique("recent-a"), unique("recent-b")
    create_document(page, first)
    create_document(page, second)
    open_in_tree(page, f"{first}.md")
    start_at_top_level(page)
    page.get_by_role("button", name="Recent", exact=True).click()
    listed = options(page, "Recent notes")
    expect(listed.nth(0)).to_have_accessible_name("start.md")
    expect(listed.nth(1)).to_have_accessible_name(f"{first}.md")
    expect(listed.nth(2)).to_have_accessible_name(f"{second}.md")
    page.get_by_role("dialog", name="Recent notes").get_by_role("combobox").fill(second)
    expect(listed).to_have_count(1)
    page.keyboard.press("Enter")
    shown(page, f"{second}.md")
    # An empty palette starts with the same list.
    page.keyboard.press("Control+p")
    recent = palette(page).get_by_role("group", name="Recent notes").get_by_role("option")
    expect(recent.nth(0)).to_have_accessible_name(f"{second}.md")
    expect(recent.nth(1)).to_have_accessible_name("start.md")
    page.keyboard.press("Escape")


def test_todays_note_from_the_template_then_opened_again(page: Page) -> None:
    today = page.evaluate(TODAY)
    engine_call(page, "artifacts.create", {
        "path": "/templates/daily.md", "mime_type": "text/markdown",
        "content": "# {{date}}\n\n{{weekday}} · {{unknown}}\n\n## Tasks\n- [ ] \n"})
    page.evaluate("window.quire.ui.documents.refreshTree()")
    page.get_by_role("button", name="Today's note").click()
    shown(page, f"{today}.md")
    expect(page.locator("#doc-crumbs")).to_have_text("daily")
    text = editor_text(page)
    weekday = page.evaluate("new Date().toLocaleDateString('en-GB', { weekday: 'long' })")
    assert text == f"# {today}\n\n{weekday} · {{{{unknown}}}}\n\n## Tasks\n- [ ] \n"
    assert find_artifact(page, f"/daily/{today}.md")["text"] == text
    editor(page).press("Control+End")
    page.keyboard.type("call the bank")
    saved(page)

    start_at_top_level(page)
    page.keyboard.press("Alt+d")
    shown(page, f"{today}.md")
    expect_editor_text(page, text + "call the bank")
    daily = [a for a in engine_call(page, "tree.list")["artifacts"] if a["path"].startswith("/daily/")]
    assert [a["path"] for a in daily] == [f"/daily/{today}.md"]


def test_todays_note_without_a_template(app: Page) -> None:
    today = app.evaluate(TODAY)
    app.keyboard.press("Control+p")
    palette(app).get_by_role("combobox").fill("today")
    app.keyboard.press("Enter")
    shown(app, f"{today}.md")
    expect_editor_text(app, f"# {today}\n\n")
    expect(app.get_by_role("treeitem", name="daily")).to_be_visible()


def test_palette_hands_a_query_to_the_search_panel(page: Page) -> None:
    word = unique("kestrel").replace("-", "")
    name = unique("birding")
    create_document(page, name)
    editor(page).fill(f"A {word} hovering over the field.")
    saved(page)
    page.keyboard.press("Control+p")
    palette(page).get_by_role("combobox").fill(word)
    palette(page).get_by_role("option", name=f"Search all documents for “{word}”").click()
    search = page.get_by_role("dialog", name="Search")
    expect(search.get_by_role("searchbox", name="Search")).to_have_value(word)
    expect(search.get_by_role("option", name=f"{name}.md")).to_be_visible()
    page.keyboard.press("Escape")
