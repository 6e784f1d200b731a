"""Semantic and fused search over the local vectors, and related notes.

The nearest chunks for a query vector come either from the embedding worker (which keeps the
vectors in memory and scans them in JavaScript: ``chunks`` here) or from :func:`scan`, a
brute-force scan in Python (fine for the engine's own tests and small workspaces; the page
uses the worker's scan, measured in bench/semantic_query.py).

Fusion is reciprocal rank fusion per document: a document's score is ``Σ 1 / (k + rank)`` over
the keyword list and the semantic list (its best chunk's rank among documents), ``k`` = 60
(:data:`RRF_K`; the relevance set in tests/ measures it). Results have the keyword hits' shape
(:mod:`pylib.search.keyword`) with ``source`` telling which lists found the document and,
for semantic matches, the best chunk's number and section.
"""

from __future__ import annotations

import html
import operator
from collections.abc import Iterable
from typing import Any

from pylib import textstore
from pylib.db import Workspace
from pylib.paths import ROOT, normalize_folder, parent_of
from pylib.semantic.store import DIMS, unpack

RRF_K = 60
SNIPPET_CHARS = 200
# Chunks read from the scan per document asked for (documents have several chunks).
CHUNKS_PER_DOC = 4
ChunkHit = tuple[str, int, float]  # (artifact_id, chunk number, cosine)


def _live_vectors(ws: Workspace) -> Iterable[tuple[str, int, bytes, float]]:
    return ws.conn.execute(
        "SELECT c.artifact_id, c.chunk_no, v.vector, v.scale FROM embedding_chunks c"
        " JOIN embedding_vectors v ON v.chunk_id = c.chunk_id"
        " JOIN artifacts a ON a.id = c.artifact_id WHERE a.deleted_at IS NULL")


def scan(ws: Workspace, vector: list[float], limit: int = 50,
         exclude: str | None = None) -> list[ChunkHit]:
    """The ``limit`` chunks of live documents nearest to a unit ``vector``, best first."""
    if len(vector) != DIMS:
        raise ValueError(f"a query vector has {DIMS} components")
    scored = []
    for artifact_id, number, data, scale in _live_vectors(ws):
        if artifact_id != exclude:
            scored.append((sum(map(operator.mul, vector, unpack(data))) * scale, artifact_id, number))
    scored.sort(reverse=True)
    return [(a, n, s) for s, a, n in scored[:limit]]


def centroid(ws: Workspace, artifact_id: str) -> list[float] | None:
    """The unit mean of one document's chunk vectors (``None`` before it is embedded)."""
    total = [0.0] * DIMS
    rows = ws.conn.execute(
        "SELECT v.vector, v.scale FROM embedding_chunks c JOIN embedding_vectors v"
        " ON v.chunk_id = c.chunk_id WHERE c.artifact_id = ?", (artifact_id,)).fetchall()
    for data, scale in rows:
        total = [t + x * scale for t, x in zip(total, unpack(data))]
    norm = sum(x * x for x in total) ** 0.5
    return [x / norm for x in total] if rows and norm else None


def by_document(chunks: Iterable[ChunkHit]) -> list[ChunkHit]:
    """One entry per document (its best chunk), in the order of the best chunks."""
    seen: dict[str, ChunkHit] = {}
    for artifact_id, number, score in sorted(chunks, key=lambda c: -c[2]):
        seen.setdefault(artifact_id, (artifact_id, number, score))
    return list(seen.values())


def fuse(keyword_ids: list[str], semantic: list[ChunkHit], k: int = RRF_K) -> list[dict[str, Any]]:
    """Reciprocal rank fusion of a keyword ranking (artifact ids, best first) and semantic
    chunk hits: ``[{id, score, source, chunk}]`` best first, one per document."""
    fused: dict[str, dict[str, Any]] = {}
    for rank, artifact_id in enumerate(keyword_ids, 1):
        fused[artifact_id] = {"id": artifact_id, "score": 1 / (k + rank), "source": "keyword",
                              "chunk": None}
    for rank, (artifact_id, number, _) in enumerate(by_document(semantic), 1):
        entry = fused.setdefault(artifact_id, {"id": artifact_id, "score": 0.0,
                                               "source": "semantic", "chunk": None})
        entry["score"] += 1 / (k + rank)
        entry["chunk"] = number
        if entry["source"] == "keyword":
            entry["source"] = "both"
    return sorted(fused.values(), key=lambda e: -e["score"])


def _chunk_texts(ws: Workspace, wanted: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, str]]:
    """``(artifact, chunk) -> (section, escaped start of the chunk's text)``."""
    out = {}
    for artifact_id, number in wanted:
        row = ws.conn.execute(
            f"SELECT c.section, substr(CAST({textstore.column('a.')} AS TEXT), c.start + 1, ?)"
            " FROM embedding_chunks c JOIN artifacts a ON a.id = c.artifact_id"
            " WHERE c.artifact_id = ? AND c.chunk_no = ?",
            (SNIPPET_CHARS, artifact_id, number)).fetchone()
        if row:
            text = " ".join((row[1] or "").split())
            out[(artifact_id, number)] = (row[0], html.escape(text, quote=True))
    return out


def hits(ws: Workspace, ranked: list[dict[str, Any]], keyword: dict[str, dict[str, Any]],
         *, folder: str | None = None, kinds: list[str] | None = None,
         limit: int = 20) -> list[dict[str, Any]]:
    """Search hits (the keyword hits' shape) for fused or semantic entries: live documents
    only, filtered by folder and kinds, keyword snippets kept, semantic ones from the chunk."""
    folder = normalize_folder(folder) if folder else ROOT
    ids = [e["id"] for e in ranked]
    marks = ", ".join("?" for _ in ids)
    details = {r[0]: r[1:] for r in ws.conn.execute(
        "SELECT id, name, path, kind, mime_type, updated_at, coalesce(size_bytes, 0) FROM artifacts"
        f" WHERE deleted_at IS NULL AND id IN ({marks})", ids)} if ids else {}
    kept = [e for e in ranked if e["id"] in details
            and (folder == ROOT or details[e["id"]][1].startswith(folder + "/"))
            and (not kinds or details[e["id"]][2] in kinds)][:limit]
    texts = _chunk_texts(ws, [(e["id"], e["chunk"]) for e in kept if e["chunk"] is not None])
    out = []
    for rank, entry in enumerate(kept, 1):
        name, path, kind, mime, updated, size = details[entry["id"]]
        section, snippet = texts.get((entry["id"], entry["chunk"]), (None, ""))
        found = keyword.get(entry["id"])
        out.append({
            "id": entry["id"], "name": name, "path": path, "folder": parent_of(path), "kind": kind,
            "mime_type": mime, "updated_at": updated, "size_bytes": size, "score": entry["score"],
            "rank": rank, "name_html": found["name_html"] if found else html.escape(name),
            "snippet_html": found["snippet_html"] if found and found["snippet_html"] else snippet,
            "source": entry["source"], "chunk": entry["chunk"], "section": section,
        })
    return out
