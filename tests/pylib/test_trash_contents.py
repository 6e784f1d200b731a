"""A trashed folder lists its documents, and each comes back on its own (pylib.trash_contents)."""

import pytest

from pylib import activity, artifacts, db, folders, trash, trash_contents
from pylib.errors import NotFound
from pylib.links import queries


@pytest.fixture
def ws():
    workspace = db.open_workspace(":memory:")
    yield workspace
    workspace.close()


def _live(ws):
    return sorted(p for (p,) in ws.conn.execute(
        "SELECT path FROM artifacts WHERE deleted_at IS NULL"))


def test_one_note_of_a_trashed_folder_comes_back_alone(ws):
    folders.create(ws, "/Work/Deep")
    plan = artifacts.create(ws, "/Work/Deep/Plan.md", "# Plan")
    artifacts.create(ws, "/Work/Notes.md", "notes")
    src = artifacts.create(ws, "/src.md", "See [[Plan]].")
    trash.trash_folder(ws, "/Work")
    [unit] = trash.list_items(ws)
    inside = trash_contents.contents(ws, unit.id)
    assert [d["path"] for d in inside] == ["/Work/Deep/Plan.md", "/Work/Notes.md"]
    got = trash_contents.restore_one(ws, plan.id)
    assert got == {"restored": 1, "path": "/Work/Deep/Plan.md"}
    assert _live(ws) == ["/Work/Deep/Plan.md", "/src.md"]
    assert folders.folder_exists(ws, "/Work/Deep")
    # The rest stays in the trash, one unit smaller; the link to the note works again.
    [unit] = trash.list_items(ws)
    assert [d["path"] for d in trash_contents.contents(ws, unit.id)] == ["/Work/Notes.md"]
    assert [r["source"]["id"] for r in queries.backlinks(ws.conn, plan.id)] == [src.id]
    assert activity.list_actions(ws, limit=1).items[0].sentence == "Restored Plan.md from the trash"
    # Restoring the rest later: the folder's path is taken now, so it comes back beside it.
    back = trash.restore(ws, unit.id)
    assert back["path"] == "/Work (restored)"
    assert "/Work (restored)/Notes.md" in _live(ws)


def test_a_taken_path_gets_a_restored_name_and_a_single_document_unit_is_removed(ws):
    note = artifacts.create(ws, "/a.md", "old")
    trash.trash_artifact(ws, note.id)
    artifacts.create(ws, "/a.md", "new")
    assert trash_contents.restore_one(ws, note.id)["path"] == "/a (restored).md"
    assert trash.list_items(ws) == []


def test_errors_leave_everything_as_it_was(ws):
    note = artifacts.create(ws, "/a.md", "x")
    with pytest.raises(NotFound):
        trash_contents.restore_one(ws, note.id)  # not in the trash
    with pytest.raises(NotFound):
        trash_contents.contents(ws, "nope")
    assert _live(ws) == ["/a.md"]
