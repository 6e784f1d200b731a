"""No stale screens, in the real page: quick open scrolls the sidebar to the note it opens and
shows "more" past 50, the "Find a document…" control keeps its height beside a long tree, a
refused import leaves the screen as it was, a merge lists what it added, updated and kept as
conflict versions (each easy to open), and the Trash lists the notes of a deleted folder, each
restorable alone. One booted page serves the module (see shared_page.py); the two-tab cases
are in test_ui_tabs.py."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from e2e_helpers import engine_call, export_bytes
from shared_page import create_document, expect_editor_text, open_in_tree, shown, text_of, unique

SHOTS = Path(__file__).resolve().parents[2] / ".build" / "screenshots"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _many(page: Page, folder: str, n: int) -> None:
    page.evaluate("""async ([folder, n]) => {
        await quire.engine.call("folders.create", {path: folder});
        for (let i = 0; i < n; i++) {
            await quire.engine.call("artifacts.create", {path: `${folder}/n${String(i).padStart(3, "0")}.md`, content: "x"});
        }
    }""", [folder, n])


def test_quick_open_scrolls_the_sidebar_shows_more_and_the_control_keeps_its_height(page: Page) -> None:
    folder = "/" + unique("zz-long")
    _many(page, folder, 70)
    create_document(page, unique("reread"))
    page.get_by_role("treeitem", name=folder[1:]).locator(".tree-row").click()  # open the folder
    expect(page.locator("#quick-open")).to_have_css("height", "32px")
    box = page.locator("#quick-open").bounding_box()
    assert box and box["height"] == 32, box
    page.keyboard.press("Control+k")
    page.keyboard.type(folder[1:8])
    options = page.get_by_role("option")
    expect(options).to_have_count(50)
    more = page.get_by_role("button", name="20 more — show 20 more")
    expect(more).to_be_visible()
    _shot(page, "quick-open-more")
    more.click()
    expect(options).to_have_count(70)
    options.filter(has_text="n069.md").click()
    shown(page, "n069.md")
    row = page.locator(f'#tree [data-path="{folder}/n069.md"] .tree-row')
    expect(row).to_be_in_viewport()


def test_a_refused_import_leaves_the_screen_as_it_was(page: Page, tmp_path: Path) -> None:
    name = unique("keep") + ".md"
    create_document(page, name)
    page.get_by_label("Document text").fill("kept text")
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database")
    page.get_by_role("button", name="Import workspace").click()
    page.get_by_role("dialog").get_by_label("Workspace file").set_input_files(str(bad))
    page.get_by_role("dialog").get_by_role("button", name="Merge").click()
    expect(page.get_by_role("alert")).to_contain_text("Your workspace was not changed", timeout=30_000)
    shown(page, name)
    expect_editor_text(page, "kept text")
    expect(page.locator("#tree .is-open")).to_have_attribute("data-path", f"/{name}")
    page.get_by_role("alert").get_by_role("button", name="Dismiss").click()


def test_a_merge_lists_what_it_added_updated_and_kept_as_conflicts(page: Page, tmp_path: Path) -> None:
    from pylib import api

    both, theirs_only, added = unique("both"), unique("theirs"), unique("added")
    mine = engine_call(page, "artifacts.create", {"path": f"/{both}.md", "content": "common"})
    other = engine_call(page, "artifacts.create", {"path": f"/{theirs_only}.md", "content": "common"})
    made = tmp_path / "laptop.sqlite"
    made.write_bytes(export_bytes(page))
    api.open_workspace(str(made))
    try:
        api.dispatch("artifacts.update", {"id": mine["id"], "content": "changed on the laptop"})
        api.dispatch("artifacts.update", {"id": other["id"], "content": "only the laptop changed it"})
        api.dispatch("artifacts.create", {"path": f"/{added}.md", "content": "new on the laptop"})
    finally:
        api.close_workspace()
    engine_call(page, "artifacts.update", {"id": mine["id"], "content": "changed here"})
    create_document(page, unique("reread"))
    page.get_by_role("button", name="Import workspace").click()
    page.get_by_role("dialog").get_by_label("Workspace file").set_input_files(str(made))
    page.get_by_role("dialog").get_by_role("button", name="Merge").click()
    result = page.get_by_role("dialog", name="Workspace merged")
    expect(result).to_be_visible(timeout=30_000)
    conflicts = result.get_by_role("region", name="Kept as conflict versions")
    expect(conflicts.get_by_role("listitem")).to_have_count(1)
    expect(conflicts).to_contain_text(f"{both}.md")
    expect(result.get_by_role("region", name="Added").get_by_role("listitem")).to_have_text([f"{added}.md/{added}.mdOpen"])
    expect(result.get_by_role("region", name="Updated")).to_contain_text(f"{theirs_only}.md")
    expect(result).not_to_contain_text("schema version")
    expect(page.locator("#status-note")).to_contain_text("1 conflict: both versions kept")
    _shot(page, "import-merge-result")
    conflicts.get_by_role("button", name=f"History of {both}.md").click()
    history = page.get_by_role("dialog", name=f"History — {both}.md")
    expect(history).to_be_visible()
    texts = [engine_call(page, "versions.get", {"version_id": v["id"]})["text"]
             for v in engine_call(page, "versions.list", {"artifact_id": mine["id"]})]
    assert "changed here" in texts and "changed on the laptop" in texts  # both kept
    page.keyboard.press("Escape")
    assert text_of(page, f"{theirs_only}.md") == "only the laptop changed it"


def test_trash_lists_the_notes_of_a_deleted_folder_each_restorable_alone(page: Page) -> None:
    folder = unique("project")
    engine_call(page, "folders.create", {"path": f"/{folder}"})
    for name in ("a.md", "b.md"):
        engine_call(page, "artifacts.create", {"path": f"/{folder}/{name}", "content": name})
    create_document(page, unique("reread"))
    page.get_by_role("button", name=f"More actions for {folder}").click()
    page.get_by_role("menuitem", name="Delete").click()
    expect(page.get_by_role("treeitem", name=folder)).to_have_count(0)
    page.get_by_role("button", name="Trash").click()
    trash = page.get_by_role("dialog", name="Trash")
    unit = trash.locator(".trash-unit", has_text=folder)
    unit.get_by_text("Documents inside").click()
    inside = unit.get_by_role("list", name=f"Documents in {folder}")
    expect(inside.get_by_role("listitem")).to_have_count(2)
    _shot(page, "trash-folder-contents")
    inside.get_by_role("button", name="Restore b.md alone").click()
    expect(page.locator("#status-note")).to_contain_text(f"Restored b.md to /{folder}/b.md")
    page.keyboard.press("Escape")
    expect(page.get_by_role("treeitem", name=folder)).to_be_visible()
    page.get_by_role("treeitem", name=folder).locator(".tree-row").click()
    open_in_tree(page, "b.md")
    paths = {a["path"] for a in engine_call(page, "tree.list")["artifacts"]}
    assert f"/{folder}/b.md" in paths and f"/{folder}/a.md" not in paths
    [unit_left] = [t for t in engine_call(page, "trash.list") if t["path"] == f"/{folder}"]
    assert [d["name"] for d in engine_call(page, "trash.contents", {"id": unit_left["id"]})] == ["a.md"]
