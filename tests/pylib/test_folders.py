"""Folders: create, rename and move rewrite every descendant path in one transaction."""

import pytest

from pylib import activity, artifacts, db, folders
from pylib.errors import Conflict, InvalidPath, NotFound


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def _paths(ws):
    tree = artifacts.list_tree(ws)
    return tree["folders"], [a["path"] for a in tree["artifacts"]]


def test_create_makes_parents_and_refuses_duplicates(tmp_path):
    ws = _ws(tmp_path)
    assert folders.create(ws, "/a/b/c/") == {"path": "/a/b/c"}
    assert folders.list_paths(ws) == ["/a", "/a/b", "/a/b/c"]
    with pytest.raises(Conflict):
        folders.create(ws, "/a/b")
    with pytest.raises(InvalidPath):
        folders.create(ws, "/")
    assert activity.list_actions(ws).items[0].payload["created"] == ["/a", "/a/b", "/a/b/c"]


def test_rename_rewrites_descendants(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/proj/x.md", "x")
    artifacts.create(ws, "/proj/sub/y.md", "y")
    artifacts.create(ws, "/project-other/z.md", "z")  # shares a prefix, must not move
    artifacts.create(ws, "/proj%/w.md", "w")  # LIKE wildcard in a name, must not move
    commits = ws.commits
    assert folders.rename(ws, "/proj", "work") == {"path": "/work"}
    assert ws.commits == commits + 1  # one transaction
    fs, arts = _paths(ws)
    assert fs == ["/proj%", "/project-other", "/work", "/work/sub"]
    assert arts == ["/proj%/w.md", "/project-other/z.md", "/work/sub/y.md", "/work/x.md"]
    names = dict(ws.conn.execute("SELECT path, name FROM folders WHERE deleted_at IS NULL"))
    assert names["/work"] == "work" and names["/work/sub"] == "sub"
    entry = activity.list_actions(ws).items[0]
    assert entry.action_type == "FOLDER_RENAME" and entry.payload["items"] == 4


def test_move_into_other_folder_and_root(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/a/doc.md", "d")
    folders.create(ws, "/b")
    assert folders.move(ws, "/a", "/b") == {"path": "/b/a"}
    assert _paths(ws) == (["/b", "/b/a"], ["/b/a/doc.md"])
    assert folders.move(ws, "/b/a", "/") == {"path": "/a"}
    assert _paths(ws) == (["/a", "/b"], ["/a/doc.md"])


def test_invalid_moves(tmp_path):
    ws = _ws(tmp_path)
    folders.create(ws, "/a/b")
    folders.create(ws, "/c/b")
    artifacts.create(ws, "/d/c", "a document named like a folder")
    with pytest.raises(InvalidPath):
        folders.move(ws, "/a", "/a/b")
    with pytest.raises(Conflict):
        folders.move(ws, "/a/b", "/c")
    with pytest.raises(Conflict):
        folders.move(ws, "/c", "/d")
    with pytest.raises(NotFound):
        folders.move(ws, "/a", "/missing")
    with pytest.raises(NotFound):
        folders.rename(ws, "/missing", "x")
    with pytest.raises(InvalidPath):
        folders.rename(ws, "/", "x")
    with pytest.raises(InvalidPath):
        folders.rename(ws, "/a", "x/y")
    assert folders.list_paths(ws) == ["/a", "/a/b", "/c", "/c/b", "/d"]


def test_renaming_to_same_name_is_a_no_op(tmp_path):
    ws = _ws(tmp_path)
    folders.create(ws, "/a")
    commits = ws.commits
    assert folders.rename(ws, "/a", "a") == {"path": "/a"}
    assert ws.commits == commits
