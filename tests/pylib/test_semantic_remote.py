"""The upload queue for the server's vector index: a difference between the local chunks and
what the server acknowledged, so edits, deletes, an emptied trash and time offline all come
out right, and nothing unacknowledged is forgotten (it also runs inside Pyodide)."""

from __future__ import annotations

import sys
from pathlib import Path

from pylib import artifacts, db, trash
from pylib.semantic import remote

sys.path.insert(0, str(Path(__file__).parent))  # the helpers of the module next to this one
from test_semantic import embed_all  # noqa: E402


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def _ack_all(ws):
    box = remote.outbox(ws, 500)
    remote.acknowledge(ws, [{k: u[k] for k in ("artifact_id", "chunk", "chunk_id")} for u in box["upserts"]],
                       box["deletes"], box["stale"])
    return box


def test_upserts_carry_only_ids_and_vectors_until_acknowledged(tmp_path):
    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/secret.md", "# Plan\nthe secret launch date\n# Budget\nten thousand")
    embed_all(ws)
    box = remote.outbox(ws)
    assert {(u["id"], u["chunk"]) for u in box["upserts"]} == {(f"{doc.id}:0", 0), (f"{doc.id}:1", 1)}
    assert all(set(u) == {"id", "artifact_id", "chunk", "chunk_id", "vector"} for u in box["upserts"])
    assert all(len(u["vector"]) == 384 and abs(sum(x * x for x in u["vector"]) - 1) < 0.02
               for u in box["upserts"])
    assert remote.outbox(ws)["remaining"] == 2  # not acknowledged: still queued (a reload keeps it)
    _ack_all(ws)
    assert remote.outbox(ws)["remaining"] == 0


def test_edits_deletes_and_trash_become_the_right_operations(tmp_path):
    ws = _ws(tmp_path)
    a = artifacts.create(ws, "/a.md", "# One\nfirst\n# Two\nsecond")
    b = artifacts.create(ws, "/b.md", "bee")
    embed_all(ws)
    _ack_all(ws)
    artifacts.update(ws, a.id, "# One\nfirst, changed")
    embed_all(ws)
    box = remote.outbox(ws)
    assert [u["id"] for u in box["upserts"]] == [f"{a.id}:0"] and box["stale"] == [f"{a.id}:1"]
    _ack_all(ws)
    trash.trash_artifact(ws, b.id)
    assert remote.outbox(ws)["deletes"] == [b.id]
    _ack_all(ws)
    assert remote.outbox(ws)["remaining"] == 0
    assert remote.forget(ws)["deletes"] == [a.id]
