"""Semantic search: chunks of every document, their embeddings, and queries over them.

- :mod:`pylib.semantic.chunks`: heading sections with breadcrumbs, split at ≤ 256 word pieces;
  a chunk's identity is a hash of (model, text).
- :mod:`pylib.semantic.store`: which chunks need embedding (incremental, resumable), storing
  int8 vectors, progress.
- :mod:`pylib.semantic.query`: nearest chunks, reciprocal rank fusion with keyword search,
  related notes.

The embedding itself runs in the page's embedding worker (web/embed/); this package never
sees the model, only texts going out and vectors coming back.
"""

from __future__ import annotations

from typing import Any

from pylib.db import Workspace
from pylib.search import search as keyword_search
from pylib.semantic import query
from pylib.semantic.store import pending, progress
from pylib.semantic.store import store as store_vectors

__all__ = ["fused", "pending", "progress", "related", "semantic", "store_vectors"]

# Keyword hits read for fusion: enough that a document ranked low by words but high by
# meaning still meets its keyword rank.
FUSION_DEPTH = 50


def _chunk_hits(ws: Workspace, vector: list[float] | None, chunks: list[dict[str, Any]] | None,
                depth: int, exclude: str | None = None) -> list[query.ChunkHit]:
    if chunks is not None:
        return [(c["artifact_id"], c["chunk"], c["score"]) for c in chunks
                if c["artifact_id"] != exclude]
    if vector is None:
        return []
    return query.scan(ws, vector, depth * query.CHUNKS_PER_DOC, exclude)


def semantic(ws: Workspace, *, vector: list[float] | None = None,
             chunks: list[dict[str, Any]] | None = None, folder: str | None = None,
             kinds: list[str] | None = None, limit: int = 20) -> dict[str, Any]:
    """Documents nearest in meaning: from the worker's nearest ``chunks``
    (``[{artifact_id, chunk, score}]``) or, given a query ``vector``, from the engine's scan."""
    found = query.by_document(_chunk_hits(ws, vector, chunks, limit))
    ranked = [{"id": a, "score": s, "source": "semantic", "chunk": n} for a, n, s in found]
    return {"hits": query.hits(ws, ranked, {}, folder=folder, kinds=kinds, limit=limit)}


def fused(ws: Workspace, text: str, *, vector: list[float] | None = None,
          chunks: list[dict[str, Any]] | None = None, folder: str | None = None,
          kinds: list[str] | None = None, limit: int = 20, k: int = query.RRF_K) -> dict[str, Any]:
    """Keyword and semantic results fused into one list (reciprocal rank fusion, one entry
    per document). Without ``vector`` or ``chunks`` (no model yet) it is keyword search."""
    words = keyword_search(ws, text, folder=folder, kinds=kinds, limit=FUSION_DEPTH)
    keyword = {h["id"]: h for h in words["hits"]}
    semantic_hits = _chunk_hits(ws, vector, chunks, FUSION_DEPTH)
    ranked = query.fuse(list(keyword), semantic_hits, k)
    return {"query": text, "terms": words["terms"], "semantic": bool(semantic_hits),
            "hits": query.hits(ws, ranked, keyword, folder=folder, kinds=kinds, limit=limit)}


def related(ws: Workspace, artifact_id: str, *, chunks: list[dict[str, Any]] | None = None,
            limit: int = 5) -> dict[str, Any]:
    """Other documents nearest in meaning to this one (the mean of its chunk vectors), from
    the worker's nearest ``chunks`` or the engine's scan; empty until it is embedded."""
    if chunks is None:
        centre = query.centroid(ws, artifact_id)
        found = query.scan(ws, centre, limit * query.CHUNKS_PER_DOC, artifact_id) if centre else []
    else:
        found = _chunk_hits(ws, None, chunks, limit, artifact_id)
    ranked = [{"id": a, "score": s, "source": "semantic", "chunk": n}
              for a, n, s in query.by_document(found)]
    return {"id": artifact_id, "hits": query.hits(ws, ranked, {}, limit=limit)}
