"""Relevance of keyword, semantic and fused search on Quire's relevance set (tests/relevance:
210 notes, 50 keyword and 50 paraphrase queries): MRR@10 and recall@10, and the fusion
constant k of reciprocal rank fusion swept (the engine uses k = 60).

    .venv/bin/python bench/engine_relevance.py [--quick]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "relevance"))

from score import ReferenceEmbedder, build, score, table  # noqa: E402


def main() -> int:
    embedder = ReferenceEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        ws, ids = build(f"{tmp}/w.sqlite", embedder)
        print(table(score(ws, ids, embedder)))
        print("\nfusion constant k (fused MRR@10 / recall@10 over all 100 queries)")
        for k in (1, 10, 30, 60, 100, 200):
            fused = score(ws, ids, embedder, k=k)["fused"]["all"]
            print(f"k={k:<4} {fused['mrr']:.3f} / {fused['recall']:.3f}")
        ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
