"""The action log for people: sentences, one document's entries, no entries that changed
nothing (pylib.activity_text through pylib.activity)."""

import pytest

from pylib import activity, activity_text, artifacts, db, folders, trash
from pylib.links import rewrite


@pytest.fixture
def ws():
    workspace = db.open_workspace(":memory:")
    yield workspace
    workspace.close()


def _sentences(ws, **kw):
    return [a.sentence for a in activity.list_actions(ws, **kw).items]


def test_each_action_reads_as_a_sentence(ws):
    folders.create(ws, "/Work")
    plan = artifacts.create(ws, "/Work/Plan.md", "x")
    artifacts.update(ws, plan.id, "y")
    artifacts.rename(ws, plan.id, "Roadmap.md")
    folders.create(ws, "/Archive")
    artifacts.move(ws, plan.id, "/Archive")
    trash.trash_artifact(ws, plan.id)
    [unit] = trash.list_items(ws)
    trash.restore(ws, unit.id)
    for i in range(4):
        trash.trash_artifact(ws, artifacts.create(ws, f"/t{i}.md", "x").id)
    trash.empty(ws)
    said = _sentences(ws)
    assert said[0] == "Emptied trash: 4 items"
    assert said[-8:] == [
        "Restored Roadmap.md from the trash", "Moved Roadmap.md to the trash",
        "Moved Roadmap.md from /Work to /Archive", "Created folder Archive",
        "Renamed Plan.md to Roadmap.md", "Edited Plan.md", "Created Plan.md",
        "Created folder Work"]
    assert not any("_" in s and s.isupper() for s in said)


def test_no_op_entries_are_left_out_and_paging_still_fills_pages(ws):
    folders.create(ws, "/Work")
    note = artifacts.create(ws, "/Work/a.md", "x")
    with ws.transaction():
        for _ in range(7):  # as an older engine logged them: a move to where it was
            activity.log(ws, "FOLDER_MOVE", {"from": "/Work", "to": "/Work", "items": 1})
        activity.log(ws, "LINKS_UPDATE", {"moved": [note.id], "notes": 0, "links": 0})
    page = activity.list_actions(ws, limit=1)
    assert [a.sentence for a in page.items] == ["Created a.md"]
    rest = activity.list_actions(ws, limit=1, before=page.next)
    assert [a.sentence for a in rest.items] == ["Created folder Work"] and rest.next is None


def test_a_trash_restore_to_its_own_place_is_not_a_move(ws):
    said = activity_text.describe("TRASH_RESTORE", {"from": "/Work", "to": "/Work", "items": 3})
    assert said["sentence"] == "Restored Work from the trash (3 items)"
    moved = activity_text.describe("TRASH_RESTORE", {"from": "/a.md", "to": "/a (restored).md"})
    assert moved["sentence"] == "Restored a.md from the trash as a (restored).md"


def test_one_documents_activity_includes_the_link_updates_of_its_rename(ws):
    plan = artifacts.create(ws, "/Plan.md", "x")
    other = artifacts.create(ws, "/src.md", "See [[Plan]].")
    rewrite.relocate(ws, [plan.id], lambda: artifacts.rename(ws, plan.id, "Roadmap.md"))
    mine = activity.list_actions(ws, artifact_id=plan.id).items
    assert [a.sentence for a in mine] == [
        "Updated 1 link in 1 note", "Renamed Plan.md to Roadmap.md", "Created Plan.md"]
    assert all(a.artifact_id in (plan.id, None) for a in mine)
    assert "Edited src.md" in _sentences(ws, artifact_id=other.id)


def test_unknown_and_broken_entries_still_read_as_words():
    assert activity_text.describe("SOMETHING_NEW", {})["sentence"] == "Something new"
    assert activity_text.describe("TRASH_EMPTY", "not an object")["sentence"] == "Emptied trash: 0 items"
    merged = activity_text.describe("WORKSPACE_IMPORT", {"mode": "merge", "conflicts": 2, "merged": {
        "artifacts_added": 3, "artifacts_updated": 1}})
    assert merged["sentence"] == "Merged a workspace file: 3 added, 1 updated, 2 conflicts"
