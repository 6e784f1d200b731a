"""The relevance set (corpus.py: 210 notes, 100 keyword and paraphrase queries), scored as
MRR@10 and recall@10 for keyword, semantic and fused search: fused must beat both, and each
search must be good at its own kind of query."""

from __future__ import annotations

import pytest

pytest.importorskip("onnxruntime")

from score import ReferenceEmbedder, build, score, table  # noqa: E402


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    embedder = ReferenceEmbedder()
    ws, ids = build(str(tmp_path_factory.mktemp("relevance") / "w.sqlite"), embedder)
    try:
        yield score(ws, ids, embedder)
    finally:
        ws.close()


def test_fused_beats_keyword_and_semantic(scored):
    print("\n" + table(scored))
    fused, keyword, meaning = (scored[m]["all"] for m in ("fused", "keyword", "semantic"))
    assert fused["mrr"] > keyword["mrr"] and fused["mrr"] > meaning["mrr"]
    assert fused["recall"] >= keyword["recall"] and fused["recall"] >= meaning["recall"]


def test_each_search_is_good_at_its_own_queries(scored):
    assert scored["keyword"]["keyword"]["recall"] >= 0.9
    assert scored["keyword"]["paraphrase"]["recall"] <= 0.2  # the words are not there
    assert scored["semantic"]["paraphrase"]["mrr"] >= 0.5
