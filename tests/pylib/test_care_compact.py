"""Compaction returns free pages; the breakdown adds up; care.* through the API."""

import os
import sqlite3
import sys

import pytest

from pylib import api, artifacts, db, trash
from pylib.care import compact, integrity, usage
from pylib.errors import InvalidParams


def _big_then_gone(ws, n=40):
    # Random text: it takes its full size whether or not the text is stored packed.
    ids = [artifacts.create(ws, f"/big/n{i}.md", f"{i} " + os.urandom(60_000).hex()).id
           for i in range(n)]
    for i in ids:
        trash.trash_artifact(ws, i)
    trash.empty(ws)


def _compact_all(ws):
    steps = 0
    while True:
        step = compact.compact_step(ws, pages=200)
        steps += 1
        if step["done"]:
            return step, steps


def test_new_workspace_returns_free_pages_in_steps(tmp_path):
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    assert ws.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == compact.INCREMENTAL
    keep = artifacts.create(ws, "/keep.md", "kept text")
    _big_then_gone(ws)
    before = os.path.getsize(ws.path)
    assert compact.free_share(ws) > 0.5
    last, steps = _compact_all(ws)
    assert steps > 1 and not last["vacuumed"]
    assert os.path.getsize(ws.path) < before / 3
    assert artifacts.get(ws, keep.id).text == "kept text"
    assert integrity.check(ws)["ok"]


def test_an_old_workspace_is_converted_once(tmp_path):
    path = str(tmp_path / "old.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA auto_vacuum = NONE")
    conn.execute("CREATE TABLE scratch (x)")
    conn.execute("DROP TABLE scratch")
    conn.close()
    # A workspace file that predates the setting: not empty, so the setting cannot apply.
    ws = db.open_workspace(path, synchronous="OFF")
    assert ws.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    _big_then_gone(ws, 10)
    first = compact.compact_step(ws)
    assert first["vacuumed"] and first["after_bytes"] < first["before_bytes"]
    assert ws.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == compact.INCREMENTAL
    assert integrity.check(ws)["ok"]


def test_compaction_refuses_inside_a_transaction(tmp_path):
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    with ws.transaction():
        with pytest.raises(Exception) as err:
            compact.compact_step(ws)
    assert err.value.code == "invalid_state"


def test_breakdown_parts_and_folders(tmp_path):
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    a = artifacts.create(ws, "/notes/a.md", "a" * 1000)
    artifacts.update(ws, a.id, "a" * 1000 + "b")
    artifacts.upload(ws, "/pics/p.png", b"\x89PNG" + b"\x00" * 500)
    gone = artifacts.create(ws, "/t.md", "t" * 300)
    trash.trash_artifact(ws, gone.id)
    out = usage.breakdown(ws)
    parts = {p["part"]: p for p in out["parts"]}
    # Bytes as stored: the documents' text is packed (pylib.textstore), the PNG is not.
    def stored(artifact_id):
        return ws.conn.execute("SELECT length(content) FROM artifacts WHERE id = ?",
                               (artifact_id,)).fetchone()[0]
    assert stored(a.id) < 100
    assert parts["documents"]["bytes"] == stored(a.id) and parts["documents"]["count"] == 1
    assert parts["files"]["bytes"] == 504 and parts["files"]["count"] == 1
    assert parts["trash"]["count"] == 1 and parts["trash"]["bytes"] >= stored(gone.id) + 300
    assert parts["versions"]["count"] == 3 and parts["search_index"]["bytes"] > 0
    folders = {f["folder"]: f for f in out["folders"]}
    assert set(folders) == {"/notes", "/pics"} and folders["/notes"]["versions"] == 2
    assert out["file_bytes"] == os.path.getsize(ws.path)
    assert sum(p["bytes"] for p in out["parts"]) < out["file_bytes"]


def test_care_through_the_api(tmp_path):
    api.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    try:
        doc = api.dispatch("artifacts.create", {"path": "/a.md", "content": "one"})
        for text in ("two", "three", "four"):
            api.dispatch("artifacts.update", {"id": doc["id"], "content": text})
        preview = api.dispatch("care.preview", {"versions": "last", "keep_last": 2})
        assert preview["versions"] == 2
        assert api.dispatch("care.preview", {})["versions"] == 0  # nothing saved yet
        with pytest.raises(InvalidParams):
            api.dispatch("care.set_retention", {"keep_days": 0})
        api.dispatch("care.set_retention", {"versions": "last", "keep_last": 2})
        step = api.dispatch("care.cleanup", {})
        while not step["done"]:
            step = api.dispatch("care.cleanup", {"cursor": step["cursor"]})
        assert len(api.dispatch("versions.list", {"artifact_id": doc["id"]})) == 2
        status = api.dispatch("care.status", {})
        assert status["last_cleanup"]["at"] > 0 and "cleanup" not in status["due"]
        assert status["description"] == "Each document keeps its 2 newest versions."
    finally:
        api.close_workspace()


_COMPACT_FOREVER = """
import sys
from pylib import db
from pylib.care import compact
ws = db.open_workspace(sys.argv[1])
print("compacting", flush=True)
while not compact.compact_step(ws, pages=8)["done"]:
    pass
print("done", flush=True)
"""


@pytest.mark.skipif(sys.platform == "emscripten", reason="needs a process to kill")
@pytest.mark.parametrize("after_ms", [5, 40, 120])
def test_a_crash_mid_compaction_leaves_the_last_committed_workspace(tmp_path, after_ms):
    """The process compacting is killed (SIGKILL) part-way: the file opens, passes every
    check, and holds exactly what was committed before."""
    import subprocess
    import time

    path = str(tmp_path / "w.sqlite")
    ws = db.open_workspace(path)
    kept = {artifacts.create(ws, f"/keep/{i}.md", f"kept {i} " + os.urandom(3000).hex()).id: i
            for i in range(20)}
    _big_then_gone(ws, n=60)
    texts = {i: artifacts.get(ws, i).text for i in kept}
    ws.close()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child = subprocess.Popen([sys.executable, "-c", _COMPACT_FOREVER, path], cwd=root,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "compacting"
    time.sleep(after_ms / 1000)
    child.kill()
    child.wait()
    ws = db.open_workspace(path)
    try:
        assert compact.free_share(ws) > 0  # killed part-way, not after the end
        assert integrity.check(ws, record=False)["ok"]
        assert {i: artifacts.get(ws, i).text for i in kept} == texts
        _compact_all(ws)  # and compaction finishes afterwards
        assert compact.free_share(ws) == 0
    finally:
        ws.close()
