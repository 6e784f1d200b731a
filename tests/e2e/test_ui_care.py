"""Workspace care in Chromium: a retention policy set in Settings is applied to real history;
the storage view's numbers are the file's; a damaged workspace is repaired from the page."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e_helpers import engine_call, export_bytes, wait_ready
from workspace_helpers import new_document, wait_saved_and_idle

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "care"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _history(page: Page, name: str, saves: int) -> dict:
    new_document(page, name)
    editor = page.get_by_label("Document text")
    for i in range(saves):
        editor.type(f"line {i}\n")
        wait_saved_and_idle(page, 300)
    doc = next(a for a in engine_call(page, "tree.list")["artifacts"] if a["name"] == name)
    return doc


def test_settings_policy_is_previewed_and_applied_to_history(app: Page) -> None:
    doc = _history(app, "kept.md", 6)
    before = engine_call(app, "versions.list", {"artifact_id": doc["id"]})
    assert len(before) >= 6
    app.get_by_role("button", name="Settings").click()
    dialog = app.get_by_role("dialog")
    dialog.get_by_label("Version history").select_option("last")
    dialog.get_by_label("Versions to keep (N)").fill("2")
    dialog.get_by_role("button", name="Preview").click()
    expect(dialog.locator("#care-preview")).to_contain_text(
        f"{len(before) - 2} versions of 1 document,")
    expect(dialog.locator("#care-preview")).to_contain_text("This frees")
    _shot(app, "settings-preview")
    dialog.get_by_label("Versions to keep (N)").fill("0")
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog.locator("#care-problem")).to_contain_text("keep_last")
    dialog.get_by_label("Versions to keep (N)").fill("2")
    dialog.get_by_role("button", name="Save and clean up now").click()
    expect(dialog.locator("#care-done")).to_contain_text(f"Removed {len(before) - 2} versions")
    _shot(app, "settings-applied")
    after = engine_call(app, "versions.list", {"artifact_id": doc["id"]})
    assert [v["id"] for v in after] == [v["id"] for v in before[:2]]
    text = engine_call(app, "versions.get", {"version_id": after[-1]["id"]})["text"]
    assert text.startswith("line 0\n")
    # The policy is stored in the workspace: it travels in the export.
    status = engine_call(app, "care.status")
    assert status["retention"]["keep_last"] == 2 and status["last_cleanup"]["at"] > 0


def test_storage_view_numbers_match_the_file(app: Page, tmp_path: Path) -> None:
    new_document(app, "sized.md")
    # Pasted in one go: 1,200 keystrokes take longer than the test's budget on a loaded machine.
    app.get_by_label("Document text").click()
    app.keyboard.insert_text("words " * 200)
    wait_saved_and_idle(app)
    app.get_by_role("button", name="Storage").click()
    dialog = app.get_by_role("dialog")
    size = dialog.locator("#care-file-size")
    expect(size).to_be_visible()
    _shot(app, "storage")
    shown = int(size.get_attribute("data-bytes"))
    data = export_bytes(app)
    path = tmp_path / "export.sqlite"
    path.write_bytes(data)
    conn = sqlite3.connect(path)
    page_size, pages = conn.execute("PRAGMA page_size").fetchone()[0], conn.execute("PRAGMA page_count").fetchone()[0]
    docs = conn.execute("SELECT sum(length(content)) FROM artifacts WHERE deleted_at IS NULL"
                        " AND kind IN ('markdown', 'text', 'code')").fetchone()[0]
    versions = conn.execute("SELECT count(*), sum(length(content)) FROM artifact_versions").fetchone()
    conn.close()
    assert shown == page_size * pages == len(data)
    row = dialog.locator("#care-parts [data-part=documents]")
    assert int(row.get_attribute("data-bytes")) == docs
    assert int(dialog.locator("#care-parts [data-part=versions]").get_attribute("data-bytes")) == versions[1]
    expect(dialog.locator("#care-parts [data-part=versions]")).to_contain_text(f"({versions[0]})")
    dialog.get_by_role("button", name="Check workspace").click()
    expect(app.get_by_role("dialog").locator("#care-check-result")).to_contain_text("No problems found")
    app.get_by_role("dialog").locator("#care-check-result").scroll_into_view_if_needed()
    _shot(app, "storage-care")


DAMAGE = """async ([pages]) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open("quire-pages"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const keys = await new Promise((ok) => { const r = db.transaction("meta").objectStore("meta").getAllKeys(); r.onsuccess = () => ok(r.result); });
  const tx = db.transaction("pages", "readwrite");
  for (const ws of keys) for (const p of pages) tx.objectStore("pages").put(new Uint8Array(4096).fill(0xa5).buffer, [ws, p - 1]);
  await new Promise((ok) => { tx.oncomplete = ok; });
  db.close();
  return keys.length;
}"""


def _artifact_leaves(data: bytes, tmp_path: Path) -> list[int]:
    """Two leaf pages of the artifacts table (1-based), read from the B-tree's root page."""
    path = tmp_path / "before.sqlite"
    path.write_bytes(data)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'artifacts'").fetchone()[0]
    conn.close()
    start = (root - 1) * page_size
    assert data[start] == 0x05, "the artifacts table should span several pages"
    first = int.from_bytes(data[start + 12:start + 14], "big")
    return [int.from_bytes(data[start + first:start + first + 4], "big"),
            int.from_bytes(data[start + 8:start + 12], "big")]


def test_a_damaged_workspace_is_checked_and_repaired(app: Page, tmp_path: Path) -> None:
    for i in range(40):
        # Random words: the notes fill several pages however their text is stored (packed).
        words = " ".join(os.urandom(4).hex() for _ in range(300))
        engine_call(app, "artifacts.create", {"path": f"/notes/n{i:02}.md", "content": f"# {i}\n" + words})
    wait_saved_and_idle(app)
    leaves = _artifact_leaves(export_bytes(app), tmp_path)
    url = app.url
    app.goto(url.rstrip("/") + "/healthz")
    assert app.evaluate(DAMAGE, [leaves]) == 1
    app.goto(url, wait_until="domcontentloaded")
    app.wait_for_function("['ready', 'failed'].includes(document.documentElement.dataset.engine)")
    app.get_by_role("button", name="Storage").click()
    dialog = app.get_by_role("dialog")
    dialog.get_by_role("button", name="Check workspace").click()
    dialog = app.get_by_role("dialog")
    expect(dialog.locator("#care-check-result")).to_contain_text("problem(s) found")
    _shot(app, "check-damaged")
    with app.expect_download() as download:
        dialog.get_by_role("button", name="Repair…").click()
        app.get_by_role("dialog").get_by_role("button", name="Repair", exact=True).click()
    backup = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.startswith("workspace-damaged-")
    assert len(backup) > 0
    result = engine_call(app, "care.check")
    assert result["ok"], result["problems"]
    left = engine_call(app, "tree.list")["artifacts"]
    assert 0 < len(left) < 40
    expect(app.get_by_role("treeitem").first).to_be_visible()
    _shot(app, "repaired")


def test_agent_tasks_and_citations_are_visible(app: Page) -> None:
    new_document(app, "source.md")
    app.get_by_label("Document text").type("a cited source")
    wait_saved_and_idle(app)
    doc = next(a for a in engine_call(app, "tree.list")["artifacts"] if a["name"] == "source.md")
    done = engine_call(app, "tasks.enqueue", {"task_type": "summarise", "input": {"doc": doc["id"]}})
    engine_call(app, "tasks.claim")
    engine_call(app, "tasks.complete", {"id": done["id"], "output": {"summary": "short"}})
    bad = engine_call(app, "tasks.enqueue", {"task_type": "translate", "input": {"to": "fr"}})
    engine_call(app, "tasks.claim")
    engine_call(app, "tasks.fail", {"id": bad["id"], "error": "no model available"})
    engine_call(app, "tasks.enqueue", {"task_type": "index", "input": {}})
    engine_call(app, "citations.record", {"source_artifact_id": doc["id"], "citing_run_id": done["id"],
                                          "weight": 0.75, "reason": "quoted in the summary"})
    app.get_by_role("button", name="Agent tasks").click()
    dialog = app.get_by_role("dialog")
    expect(dialog.locator(".task-card")).to_have_count(3)
    expect(dialog.locator("#records-citations")).to_contain_text("source.md was cited by 1 run(s)")
    expect(dialog.locator("#records-citations")).to_contain_text("quoted in the summary")
    dialog.get_by_role("tab", name="Failed").click()
    expect(dialog.locator(".task-card")).to_have_count(1)
    card = dialog.locator(".task-card").first
    card.locator("summary").click()
    expect(card).to_contain_text("no model available")
    expect(card).to_contain_text('"to": "fr"')
    dialog.get_by_role("tab", name="All").click()
    dialog.locator(f".task-card[data-id='{done['id']}'] summary").click()
    dialog.locator(f".task-card[data-id='{done['id']}']").get_by_role("button", name="Documents this run cited").click()
    expect(dialog.locator("#records-citations")).to_contain_text("cited 1 document(s)")
    expect(dialog.locator("#records-citations")).to_contain_text("/source.md")
    _shot(app, "records")


def test_the_idle_scheduler_applies_the_policy_in_the_background(app: Page) -> None:
    doc = _history(app, "background.md", 5)
    engine_call(app, "care.set_retention", {"versions": "last", "keep_last": 2})
    assert len(engine_call(app, "versions.list", {"artifact_id": doc["id"]})) >= 5
    # What the scheduler does once the tab has been idle: ask what is due, run it.
    assert "cleanup" in engine_call(app, "care.status")["due"]
    # Nothing runs while a change could not be saved (storage full): saves go first.
    app.evaluate("""async () => {
        const { store, upkeep } = window.quire.ui;
        store.set({ saveError: { code: "storage_full", message: "full" } });
        await upkeep.tick(true);
        store.set({ saveError: null });
    }""")
    assert "cleanup" in engine_call(app, "care.status")["due"]
    # The status bar speaks of the user's changes: upkeep the page started itself never shows
    # "Saving…" (a long check once held a saved note at "Saving…" for half a minute).
    app.evaluate("""() => {
        const status = document.getElementById("status");
        window.__saveStates = [status.dataset.save];
        new MutationObserver(() => window.__saveStates.push(status.dataset.save))
            .observe(status, { attributes: true, attributeFilter: ["data-save"] });
    }""")
    app.evaluate("window.quire.ui.upkeep.tick(true)")
    app.wait_for_function(
        """async (id) => (await globalThis.quire.engine.call("versions.list", {artifact_id: id})).length === 2""",
        arg=doc["id"], polling=500, timeout=30_000)
    app.wait_for_function("() => !window.quire.ui.upkeep.running", polling=100, timeout=30_000)
    status = engine_call(app, "care.status")
    assert status["last_check"]["ok"] and "cleanup" not in status["due"]
    assert app.evaluate("window.__saveStates") == ["saved"]


def test_compaction_shrinks_the_stored_workspace_and_survives_a_reload(app: Page) -> None:
    kept = engine_call(app, "artifacts.create", {"path": "/kept.md", "content": "still here"})
    ids = [engine_call(app, "artifacts.create", {"path": f"/big/{i}.md", "content": f"{i} " + "filler text " * 9000})["id"]
           for i in range(20)]
    for i in ids:
        engine_call(app, "artifacts.delete", {"id": i})
    engine_call(app, "trash.empty")
    before = engine_call(app, "care.breakdown")
    assert before["free_bytes"] > 1_000_000
    app.get_by_role("button", name="Storage").click()
    app.get_by_role("dialog").get_by_role("button", name="Compact").click()
    expect(app.get_by_role("status").first).to_contain_text("Compacted:", timeout=60_000)
    after = engine_call(app, "care.breakdown")
    assert after["free_bytes"] == 0 and after["file_bytes"] < before["file_bytes"] - 1_000_000
    wait_saved_and_idle(app)
    app.reload(wait_until="domcontentloaded")
    wait_ready(app)
    restored = engine_call(app, "care.breakdown")
    assert restored["file_bytes"] == after["file_bytes"]
    assert engine_call(app, "care.check")["ok"]
    assert engine_call(app, "artifacts.get", {"id": kept["id"]})["text"] == "still here"
