"""Semantic search in the engine: chunking, chunk identity, the incremental and resumable
index, vector storage (carried by export and import), top-k, fusion and related notes.

Plain functions over real SQLite files, so this file also runs inside Pyodide. The vectors
here are test data — unit vectors made from a text's words by a fixed rule, so that texts
sharing words are near — because the model itself lives in the page's worker; the model's
own results are tested in test_semantic_relevance.py and tests/e2e.
"""

from __future__ import annotations

import hashlib
import math
import struct
import tracemalloc

import pytest

from pylib import api, artifacts, db, migrations, trash
from pylib.errors import InvalidParams
from pylib.semantic import chunks as ch, fused, pending, progress, related, semantic, store_vectors
from pylib.semantic.query import fuse, scan
from pylib.transfer import export_workspace, import_workspace

DIMS = 384


def _ws(tmp_path, name="w.sqlite"):
    return db.open_workspace(str(tmp_path / name), synchronous="OFF")


def word_vector(text):
    """A unit vector: each word adds a fixed pseudo-random direction (test data)."""
    total = [0.0] * DIMS
    for word in text.lower().split():
        seed = hashlib.sha256(word.strip(".,:;!?›#").encode()).digest()
        for i in range(DIMS):
            total[i] += (seed[i % 32] ^ (i * 37 & 255)) / 255 - 0.5
    norm = math.sqrt(sum(x * x for x in total)) or 1
    return [x / norm for x in total]


def quantized(vector):
    top = max(abs(x) for x in vector) or 1
    scale = top / 127
    return struct.pack(f"{DIMS}b", *(round(x / scale) for x in vector)), scale


def embed_all(ws, batch=16):
    """Run the index to completion the way the page does; returns how many chunks it embedded."""
    done = 0
    while True:
        todo = pending(ws, batch)
        if not todo["chunks"]:
            return done
        vectors = []
        for chunk in todo["chunks"]:
            data, scale = quantized(word_vector(chunk["text"]))
            vectors.append({"id": chunk["id"], "vector": data, "scale": scale})
        store_vectors(ws, todo["model"], vectors)
        done += len(vectors)


# --- chunking -----------------------------------------------------------------------------

def test_sections_carry_their_breadcrumb():
    text = ("# Refund policy\nIntro line.\n\n## Exceptions\nSale items are final.\n"
            "```\n# not a heading\n```\n### Gift cards\nNo cash back.\n# Contact\nMail us.\n")
    found = [(c.section, c.text(text).split("\n", 1)[1]) for c in ch.chunk_spans("Refund policy.md", text)]
    assert [s for s, _ in found] == [
        "Refund policy", "Refund policy › Exceptions", "Refund policy › Exceptions › Gift cards",
        "Refund policy › Contact"]
    assert "# not a heading" in found[1][1]
    assert found[2][1] == "No cash back."


def test_a_document_without_text_is_one_chunk_of_its_name():
    [only] = list(ch.chunk_spans("Ideas.md", ""))
    assert only.text("") == "Ideas" and only.number == 0


def test_long_sections_split_within_the_budget_at_sentence_ends():
    text = "# Big\n" + " ".join(f"Sentence number {i} talks about refunds and returns." for i in range(400))
    parts = list(ch.chunk_spans("Big.md", text))
    assert len(parts) > 5 and [p.number for p in parts] == list(range(len(parts)))
    for part in parts:
        assert ch.estimate_pieces(part.text(text)) <= ch.MAX_PIECES
        assert part.text(text).rstrip().endswith(".")
    # Together the spans cover the section's text exactly once.
    assert "".join(text[p.start:p.end] for p in parts).split() == text[6:].split()


def _base64_lines(n_bytes: int, seed: int = 7) -> str:
    import base64
    import random
    data = base64.b64encode(random.Random(seed).randbytes(n_bytes)).decode()
    return "\n".join(data[i:i + 76] for i in range(0, len(data), 76))


def test_only_prose_is_chunked_a_pasted_blob_is_not():
    prose = " ".join(f"Sentence number {i} talks about refunds and returns." for i in range(60))
    blob = _base64_lines(60_000)  # about 80 KB: some 350 chunks if it were embedded
    hashes = "\n".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(200))
    text = f"# Report\n{prose}\n# Attachment\n{blob}\n# Checksums\n{hashes}\n# End\nThat is all, thanks."
    parts = list(ch.chunk_spans("Report.md", text))
    assert [p.number for p in parts] == list(range(len(parts)))
    assert {p.section for p in parts} == {"Report", "Report › End"}
    assert "".join(text[p.start:p.end] for p in parts if p.section == "Report").split() == prose.split()
    # A span with a few codes and numbers in it is still prose.
    codes = "Order A12B-334 of 2026-12-01 shipped as parcel ZX81; ask Sam, call 555 0199. " * 8
    first, *_ = ch.chunk_spans("Orders.md", codes)
    assert first.end > first.start  # its text, not the name-only chunk


def test_a_document_that_is_not_prose_is_one_chunk_of_its_name(tmp_path):
    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/full.md", _base64_lines(200_000))  # some 1,100 chunks if embedded
    todo = pending(ws, 10)
    assert [c["text"] for c in todo["chunks"]] == ["full"]
    assert todo["progress"]["chunks"] == 1 and todo["chunks"][0]["artifact_id"] == doc.id


def test_an_older_workspace_loses_its_chunks_of_a_pasted_blob_and_embeds_nothing_again(tmp_path):
    path = str(tmp_path / "old.sqlite")
    ws = db.open_workspace(path)
    prose = " ".join(f"Sentence number {i} talks about refunds and returns." for i in range(30))
    doc = artifacts.create(ws, "/report.md", f"# Report\n{prose}\n# Attachment\n{_base64_lines(20_000)}")
    assert embed_all(ws) > 1
    kept = {i for (i,) in ws.conn.execute("SELECT chunk_id FROM embedding_chunks")}
    # As the older chunker left it: chunks of the blob too, recorded as up to date.
    ws.conn.execute("INSERT INTO embedding_chunks VALUES (?, 99, ?, 'Report › Attachment', 0, 9)",
                    (doc.id, ch.chunk_id("Report › Attachment\nAAAA")))
    ws.conn.execute("UPDATE embedding_docs SET chunks = chunks + 1")
    # The upgrade's step (migration 0031), as it runs on such a workspace.
    [step] = [m for m in migrations.STEPS if m.name == "0031_rechunk_prose"]
    for statement in migrations.split_statements(step.sql):
        ws.conn.execute(statement)
    again = pending(ws, 50)
    assert again["chunks"] == []  # nothing to embed: every prose chunk still has its vector
    ids = {i for (i,) in ws.conn.execute("SELECT chunk_id FROM embedding_chunks")}
    assert ids == kept and again["progress"]["done"]


def test_chunk_identity_is_model_and_text():
    assert ch.chunk_id("a") == ch.chunk_id("a") != ch.chunk_id("b")
    assert ch.chunk_id("a") != ch.chunk_id("a", model="another-model")
    assert len(ch.chunk_id("a")) == 64


def test_a_10_mb_document_is_chunked_in_bounded_memory(tmp_path):
    ws = _ws(tmp_path)
    lines = (f"Quarterly figures show steady growth in region {i} we serve. " for i in range(10**6))
    text = "# Report\n"
    text += "".join(line for line, _ in zip(lines, range(10_000_000 // 60)))
    doc = artifacts.create(ws, "/big.md", text)
    tracemalloc.start()
    first = pending(ws, 10)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert first["progress"]["chunks"] > 5_000 and len(first["chunks"]) == 10
    # The text itself (10 MB as bytes, again as str) plus small change, not a copy per chunk.
    assert peak < 60_000_000, peak
    assert all(c["artifact_id"] == doc.id for c in first["chunks"])


# --- the index: incremental, resumable ----------------------------------------------------

def test_pending_store_progress_and_only_changed_chunks_again(tmp_path):
    ws = _ws(tmp_path)
    a = artifacts.create(ws, "/a.md", "# A\none\n# B\ntwo")
    artifacts.create(ws, "/b.md", "three")
    artifacts.upload(ws, "/pic.png", b"\x89PNG\x00\x01")  # not a document: never chunked
    assert progress(ws)["documents"] == 2 and progress(ws)["indexed"] == 0
    assert embed_all(ws) == 3
    assert progress(ws) == {"documents": 2, "indexed": 2, "chunks": 3, "embedded": 3, "done": True}
    artifacts.update(ws, a.id, "# A\none\n# B\ntwo changed")
    todo = pending(ws, 10)
    assert [c["text"] for c in todo["chunks"]] == ["a › B\ntwo changed"]
    assert todo["progress"]["indexed"] == 1
    assert embed_all(ws) == 1 and progress(ws)["done"]


def test_a_copy_of_a_document_needs_no_embedding(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/a.md", "same words here")
    embed_all(ws)
    artifacts.create(ws, "/folder/a.md", "same words here")
    assert pending(ws, 10)["chunks"] == [] and progress(ws)["indexed"] == 2


def test_indexing_resumes_after_reopening(tmp_path):
    ws = _ws(tmp_path)
    for i in range(30):
        artifacts.create(ws, f"/n{i}.md", f"note {i} about topic {i % 3}")
    first = pending(ws, 10)
    store_vectors(ws, first["model"], [
        {"id": c["id"], "vector": quantized(word_vector(c["text"]))[0], "scale": 0.01}
        for c in first["chunks"]])
    ws.close()
    ws = _ws(tmp_path)
    assert progress(ws)["embedded"] == 10
    assert embed_all(ws) == 20 and progress(ws)["indexed"] == 30


def test_bad_vectors_are_refused_and_nothing_is_kept(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/a.md", "x")
    [chunk] = pending(ws, 5)["chunks"]
    good = {"id": chunk["id"], "vector": bytes(DIMS), "scale": 0.5}
    for bad in ({**good, "vector": bytes(10)}, {**good, "scale": float("nan")},
                {**good, "scale": 3.0}, {**good, "id": "short"}):
        with pytest.raises(InvalidParams):
            store_vectors(ws, "all-MiniLM-L6-v2-int8", [good, bad])
    with pytest.raises(InvalidParams):
        store_vectors(ws, "another-model", [good])
    assert progress(ws)["embedded"] == 0


def test_trash_hides_vectors_and_restore_needs_no_embedding(tmp_path):
    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/refunds.md", "refund money back")
    artifacts.create(ws, "/garden.md", "tomatoes and basil")
    embed_all(ws)
    query = word_vector("refund money back")
    assert semantic(ws, vector=query)["hits"][0]["name"] == "refunds.md"
    item = trash.trash_artifact(ws, doc.id)
    assert [h["name"] for h in semantic(ws, vector=query)["hits"]] == ["garden.md"]
    assert progress(ws)["documents"] == 1
    assert item
    trash.restore(ws, trash.list_items(ws)[0].id)
    assert pending(ws, 5)["chunks"] == []
    assert semantic(ws, vector=query)["hits"][0]["name"] == "refunds.md"


# --- export and import carry the vectors -------------------------------------------------

def test_export_carries_vectors_and_the_import_needs_no_embedding(tmp_path):
    ws = _ws(tmp_path)
    for i in range(5):
        artifacts.create(ws, f"/n{i}.md", f"# Note {i}\nwords of note {i}")
    embed_all(ws)
    data = export_workspace(ws)
    other = _ws(tmp_path, "other.sqlite")
    import_workspace(other, data, "replace")
    assert pending(other, 50)["chunks"] == []
    assert progress(other)["indexed"] == 5


def test_an_imported_vector_of_the_wrong_size_refuses_the_file(tmp_path):
    import sqlite3

    from pylib.errors import InvalidImport

    ws = _ws(tmp_path)
    artifacts.create(ws, "/a.md", "x")
    embed_all(ws)
    conn = sqlite3.connect(":memory:")
    conn.deserialize(export_workspace(ws))
    conn.execute("UPDATE embedding_vectors SET vector = zeroblob(12)")
    conn.commit()
    with pytest.raises(InvalidImport):
        import_workspace(_ws(tmp_path, "o.sqlite"), conn.serialize(), "replace")


# --- queries -------------------------------------------------------------------------------

def _library(tmp_path):
    ws = _ws(tmp_path)
    ids = {}
    for name, text in [("Refund policy.md", "# Returns\nmoney back within thirty days"),
                       ("Garden.md", "tomatoes basil watering schedule"),
                       ("Travel.md", "passport tickets hotel money exchange"),
                       ("Recipes.md", "# Soup\ntomatoes onions stock")]:
        ids[name] = artifacts.create(ws, f"/{name}", text).id
    embed_all(ws)
    return ws, ids


def test_scan_finds_the_nearest_chunks_best_first(tmp_path):
    ws, ids = _library(tmp_path)
    found = scan(ws, word_vector("Refund policy › Returns money back within thirty days"), 3)
    assert found[0][0] == ids["Refund policy.md"] and found[0][2] > 0.99
    assert [s for *_, s in found] == sorted((s for *_, s in found), reverse=True)


def test_semantic_hits_name_their_chunk_and_escape_snippets(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/x.md", "# Part <b>\n<script>alert(1)</script> money back")
    embed_all(ws)
    [hit] = semantic(ws, vector=word_vector("money back"))["hits"]
    assert hit["section"] == "x › Part <b>" and hit["source"] == "semantic"
    assert "<script>" not in hit["snippet_html"] and "&lt;script&gt;" in hit["snippet_html"]


def test_rrf_fusion_rewards_documents_found_by_both():
    fused_list = fuse(["a", "b", "c"], [("c", 0, 0.9), ("d", 1, 0.8), ("c", 2, 0.7)], k=60)
    assert [e["id"] for e in fused_list][:1] == ["c"]
    assert {e["id"]: e["source"] for e in fused_list} == {
        "a": "keyword", "b": "keyword", "c": "both", "d": "semantic"}
    assert fused_list[0]["score"] == pytest.approx(1 / 63 + 1 / 61)


def test_fused_search_with_worker_chunks_and_filters(tmp_path):
    ws, ids = _library(tmp_path)
    chunks = [{"artifact_id": ids["Refund policy.md"], "chunk": 0, "score": 0.8},
              {"artifact_id": ids["Travel.md"], "chunk": 0, "score": 0.5}]
    result = fused(ws, "tomatoes", chunks=chunks)
    names = [h["name"] for h in result["hits"]]
    assert set(names) == {"Garden.md", "Recipes.md", "Refund policy.md", "Travel.md"}
    assert result["semantic"] is True
    only_keyword = fused(ws, "tomatoes")
    assert {h["source"] for h in only_keyword["hits"]} == {"keyword"} and not only_keyword["semantic"]
    assert [h["name"] for h in fused(ws, "tomatoes", chunks=chunks, kinds=["code"])["hits"]] == []


def test_related_notes_exclude_the_document_itself(tmp_path):
    ws, ids = _library(tmp_path)
    found = related(ws, ids["Garden.md"], limit=3)["hits"]
    assert ids["Garden.md"] not in [h["id"] for h in found] and len(found) == 3
    assert found[0]["name"] == "Recipes.md"  # shares "tomatoes"
    fresh = artifacts.create(ws, "/new.md", "not embedded yet")
    assert related(ws, fresh.id)["hits"] == []


def test_the_api_methods(tmp_path):
    api.open_workspace(str(tmp_path / "api.sqlite"), synchronous="OFF")
    try:
        doc = api.dispatch("artifacts.create", {"path": "/r.md", "content": "money back"})
        todo = api.dispatch("embeddings.pending", {"limit": 10})
        data, scale = quantized(word_vector(todo["chunks"][0]["text"]))
        done = api.dispatch("embeddings.store", {"model": todo["model"], "vectors": [
            {"id": todo["chunks"][0]["id"], "vector": data, "scale": scale}]})
        assert done["done"] and done["indexed"] == 1
        page = api.dispatch("embeddings.vectors", {})
        assert page["items"] == [{"artifact_id": doc["id"], "chunk": 0, "scale": scale}]
        assert page["data"] == data and page["next"] is None
        hits = api.dispatch("search.fused", {"query": "money", "chunks": [
            {"artifact_id": doc["id"], "chunk": 0, "score": 0.9}]})["hits"]
        assert [(h["name"], h["source"]) for h in hits] == [("r.md", "both")]
        with pytest.raises(InvalidParams):
            api.dispatch("search.semantic", {"vector": [0.1] * 3})
    finally:
        api.close_workspace()
