"""The server's copy of the vector index (Qdrant through the proxy): what to send, what to
delete, and recording what the server acknowledged.

The queue is a difference, not a log: ``remote_vectors`` holds what the server acknowledged;
:func:`outbox` compares it with the live documents' embedded chunks, so an edit, a delete, an
emptied trash or a long time offline all come out as the right upserts and deletes the next
time the page is online, and nothing sent before an acknowledgement is ever forgotten. A
point carries only the document's id and the chunk number (no text leaves the device).
"""

from __future__ import annotations

from typing import Any

from pylib.db import Workspace
from pylib.semantic.store import unpack

_WANTED = ("SELECT c.artifact_id, c.chunk_no, c.chunk_id, v.vector, v.scale FROM embedding_chunks c"
           " JOIN embedding_vectors v ON v.chunk_id = c.chunk_id"
           " JOIN artifacts a ON a.id = c.artifact_id"
           " JOIN embedding_docs d ON d.artifact_id = a.id AND d.hash = coalesce(a.hash, '')"
           " WHERE a.deleted_at IS NULL")


def point_id(artifact_id: str, chunk: int) -> str:
    """The client id of one chunk's point (the server derives its own id from user and this)."""
    return f"{artifact_id}:{chunk}"


def outbox(ws: Workspace, limit: int = 64) -> dict[str, Any]:
    """``{upserts: [{id, artifact_id, chunk, chunk_id, vector: [384 floats]}], deletes:
    [artifact_id...], stale: [point id...], remaining}``: documents gone from the workspace
    (deleted, trashed) are deleted whole; chunks a document no longer has, by point id."""
    rows = ws.conn.execute(
        f"SELECT w.* FROM ({_WANTED}) w LEFT JOIN remote_vectors r"
        " ON r.artifact_id = w.artifact_id AND r.chunk_no = w.chunk_no"
        " WHERE r.chunk_id IS NOT w.chunk_id LIMIT ?", (limit,)).fetchall()
    upserts = [{"id": point_id(a, n), "artifact_id": a, "chunk": n, "chunk_id": cid,
                "vector": [x * scale for x in unpack(vector)]}
               for a, n, cid, vector, scale in rows]
    deletes = [a for (a,) in ws.conn.execute(
        "SELECT DISTINCT r.artifact_id FROM remote_vectors r LEFT JOIN artifacts a"
        " ON a.id = r.artifact_id WHERE a.id IS NULL OR a.deleted_at IS NOT NULL LIMIT ?", (limit,))]
    stale = [point_id(a, n) for a, n in ws.conn.execute(
        "SELECT r.artifact_id, r.chunk_no FROM remote_vectors r JOIN artifacts a ON a.id = r.artifact_id"
        " JOIN embedding_docs d ON d.artifact_id = a.id AND d.hash = coalesce(a.hash, '')"
        " WHERE a.deleted_at IS NULL AND r.chunk_no >= d.chunks LIMIT ?", (limit,))]
    return {"upserts": upserts, "deletes": deletes, "stale": stale,
            "remaining": len(upserts) + len(deletes) + len(stale)}


def acknowledge(ws: Workspace, upserted: list[dict[str, Any]], deleted: list[str],
                stale: list[str]) -> dict[str, int]:
    """Record what the server confirmed: ``upserted`` ``[{artifact_id, chunk, chunk_id}]``,
    ``deleted`` whole documents, ``stale`` point ids."""
    with ws.transaction():
        ws.conn.executemany("INSERT OR REPLACE INTO remote_vectors VALUES (?, ?, ?)",
                            [(u["artifact_id"], u["chunk"], u["chunk_id"]) for u in upserted])
        ws.conn.executemany("DELETE FROM remote_vectors WHERE artifact_id = ?", [(a,) for a in deleted])
        for pid in stale:
            artifact_id, _, chunk = pid.rpartition(":")
            ws.conn.execute("DELETE FROM remote_vectors WHERE artifact_id = ? AND chunk_no = ?",
                            (artifact_id, int(chunk)))
    return {"acknowledged": len(upserted) + len(deleted) + len(stale)}


def forget(ws: Workspace) -> dict[str, Any]:
    """The documents the server holds points of (to delete them all when the user turns the
    server-side index off); call :func:`acknowledge` with them once deleted."""
    return {"deletes": [a for (a,) in ws.conn.execute("SELECT DISTINCT artifact_id FROM remote_vectors")]}
