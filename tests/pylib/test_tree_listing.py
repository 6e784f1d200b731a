"""tree.list as JSON text built by SQLite: the same listing, value for value, as Python built it.

The reference below is the listing as the engine built it before SQLite did (row tuples to
dicts in Python); every test compares the JSON text, parsed, with it: keys, key order, types,
row order and values.
"""

import json
import random

import pytest

from pylib import api, artifacts, db, errors, folders, trash, rpc
from pylib.content import INLINE_LIMIT
from pylib.jsontext import JSONText
from pylib.models import ArtifactSummary


def _reference(ws):
    pending = {a for (a,) in ws.conn.execute("SELECT artifact_id FROM pending_uploads")}
    rows = ws.conn.execute(
        "SELECT id, path, name, mime_type, kind, size_bytes, hash, created_at, updated_at"
        " FROM artifacts WHERE deleted_at IS NULL ORDER BY path")
    listed = [
        {"id": r[0], "path": r[1], "name": r[2], "folder": r[1][: r[1].rfind("/")] or "/",
         "mime_type": r[3], "kind": r[4], "size_bytes": r[5] or 0, "hash": r[6],
         "created_at": r[7], "updated_at": r[8], "pending_upload": r[0] in pending}
        for r in rows
    ]
    return {"folders": folders.list_paths(ws), "artifacts": listed}


def _same(ws):
    """The JSON listing equals the reference exactly, types and key order included."""
    text = artifacts.tree_json(ws).text
    parsed = json.loads(text)
    expected = _reference(ws)
    assert parsed == expected
    assert list(parsed) == ["folders", "artifacts"]
    for got, want in zip(parsed["artifacts"], expected["artifacts"]):
        assert list(got) == list(want)
        assert [type(v) for v in got.values()] == [type(v) for v in want.values()]
        ArtifactSummary.model_validate(got)
    return parsed


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def test_empty_workspace(tmp_path):
    ws = _ws(tmp_path)
    assert artifacts.tree_json(ws).text == '{"folders":[],"artifacts":[]}'
    assert _same(ws) == {"folders": [], "artifacts": []}


def test_folders_documents_and_pending_uploads(tmp_path):
    ws = _ws(tmp_path)
    folders.create(ws, "/empty/inner")
    artifacts.create(ws, "/top.md", "# top")
    artifacts.create(ws, "/a/b/deep.txt", "deep")
    big = artifacts.upload(ws, "/files/big.bin", bytes(INLINE_LIMIT + 1))
    small = artifacts.upload(ws, "/files/small.bin", b"\x00\x01")
    parsed = _same(ws)
    assert parsed["folders"] == ["/a", "/a/b", "/empty", "/empty/inner", "/files"]
    flags = {a["path"]: a["pending_upload"] for a in parsed["artifacts"]}
    assert flags == {"/a/b/deep.txt": False, "/files/big.bin": True,
                     "/files/small.bin": False, "/top.md": False}
    by_id = {a["id"]: a for a in parsed["artifacts"]}
    assert by_id[big.id]["size_bytes"] == INLINE_LIMIT + 1
    assert by_id[big.id]["folder"] == "/files"
    assert by_id[small.id]["kind"] == "other"
    assert [a["folder"] for a in parsed["artifacts"]] == ["/a/b", "/files", "/files", "/"]


def test_unicode_and_quotes_in_names(tmp_path):
    ws = _ws(tmp_path)
    names = ['say "hi".md', "it's.md", "Café ☕.md", "日本語のノート.txt", "🎉 party.md",
             "line\u2028sep.md", "tab-free {json}: [1, 2].md", "a\u00a0b.md", "<script>.md"]
    for i, name in enumerate(names):
        artifacts.create(ws, f"/Ünïcode \"dir\"/{i} {name}", name)
    artifacts.create(ws, "/Ünïcode \"dir\"/sub'q/x.md", "x")
    parsed = _same(ws)
    assert {a["name"] for a in parsed["artifacts"]} >= {f"0 {names[0]}", f"4 {names[4]}"}
    assert parsed["folders"] == ['/Ünïcode "dir"', "/Ünïcode \"dir\"/sub'q"]


def test_trashed_items_are_not_listed(tmp_path):
    ws = _ws(tmp_path)
    gone = artifacts.create(ws, "/keep/gone.md", "x")
    artifacts.create(ws, "/keep/stay.md", "y")
    artifacts.create(ws, "/drop/inside.md", "z")
    artifacts.upload(ws, "/drop/big.bin", bytes(INLINE_LIMIT + 1))
    trash.trash_artifact(ws, gone.id)
    trash.trash_folder(ws, "/drop")
    parsed = _same(ws)
    assert parsed["folders"] == ["/keep"]
    assert [a["path"] for a in parsed["artifacts"]] == ["/keep/stay.md"]


def test_order_is_path_order_not_insertion_order(tmp_path):
    ws = _ws(tmp_path)
    paths = [f"/f{i % 7}/n-{i:03d}.md" for i in range(150)] + ["/Z.md", "/a.md", "/_.md", "/é.md"]
    random.Random(3).shuffle(paths)
    with ws.transaction():
        for path in paths:
            artifacts.create(ws, path, path)
    parsed = _same(ws)
    listed = [a["path"] for a in parsed["artifacts"]]
    assert listed == sorted(paths, key=lambda p: p.encode())  # SQLite's BINARY order


def test_rows_from_old_files_are_listed_as_before(tmp_path):
    """Rows the engine would not write (imported from old files): NULL size, type and hash,
    a name that is not the path's last segment, paths without or ending in "/"."""
    ws = _ws(tmp_path)
    odd = {p: artifacts.create(ws, p, "x").id for p in
           ("/a/b.md", "/c/d.md", "/e/f.md", "/g/h.md", "/i/j.md", "/k.md")}
    with ws.transaction():
        update = "UPDATE artifacts SET path = ?, name = ?, mime_type = NULL, size_bytes = NULL," \
                 " hash = NULL WHERE id = ?"
        ws.conn.execute(update, ("/a/b.md", "other.md", odd["/a/b.md"]))
        ws.conn.execute(update, ("/c/d/e.md", "d/e.md", odd["/c/d.md"]))
        ws.conn.execute(update, ("plain.md", "plain.md", odd["/e/f.md"]))
        ws.conn.execute(update, ("/g/", "", odd["/g/h.md"]))
        ws.conn.execute(update, ("/i//j", "j", odd["/i/j.md"]))
        ws.conn.execute(update, ("", "", odd["/k.md"]))
    parsed = _same(ws)
    folder = {a["id"]: a["folder"] for a in parsed["artifacts"]}
    assert folder[odd["/a/b.md"]] == "/a" and folder[odd["/c/d.md"]] == "/c/d"
    assert folder[odd["/e/f.md"]] == "plain.m" and folder[odd["/g/h.md"]] == "/g"
    assert folder[odd["/i/j.md"]] == "/i/" and folder[odd["/k.md"]] == "/"
    assert {a["size_bytes"] for a in parsed["artifacts"]} == {0}


def test_dispatch_parses_or_passes_the_json_through(tmp_path):
    api.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    try:
        api.dispatch("artifacts.create", {"path": "/n/a.md", "content": "a"})
        raw = api.dispatch("tree.list", json_text=True)
        assert isinstance(raw, JSONText)
        assert api.dispatch("tree.list") == json.loads(raw.text) == _reference(api.current())
        reply = rpc.answer({"id": 1, "method": "tree.list"})
        assert reply == {"id": 1, "ok": True, "result_json": raw.text}
        # Other results are untouched by json_text: plain data, bytes stay bytes.
        exported = api.dispatch("transfer.export", json_text=True)
        assert isinstance(exported["data"], bytes) and exported["data"][:6] == b"SQLite"
        info = api.dispatch("workspace.info", json_text=True)
        assert isinstance(info, dict) and info["artifact_count"] == 1
        with pytest.raises(errors.InvalidParams):
            api.dispatch("tree.list", {"unexpected": 1}, json_text=True)
    finally:
        api.close_workspace()


def test_no_workspace_is_still_an_error(tmp_path):
    api.close_workspace()
    with pytest.raises(errors.NoWorkspace):
        api.dispatch("tree.list", json_text=True)
