"""The keyword-search workload, shared by CPython (bench/search_fts.py) and the browser worker
(bench/pages/search_worker.mjs): a workspace of 10,000 documents built with the engine, the
queries a search box sends, and saves timed with and without keeping the index current.

Text is made of pseudo-words drawn with a Zipf law from a 30,000-word vocabulary, so the
index has a realistic shape: a few words in every document, most in a handful (random bytes
or base64 would make every token unique and the index unrealistically large and selective).
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from itertools import accumulate

from pylib import api, artifacts, search
from pylib.search import indexer

VOCABULARY = 30_000
_SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "fe", "du", "an", "or", "el",
              "is", "um", "ba", "ce", "go", "hu", "jo", "ve", "xi", "ya", "zu", "qua", "tre"]


def vocabulary(size: int = VOCABULARY) -> list[str]:
    rng = random.Random(1)
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


class Corpus:
    """Deterministic documents: ``text(i)`` of about ``mean_bytes``, ``name(i)``, ``folder(i)``."""

    def __init__(self, mean_bytes: int = 1_200) -> None:
        self.words = vocabulary()
        self.cum = list(accumulate(1 / (r + 1) ** 1.05 for r in range(len(self.words))))
        self.mean_bytes = mean_bytes

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)

    def text(self, i: int, edit: int = 0) -> str:
        rng = random.Random(i * 7919 + edit)
        words = self.sample(rng, int(rng.uniform(0.5, 1.5) * self.mean_bytes / 7))
        lines = [" ".join(words[j:j + 12]) for j in range(0, len(words), 12)]
        return f"# {' '.join(words[:3])}\n\n" + "\n".join(lines) + "\n"

    def name(self, i: int) -> str:
        return f"{' '.join(self.sample(random.Random(-i), 2))} {i:05d}.md"

    @staticmethod
    def folder(i: int) -> str:
        return f"/area-{i % 10:02d}/topic-{i % 100:03d}"


def build(path: str, documents: int) -> dict:
    """A workspace of ``documents`` notes created through the engine, in one transaction (the
    same write paths as one save each, without paying a commit per document)."""
    corpus = Corpus()
    api.open_workspace(path, journal_mode="MEMORY", synchronous="OFF")
    ws = api.current()
    started = time.perf_counter()
    with ws.transaction():
        for i in range(documents):
            artifacts.create(ws, f"{corpus.folder(i)}/{corpus.name(i)}", corpus.text(i))
    built = time.perf_counter() - started
    text_bytes = ws.conn.execute("SELECT sum(length(content)) FROM artifacts").fetchone()[0]
    return {"documents": documents, "size": os.path.getsize(path), "text_bytes": text_bytes,
            "build_s": built}


def queries() -> dict[str, dict]:
    """What a search box sends, labelled: ``{label: search.query params}``."""
    w = vocabulary()
    return {
        "common word (in ~all docs)": {"query": w[0]},
        "frequent word": {"query": w[20]},
        "mid-frequency word": {"query": w[400]},
        "rare word": {"query": w[20_000]},
        "two words": {"query": f"{w[30]} {w[300]}"},
        "phrase": {"query": f'"{w[0]} {w[1]}"'},
        "prefix*": {"query": w[350][:3] + "*"},
        "a OR b": {"query": f"{w[500]} OR {w[600]}"},
        "word -excluded": {"query": f"{w[50]} -{w[300]}"},
        "folder filter": {"query": w[10], "folder": "/area-03"},
        "sorted by date": {"query": w[10], "sort": "date"},
        "malformed": {"query": f"({w[40]} \"{w[41]} -"},
    }


def time_queries(reps: int, warmup: int) -> dict[str, dict[str, list[float]]]:
    """Per label: ``engine`` = ``api.dispatch("search.query")`` (parsing, ranked page of 20,
    snippets); ``raw`` = the bare FTS5 floor: the same MATCH, ``ORDER BY rank LIMIT 20``,
    rowids only. The two alternate call by call, so both see the same load."""
    conn = api.current().conn
    out = {}
    for label, params in queries().items():
        match = search.query.translate(params["query"])
        samples = {"engine": [], "raw": [], "hits": 0}
        for i in range(warmup + reps):
            started = time.perf_counter()
            result = api.dispatch("search.query", params)
            middle = time.perf_counter()
            conn.execute("SELECT rowid FROM search WHERE search MATCH ? ORDER BY rank LIMIT 20",
                         (match,)).fetchall()
            ended = time.perf_counter()
            if i >= warmup:
                samples["engine"].append((middle - started) * 1000)
                samples["raw"].append((ended - middle) * 1000)
        samples["hits"] = len(result["hits"])
        out[label] = samples
    return out


@contextlib.contextmanager
def _no_index_upkeep():
    """The engine with its index hooks turned off: the save without keeping the index."""
    saved = indexer.index, indexer.reindexing
    indexer.index = lambda target, ids: None
    indexer.reindexing = lambda target, ids: contextlib.nullcontext()
    try:
        yield
    finally:
        indexer.index, indexer.reindexing = saved


def time_saves(rounds: int, per_round: int = 5) -> dict[str, list[float]]:
    """Saves of a ~2.5 KB note through ``api.dispatch("artifacts.update")``, alternating blocks
    with the index kept current (``indexed``, one document) and without (``bare``, another
    document, so its stale entry is never touched by the indexed path)."""
    corpus = Corpus()
    ws = api.current()
    ids = [r[0] for r in ws.conn.execute("SELECT id FROM artifacts ORDER BY rowid LIMIT 2")]
    samples: dict[str, list[float]] = {"indexed": [], "bare": []}
    edit = 0
    for _ in range(rounds):
        for mode, doc_id in (("indexed", ids[0]), ("bare", ids[1])):
            upkeep = contextlib.nullcontext() if mode == "indexed" else _no_index_upkeep()
            with upkeep:
                for _ in range(per_round):
                    edit += 1
                    text = corpus.text(0, edit)
                    started = time.perf_counter()
                    api.dispatch("artifacts.update", {"id": doc_id, "content": text})
                    samples[mode].append((time.perf_counter() - started) * 1000)
    samples.update(_pages_written(ids, corpus, edit))
    return samples


def _pages_written(ids: list[str], corpus: Corpus, edit: int, saves: int = 8) -> dict:
    """4 KiB pages of the file each save changes (what the browser's page log must write),
    with and without the index kept current."""
    ws = api.current()
    page = ws.conn.execute("PRAGMA page_size").fetchone()[0]
    out: dict[str, list[float]] = {"pages_indexed": [], "pages_bare": []}
    for mode, doc_id in (("indexed", ids[0]), ("bare", ids[1])):
        upkeep = contextlib.nullcontext() if mode == "indexed" else _no_index_upkeep()
        with upkeep:
            for _ in range(saves):
                edit += 1
                with open(ws.path, "rb") as fh:
                    before = fh.read()
                api.dispatch("artifacts.update", {"id": doc_id, "content": corpus.text(0, edit)})
                with open(ws.path, "rb") as fh:
                    after = fh.read()
                out[f"pages_{mode}"].append(float(sum(
                    before[i:i + page] != after[i:i + page] for i in range(0, len(after), page))))
    return out
