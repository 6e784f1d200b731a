"""Trash: delete, restore (to the original path or beside it), empty."""

import pytest

from pylib import activity, artifacts, citations, db, folders, trash, versions
from pylib.errors import NotFound


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def _live(ws):
    tree = artifacts.list_tree(ws)
    return tree["folders"], [a["path"] for a in tree["artifacts"]]


def test_delete_and_restore_artifact(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/notes/ideas.md", "hello")
    assert trash.trash_artifact(ws, art.id) == {"trashed": 1}
    assert _live(ws) == (["/notes"], [])
    [item] = trash.list_items(ws)
    assert item.kind == "artifact" and item.path == "/notes/ideas.md" and item.item_count == 1
    assert item.size_bytes == 5
    assert trash.restore(ws, item.id) == {"restored": 1, "path": "/notes/ideas.md"}
    assert artifacts.get(ws, art.id).text == "hello"
    assert trash.list_items(ws) == []
    types = [a.action_type for a in activity.list_actions(ws).items]
    assert types[:2] == ["TRASH_RESTORE", "ARTIFACT_DELETE"]
    with pytest.raises(NotFound):
        trash.restore(ws, item.id)


def test_restore_to_a_taken_path_picks_a_free_name(tmp_path):
    ws = _ws(tmp_path)
    old = artifacts.create(ws, "/notes/ideas.md", "old")
    trash.trash_artifact(ws, old.id)
    artifacts.create(ws, "/notes/ideas.md", "new")
    [item] = trash.list_items(ws)
    result = trash.restore(ws, item.id)
    assert result["path"] == "/notes/ideas (restored).md"
    restored = artifacts.get(ws, old.id)
    assert restored.name == "ideas (restored).md" and restored.text == "old"


def test_restore_recreates_missing_parent_folders(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/a/b/doc.md", "x")
    trash.trash_artifact(ws, art.id)
    trash.trash_folder(ws, "/a")
    doc_unit = [i for i in trash.list_items(ws) if i.kind == "artifact"][0]
    trash.restore(ws, doc_unit.id)
    assert _live(ws) == (["/a", "/a/b"], ["/a/b/doc.md"])
    folder_unit = trash.list_items(ws)[0]
    assert trash.restore(ws, folder_unit.id)["path"] == "/a (restored)"
    assert _live(ws)[0] == ["/a", "/a (restored)", "/a (restored)/b", "/a/b"]


def test_folder_delete_is_one_restorable_unit(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/p/x.md", "x")
    artifacts.create(ws, "/p/sub/y.md", "yy")
    folders.create(ws, "/p/empty")
    artifacts.create(ws, "/keep.md", "k")
    commits = ws.commits
    assert trash.trash_folder(ws, "/p") == {"trashed": 5}
    assert ws.commits == commits + 1
    assert _live(ws) == ([], ["/keep.md"])
    [unit] = trash.list_items(ws)
    assert unit.kind == "folder" and unit.item_count == 5 and unit.size_bytes == 3
    folders.create(ws, "/p")  # the name is free again while the old one is in the trash
    assert trash.restore(ws, unit.id) == {"restored": 5, "path": "/p (restored)"}
    assert _live(ws) == (
        ["/p", "/p (restored)", "/p (restored)/empty", "/p (restored)/sub"],
        ["/keep.md", "/p (restored)/sub/y.md", "/p (restored)/x.md"],
    )


def test_empty_deletes_for_good_with_versions(tmp_path):
    ws = _ws(tmp_path)
    a = artifacts.create(ws, "/a.md", "1")
    artifacts.update(ws, a.id, "2")
    artifacts.create(ws, "/f/b.md", "b")
    keep = artifacts.create(ws, "/keep.md", "k")
    trash.trash_artifact(ws, a.id)
    trash.trash_folder(ws, "/f")
    assert trash.empty(ws) == {"deleted": 3}
    assert trash.list_items(ws) == []
    count = ws.conn.execute("SELECT count(*) FROM artifacts").fetchone()[0]
    assert count == 1
    assert ws.conn.execute("SELECT count(*) FROM artifact_versions").fetchone()[0] == 1
    assert versions.count(ws, keep.id) == 1
    assert activity.list_actions(ws).items[0].action_type == "TRASH_EMPTY"
    commits = ws.commits
    assert trash.empty(ws) == {"deleted": 0}
    assert ws.commits == commits


def test_empty_keeps_a_tombstone_for_cited_artifacts(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/source.md", "cited text")
    citations.record(ws, art.id, "run-1", 0.8)
    trash.trash_artifact(ws, art.id)
    trash.empty(ws)
    assert trash.list_items(ws) == []
    row = ws.conn.execute(
        "SELECT content, size_bytes, metadata FROM artifacts WHERE id = ?", (art.id,)).fetchone()
    assert row == (None, 0, '{"purged": true}')
    assert [c.source_artifact_id for c in citations.list_by_run(ws, "run-1")] == [art.id]
    assert ws.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert ws.conn.execute("SELECT count(*) FROM artifact_versions").fetchone()[0] == 0


def test_deleting_missing_things_is_not_found(tmp_path):
    ws = _ws(tmp_path)
    with pytest.raises(NotFound):
        trash.trash_artifact(ws, "missing")
    with pytest.raises(NotFound):
        trash.trash_folder(ws, "/missing")
    with pytest.raises(NotFound):
        trash.trash_folder(ws, "/")
