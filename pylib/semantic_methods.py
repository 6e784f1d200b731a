"""The semantic methods of :mod:`pylib.api` (``search.fused``, ``embeddings.*``, ``vectors.*``),
generated from one table: per name, the parameter model, the function that serves it (named as
``"module:function"``, imported when first called, so the engine boots without the semantic
package), how its arguments come from the parameters, the result model and the docs' note.

api.py wraps each ``SPECS`` entry in its ``Method``, as it does for :mod:`pylib.care.api_methods`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from pylib import models as m
from pylib import params as p

Args = Callable[[Any], tuple[tuple[Any, ...], dict[str, Any]]]


def _hits(chunks: list[p.ChunkHit] | None) -> list[dict[str, Any]] | None:
    return None if chunks is None else [c.model_dump() for c in chunks]


def _where(q: p.SemanticQuery) -> dict[str, Any]:
    return {"vector": q.vector, "chunks": _hits(q.chunks), "folder": q.folder, "kinds": q.kinds,
            "limit": q.limit}


def _lazy(target: str, args: Args) -> Callable[[Any, Any], Any]:
    """A method body calling ``target`` (``"module:function"``) with ``(ws, *args, **kwargs)``."""
    module, name = target.split(":")

    def serve(ws: Any, q: Any) -> Any:
        positional, named = args(q)
        return getattr(importlib.import_module(module), name)(ws, *positional, **named)

    serve.__name__ = name
    return serve


NONE: Args = lambda q: ((), {})
S, ST, R = "pylib.semantic", "pylib.semantic.store", "pylib.semantic.remote"

# name: (params, target, arguments, result, note)
TABLE: dict[str, tuple[Any, str, Args, Any, str]] = {
    "search.fused": (
        p.FusedQuery, f"{S}:fused", lambda q: ((q.query,), {"k": q.k, **_where(q)}), m.FusedResults,
        "keyword + semantic (reciprocal rank fusion, one hit per document); `chunks`: the"
        " embedding worker's nearest chunks (or a query `vector`); neither: keyword only"),
    "search.semantic": (
        p.SemanticQuery, f"{S}:semantic", lambda q: ((), _where(q)), m.SemanticResults,
        "documents near in meaning, from `chunks` or a query `vector`"),
    "search.related": (
        p.RelatedQuery, f"{S}:related", lambda q: ((q.id,), {"chunks": _hits(q.chunks), "limit": q.limit}),
        m.RelatedResults, "other documents near in meaning to `id`; empty until it is embedded"),
    "embeddings.pending": (
        p.EmbeddingsPending, f"{S}:pending", lambda q: ((q.limit,), {}), m.PendingChunks,
        "chunks without a vector (changed documents are rechunked first, a few per call);"
        " resumable"),
    "embeddings.store": (
        p.EmbeddingsStore, f"{S}:store_vectors",
        lambda q: ((q.model, [v.model_dump() for v in q.vectors]), {}), m.EmbeddingProgress,
        "`vectors`: `{id, vector: 384 int8 bytes, scale}`; all or none"),
    "embeddings.progress": (
        p.NoParams, f"{S}:progress", NONE, m.EmbeddingProgress,
        "documents with every chunk embedded, of all live documents"),
    "vectors.outbox": (
        p.EmbeddingsPending, f"{R}:outbox", lambda q: ((q.limit,), {}), m.RemoteOutbox,
        "what the server's vector index lacks or must drop (the upload queue: a difference"
        " with what it acknowledged, so it survives reloads)"),
    "vectors.acknowledge": (
        p.RemoteAcknowledge, f"{R}:acknowledge",
        lambda q: (([u.model_dump() for u in q.upserted], q.deleted, q.stale), {}),
        m.RemoteAcknowledged, "record what the server confirmed"),
    "vectors.forget": (
        p.NoParams, f"{R}:forget", NONE, m.RemoteForget,
        "every document the server holds points of (turning the server-side index off)"),
    "embeddings.vectors": (
        p.EmbeddingsVectors, f"{ST}:vectors", lambda q: ((), {"artifact_id": q.id, "after": q.after, "limit": q.limit}),
        m.VectorsPage, "chunk vectors to load the worker's index: pages (`next` → `after`), or one `id`"),
}

SPECS: dict[str, tuple[Any, ...]] = {
    name: (params, _lazy(target, args), result, note)
    for name, (params, target, args, result, note) in TABLE.items()
}
