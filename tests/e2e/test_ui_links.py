"""Links, backlinks and tags in the real page: the "Linked from" panel with the sentence around
each link, unlinked mentions, renaming and moving a note offers to update the links to it (and
does), the sidebar's tag list with counts and the notes of a tag. One booted page serves the
module (see shared_page.py); the notes are made through the engine, then the page reads the tree
again (a document made through the page does that), as after any change."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from e2e_helpers import engine_call
from shared_page import create_document, open_in_tree, shown, text_of, unique

SHOTS = Path(__file__).resolve().parents[2] / ".build" / "screenshots"


def _notes(page: Page, notes: dict[str, str]) -> None:
    for path, text in notes.items():
        folder = path.rsplit("/", 1)[0]
        if folder and not any(f == folder for f in engine_call(page, "tree.list")["folders"]):
            engine_call(page, "folders.create", {"path": folder})
        engine_call(page, "artifacts.create", {"path": path, "content": text})
    create_document(page, unique("reread"))  # the page reads the tree again


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_linked_from_shows_each_linking_note_with_its_sentence(page: Page) -> None:
    plan, a, b = unique("Plan"), unique("alpha"), unique("beta")
    _notes(page, {f"/{plan}.md": "# Plan\n\nThe plan.",
                  f"/{a}.md": f"Intro first. We follow [[{plan}]] closely! Then more.\n\nAlso [[{plan}#Goals|the goals]].",
                  f"/{b}.md": f"Someone said {plan} in passing, without a link."})
    open_in_tree(page, f"{plan}.md")
    panel = page.get_by_role("complementary", name="Links to this note")
    expect(panel).to_be_visible()
    expect(panel.locator("summary").first).to_have_text("Linked from 1")
    item = panel.locator(".links-item")
    expect(item).to_have_count(1)
    expect(item.locator(".links-context")).to_have_text(
        [f"We follow [[{plan}]] closely!", f"Also [[{plan}#Goals|the goals]]."])
    expect(item.locator("mark").first).to_have_text(plan)
    # The mark hugs the name: nothing between it and the brackets around it ("[[Plan]]").
    gaps = item.locator("mark").first.evaluate("""mark => {
        const edge = (node, at) => { const r = document.createRange(); r.setStart(node, at);
            r.setEnd(node, at + 1); return r.getBoundingClientRect(); };
        const text = document.createRange(); text.selectNodeContents(mark.firstChild);
        const box = text.getBoundingClientRect(), style = getComputedStyle(mark);
        const before = mark.previousSibling, after = mark.nextSibling;
        return {padding: [style.paddingLeft, style.paddingRight],
                before: box.left - edge(before, before.length - 1).right,
                after: edge(after, 0).left - box.right,
                brackets: [before.data.slice(-2), after.data.slice(0, 2)]};
    }""")
    SHOTS.mkdir(parents=True, exist_ok=True)
    item.screenshot(path=str(SHOTS / "links-mark.png"))
    assert gaps["brackets"] == ["[[", "]]"] and gaps["padding"] == ["0px", "0px"], gaps
    assert abs(gaps["before"]) < 0.5 and abs(gaps["after"]) < 0.5, gaps
    panel.get_by_text("Unlinked mentions").click()
    mention = panel.locator(".links-section").nth(1).locator(".links-item")
    expect(mention).to_have_count(1)
    expect(mention).to_contain_text(f"Someone said {plan} in passing, without a link.")
    _shot(page, "links-panel")
    item.get_by_role("button", name=a).click()
    shown(page, f"{a}.md")
    expect(panel.locator("summary").first).to_have_text("Linked from 0")


def test_renaming_a_note_offers_to_update_the_links_and_does(page: Page) -> None:
    plan, a, b = unique("Plan"), unique("alpha"), unique("beta")
    _notes(page, {f"/{plan}.md": "# Plan",
                  f"/{a}.md": f"See [[{plan}]] and [[{plan}#Goals]].",
                  f"/{b}.md": f"Also [the plan]({plan}.md)."})
    open_in_tree(page, f"{plan}.md")
    page.locator("#doc-rename").click()
    dialog = page.get_by_role("dialog")
    check = dialog.get_by_label("Update 3 links in 2 notes that point here")
    expect(check).to_be_checked()
    # Two links in one sentence: the sentence shows once, with both marked.
    context = page.locator("#links-panel .links-item", has_text=a).locator(".links-context")
    expect(context).to_have_count(1)
    expect(context.locator("mark")).to_have_count(2)
    _shot(page, "rename-offers-link-update")
    new = unique("Roadmap")
    dialog.get_by_label("New name").fill(f"{new}.md")
    dialog.get_by_role("button", name="Save name").click()
    expect(page.locator("#status-note")).to_contain_text("updated 3 links in 2 notes")
    assert text_of(page, f"{a}.md") == f"See [[{new}]] and [[{new}#Goals]]."
    assert text_of(page, f"{b}.md") == f"Also [the plan]({new}.md)."
    # Unticked: the name changes and the links stay as they were.
    page.locator("#doc-rename").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Update 3 links in 2 notes that point here").uncheck()
    dialog.get_by_label("New name").fill(f"{plan}.md")
    dialog.get_by_role("button", name="Save name").click()
    shown(page, f"{plan}.md")
    assert text_of(page, f"{a}.md") == f"See [[{new}]] and [[{new}#Goals]]."


def test_moving_a_note_asks_whether_to_update_its_links(page: Page) -> None:
    plan, a, folder = unique("Plan"), unique("alpha"), unique("dest")
    engine_call(page, "folders.create", {"path": f"/{folder}"})
    _notes(page, {f"/{plan}.md": "# Plan", f"/{a}.md": f"Read [it](./{plan}.md) now."})
    open_in_tree(page, f"{plan}.md")
    page.locator("#doc-move").click()
    page.get_by_role("dialog").get_by_label("Folder").select_option(f"/{folder}")
    page.get_by_role("dialog").get_by_role("button", name="Move here").click()
    ask = page.get_by_role("dialog", name=f"Move {plan}.md")
    expect(ask).to_contain_text(f"1 link in 1 note points to {plan}.md")
    ask.get_by_role("button", name="Move and update links").click()
    expect(page.locator("#status-note")).to_contain_text("updated 1 link in 1 note")
    assert text_of(page, f"{a}.md") == f"Read [it]({folder}/{plan}.md) now."


def test_tags_in_the_sidebar_with_counts_and_their_notes(page: Page) -> None:
    tag, a, b, c = unique("proj"), unique("alpha"), unique("beta"), unique("gamma")
    _notes(page, {f"/{a}.md": f"Work #{tag} today.",
                  f"/{b}.md": f"---\ntags: [{tag}/ui]\n---\nBody.",
                  f"/{c}.md": f"Nothing but #{tag}/ui/deep here."})
    tags = page.locator("#side-tags")
    expect(tags).to_be_visible()
    top = tags.get_by_role("button", name=f"#{tag}, 3 notes")
    expect(top).to_be_visible()
    expect(tags.get_by_role("button", name=f"#{tag}/ui, 2 notes")).to_be_visible()
    expect(tags.get_by_role("button", name=f"#{tag}/ui/deep, 1 note", exact=True)).to_be_visible()
    _shot(page, "tags-sidebar")
    top.click()
    listing = page.get_by_role("dialog", name=f"#{tag}")
    expect(listing.get_by_role("listitem")).to_have_count(3)
    listing.get_by_role("button", name=b).click()
    shown(page, f"{b}.md")
    # A save that adds a tag shows in the counts without a reload.
    page.get_by_label("Document text").press("End")
    page.get_by_label("Document text").type(f" #{tag}x")
    expect(tags.get_by_role("button", name=f"#{tag}x, 1 note")).to_be_visible(timeout=15_000)


def test_renaming_a_folder_offers_to_update_the_links_into_it(page: Page) -> None:
    folder, new, a = unique("proj"), unique("area"), unique("alpha")
    engine_call(page, "folders.create", {"path": f"/{folder}"})
    _notes(page, {f"/{folder}/Plan.md": "# Plan", f"/{a}.md": f"See [[{folder}/Plan]]."})
    page.get_by_role("button", name=f"More actions for {folder}").click()
    page.get_by_role("menuitem", name="Rename").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Update 1 link in 1 note that point here")).to_be_checked()
    dialog.get_by_label("New name").fill(new)
    dialog.get_by_role("button", name="Save name").click()
    expect(page.get_by_role("treeitem", name=new)).to_be_visible()
    assert text_of(page, f"{a}.md") == f"See [[{new}/Plan]]."
