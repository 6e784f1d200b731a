"""Scoring Quire's relevance set (corpus.py): MRR@10 and recall@10 for keyword search, semantic
search and the fused list, computed with the engine's own search functions and the model run
natively (CPython onnxruntime on the vendored ONNX file: tests/pylib/embed_reference.py)."""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pylib"))

import corpus  # noqa: E402
from embed_reference import ReferenceEmbedder  # noqa: E402

from pylib import artifacts, db  # noqa: E402
from pylib.search import search as keyword_search  # noqa: E402
from pylib.semantic import fused, pending, query, semantic, store_vectors  # noqa: E402

CUTOFF = 10
NEAREST_CHUNKS = 200  # what the page's worker hands the engine (web/ui/semantic.mjs)


def product_floor() -> float:
    """The least cosine a chunk needs to join the search panel's results (MIN_SIMILARITY in
    web/ui/semantic.mjs): the set is scored as the panel ranks."""
    source = (HERE.parent.parent / "web" / "ui" / "semantic.mjs").read_text(encoding="utf-8")
    return float(re.search(r"export const MIN_SIMILARITY = ([0-9.]+);", source).group(1))


def quantized(vector) -> tuple[bytes, float]:
    """The page's quantisation (web/embed/vectors.mjs): max |x| maps to 127."""
    scale = float(max(abs(float(x)) for x in vector)) / 127 or 1.0
    return struct.pack("384b", *(int(round(float(x) / scale)) for x in vector)), scale


def build(path: str, embedder: ReferenceEmbedder) -> tuple[db.Workspace, dict[str, str]]:
    """A workspace holding the set's notes, fully embedded; returns it and title -> id."""
    ws = db.open_workspace(path, synchronous="OFF")
    ids = {title: artifacts.create(ws, f"/{title}.md", text).id for title, text in corpus.notes()}
    while chunks := pending(ws, 128)["chunks"]:
        vectors = embedder.embed([c["text"] for c in chunks])
        store_vectors(ws, "all-MiniLM-L6-v2-int8", [
            {"id": c["id"], "vector": data, "scale": scale}
            for c, (data, scale) in zip(chunks, map(quantized, vectors))])
    return ws, ids


def _metrics(ranked: list[str], wanted: str) -> tuple[float, float]:
    top = ranked[:CUTOFF]
    return (1 / (top.index(wanted) + 1) if wanted in top else 0.0), float(wanted in top)


def score(ws: db.Workspace, ids: dict[str, str], embedder: ReferenceEmbedder,
          k: int = 60, floor: float | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """``{method: {query kind | "all": {"mrr", "recall"}}}`` over every query of the set, the
    semantic side as the panel gets it: the nearest chunks of at least ``floor`` cosine (the
    product's floor unless given)."""
    floor = product_floor() if floor is None else floor
    queries = corpus.queries()
    vectors = embedder.embed([q for q, _, _ in queries])
    sums: dict[str, dict[str, list[float]]] = {}
    for (text, kind, title), vector in zip(queries, vectors):
        chunks = [{"artifact_id": a, "chunk": n, "score": s}
                  for a, n, s in query.scan(ws, [float(x) for x in vector], NEAREST_CHUNKS)
                  if s >= floor]
        lists = {
            "keyword": [h["id"] for h in keyword_search(ws, text, limit=CUTOFF)["hits"]],
            "semantic": [h["id"] for h in semantic(ws, chunks=chunks, limit=CUTOFF)["hits"]],
            "fused": [h["id"] for h in fused(ws, text, chunks=chunks, limit=CUTOFF, k=k)["hits"]],
        }
        for method, ranked in lists.items():
            mrr, recall = _metrics(ranked, ids[title])
            for group in (kind, "all"):
                entry = sums.setdefault(method, {}).setdefault(group, [0.0, 0.0, 0])
                entry[0] += mrr
                entry[1] += recall
                entry[2] += 1
    return {method: {group: {"mrr": m / n, "recall": r / n} for group, (m, r, n) in groups.items()}
            for method, groups in sums.items()}


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [f"{'method':<10} {'MRR@10 all':>11} {'recall@10':>10} {'MRR kw':>8} {'MRR para':>9}"]
    for method, groups in results.items():
        lines.append(f"{method:<10} {groups['all']['mrr']:>11.3f} {groups['all']['recall']:>10.3f}"
                     f" {groups['keyword']['mrr']:>8.3f} {groups['paraphrase']['mrr']:>9.3f}")
    return "\n".join(lines)
