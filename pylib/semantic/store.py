"""The local vector index: which chunks need embedding, storing their vectors, progress.

Chunking is lazy and incremental: a document is (re)chunked only when its content hash differs
from the one recorded in ``embedding_docs``, at the moment chunks are asked for
(:func:`pending`), so saving a document costs nothing here. Vectors are keyed by chunk
identity (:func:`pylib.semantic.chunks.chunk_id`): an unchanged chunk — in this document, in a
copy of it, or after an import — is never embedded again. Each call does a bounded amount of
work, so indexing a large workspace is a series of short calls that can stop and resume at any
point (a reload continues where the last committed call ended).
"""

from __future__ import annotations

import math
import struct
from typing import Any

from pylib import textstore
from pylib.content import DOCUMENT_KINDS, as_text
from pylib.db import Workspace
from pylib.errors import InvalidParams
from pylib.semantic.chunks import MODEL_ID, chunk_id, chunk_spans

DIMS = 384
# Documents chunked per call: bounds the time of one call (a 10 MB document is one call).
DOCS_PER_CALL = 20
_KINDS = tuple(sorted(DOCUMENT_KINDS))
_LIVE_DOCS = (f"FROM artifacts a WHERE a.deleted_at IS NULL AND a.content IS NOT NULL"
              f" AND a.kind IN ({', '.join('?' for _ in _KINDS)})")
_STALE = (f"SELECT a.id, a.name, {textstore.column('a.')}, a.hash " + _LIVE_DOCS
          + " AND NOT EXISTS (SELECT 1 FROM embedding_docs d"
            " WHERE d.artifact_id = a.id AND d.hash = coalesce(a.hash, ''))"
          " ORDER BY a.updated_at DESC LIMIT ?")


def _forget_gone(ws: Workspace) -> None:
    """Chunk rows of documents that were purged (trashed ones keep theirs: restore is free)."""
    ws.conn.execute("DELETE FROM embedding_docs WHERE artifact_id NOT IN (SELECT id FROM artifacts)")
    ws.conn.execute("DELETE FROM embedding_chunks WHERE artifact_id NOT IN (SELECT id FROM artifacts)")


def _rechunk(ws: Workspace, artifact_id: str, name: str, data: Any, content_hash: str | None) -> None:
    text = as_text(data) or ""
    ws.conn.execute("DELETE FROM embedding_chunks WHERE artifact_id = ?", (artifact_id,))
    count = 0
    batch: list[tuple[Any, ...]] = []
    for chunk in chunk_spans(name, text):
        batch.append((artifact_id, chunk.number, chunk_id(chunk.text(text)), chunk.section,
                      chunk.start, chunk.end))
        count += 1
        if len(batch) >= 500:  # bounded memory for a 10 MB document
            ws.conn.executemany("INSERT INTO embedding_chunks VALUES (?, ?, ?, ?, ?, ?)", batch)
            batch.clear()
    ws.conn.executemany("INSERT INTO embedding_chunks VALUES (?, ?, ?, ?, ?, ?)", batch)
    ws.conn.execute("INSERT OR REPLACE INTO embedding_docs VALUES (?, ?, ?)",
                    (artifact_id, content_hash or "", count))


def refresh(ws: Workspace, max_docs: int = DOCS_PER_CALL) -> int:
    """Rechunk up to ``max_docs`` documents whose text changed; returns how many."""
    with ws.transaction():
        _forget_gone(ws)
        stale = ws.conn.execute(_STALE, (*_KINDS, max_docs)).fetchall()
        for artifact_id, name, data, content_hash in stale:
            _rechunk(ws, artifact_id, name, data, content_hash)
    return len(stale)


def pending(ws: Workspace, limit: int = 64) -> dict[str, Any]:
    """Up to ``limit`` chunks of live documents that have no vector yet (documents that
    changed are rechunked first, a few per call): ``{model, chunks: [{id, artifact_id, chunk,
    text}], progress}``. An empty list with ``progress.done`` true means the index is complete."""
    refresh(ws)
    # The content is read once per document below, never per chunk row (a 10 MB document
    # has thousands of chunks).
    rows = ws.conn.execute(
        "SELECT c.chunk_id, c.artifact_id, c.chunk_no, c.section, c.start, c.end"
        " FROM embedding_chunks c JOIN artifacts a ON a.id = c.artifact_id"
        " WHERE a.deleted_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM embedding_vectors v WHERE v.chunk_id = c.chunk_id)"
        " ORDER BY a.updated_at DESC, c.artifact_id, c.chunk_no LIMIT ?",
        (limit,)).fetchall()
    texts: dict[str, str] = {}
    chunks, seen = [], set()
    for cid, artifact_id, number, section, start, end in rows:
        if cid in seen:
            continue  # the same text twice: one vector serves both
        seen.add(cid)
        if artifact_id not in texts:
            data = ws.conn.execute(f"SELECT {textstore.column()} FROM artifacts WHERE id = ?",
                                   (artifact_id,)).fetchone()[0]
            texts[artifact_id] = as_text(data) or ""
        body = texts[artifact_id][start:end].strip()
        chunks.append({"id": cid, "artifact_id": artifact_id, "chunk": number,
                       "text": f"{section}\n{body}" if body else section})
    return {"model": MODEL_ID, "chunks": chunks, "progress": progress(ws)}


def _check_vector(item: dict[str, Any]) -> tuple[str, bytes, float]:
    vector, scale = item.get("vector"), item.get("scale")
    cid = item.get("id")
    if not isinstance(cid, str) or len(cid) != 64:
        raise InvalidParams("Each vector needs the 64-character `id` of its chunk.")
    if not isinstance(vector, (bytes, bytearray, memoryview)) or len(vector) != DIMS:
        raise InvalidParams(f"Each vector must be {DIMS} int8 bytes.")
    if not isinstance(scale, (int, float)) or not math.isfinite(scale) or not 0 < scale <= 1:
        raise InvalidParams("Each vector's `scale` must be a number in (0, 1].")
    return cid, bytes(vector), float(scale)


def store(ws: Workspace, model: str, vectors: list[dict[str, Any]]) -> dict[str, Any]:
    """Keep these chunk vectors (``{id, vector: 384 int8 bytes, scale}``); all or none.
    Returns the progress."""
    if model != MODEL_ID:
        raise InvalidParams(f"Vectors of model {model[:60]!r} do not belong in this index ({MODEL_ID}).")
    rows = [(cid, MODEL_ID, vector, scale) for cid, vector, scale in map(_check_vector, vectors)]
    with ws.transaction():
        ws.conn.executemany("INSERT OR REPLACE INTO embedding_vectors VALUES (?, ?, ?, ?)", rows)
    return progress(ws)


def progress(ws: Workspace) -> dict[str, Any]:
    """``{documents, indexed, chunks, embedded, done}``: live documents and how many have
    every chunk embedded; their chunks and how many have a vector."""
    documents = ws.conn.execute("SELECT count(*) " + _LIVE_DOCS, _KINDS).fetchone()[0]
    chunks, embedded, ready = ws.conn.execute(
        "SELECT coalesce(sum(n), 0), coalesce(sum(done), 0), count(CASE WHEN n = done THEN 1 END)"
        " FROM (SELECT count(*) AS n, count(v.chunk_id) AS done"
        "  FROM embedding_chunks c JOIN artifacts a ON a.id = c.artifact_id"
        "  JOIN embedding_docs d ON d.artifact_id = a.id AND d.hash = coalesce(a.hash, '')"
        "  LEFT JOIN embedding_vectors v ON v.chunk_id = c.chunk_id"
        "  WHERE a.deleted_at IS NULL GROUP BY c.artifact_id)").fetchone()
    return {"documents": documents, "indexed": min(ready, documents), "chunks": chunks,
            "embedded": embedded, "done": ready >= documents}


def unpack(vector: bytes) -> tuple[int, ...]:
    """The int8 components of a stored vector."""
    return struct.unpack(f"{DIMS}b", vector)


def vectors_page(ws: Workspace, after: str | None = None, limit: int = 2000) -> dict[str, Any]:
    """The live documents' chunk vectors, for loading the worker's index page by page:
    ``{items: [{artifact_id, chunk, scale}], data: <len(items) * 384 int8 bytes>, next}``;
    pass ``next`` back as ``after`` until it is ``None``. ``artifact_ids`` limits it to
    those documents (after an edit)."""
    start_id, start_no = ("", -1)
    if after:
        start_id, _, number = after.rpartition("\0")
        start_no = int(number) if number.lstrip("-").isdigit() else -1
    rows = ws.conn.execute(
        "SELECT c.artifact_id, c.chunk_no, v.scale, v.vector FROM embedding_chunks c"
        " JOIN embedding_vectors v ON v.chunk_id = c.chunk_id"
        " JOIN artifacts a ON a.id = c.artifact_id"
        " WHERE a.deleted_at IS NULL AND (c.artifact_id, c.chunk_no) > (?, ?)"
        " ORDER BY c.artifact_id, c.chunk_no LIMIT ?", (start_id, start_no, limit + 1)).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [{"artifact_id": a, "chunk": n, "scale": s} for a, n, s, _ in rows],
            "data": b"".join(r[3] for r in rows),
            "next": f"{rows[-1][0]}\0{rows[-1][1]}" if more else None}


def document_vectors(ws: Workspace, artifact_id: str) -> dict[str, Any]:
    """One document's chunk vectors (the same shape as :func:`vectors_page`, ``next`` None)."""
    rows = ws.conn.execute(
        "SELECT c.chunk_no, v.scale, v.vector FROM embedding_chunks c"
        " JOIN embedding_vectors v ON v.chunk_id = c.chunk_id"
        " JOIN artifacts a ON a.id = c.artifact_id"
        " WHERE c.artifact_id = ? AND a.deleted_at IS NULL ORDER BY c.chunk_no",
        (artifact_id,)).fetchall()
    return {"items": [{"artifact_id": artifact_id, "chunk": n, "scale": s} for n, s, _ in rows],
            "data": b"".join(r[2] for r in rows), "next": None}


def vectors(ws: Workspace, artifact_id: str | None = None, after: str | None = None,
            limit: int = 2000) -> dict[str, Any]:
    """One document's vectors when ``artifact_id`` is given, else a page of every document's."""
    return document_vectors(ws, artifact_id) if artifact_id else vectors_page(ws, after, limit)
