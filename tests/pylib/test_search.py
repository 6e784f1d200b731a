"""Keyword search: the index follows every edit, the query syntax, safe snippets, ranking.

Plain functions over real SQLite files, so this file also runs inside Pyodide
(``node tests/pyodide/run_pytest.mjs tests/pylib/test_search.py``).
"""

from __future__ import annotations

import pytest

from pylib import api, artifacts, db, folders, search, trash, versions
from pylib.errors import Conflict, InvalidParams
from pylib.search import indexer


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def _names(ws, query, **kw):
    """Names of the hits, in order; checks on the way that the index is exactly current."""
    assert search.check(ws) == []
    return [h["name"] for h in search.search(ws, query, **kw)["hits"]]


# --- the index follows edits -------------------------------------------------------------

def test_create_update_rename_move_follow(tmp_path):
    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/notes/plan.md", "apples and pears")
    assert _names(ws, "apples") == ["plan.md"]
    artifacts.update(ws, doc.id, "bananas only")
    assert _names(ws, "apples") == [] and _names(ws, "bananas") == ["plan.md"]
    artifacts.rename(ws, doc.id, "roadmap.md")
    assert _names(ws, "plan") == [] and _names(ws, "roadmap") == ["roadmap.md"]
    folders.create(ws, "/archive")
    artifacts.move(ws, doc.id, "/archive")
    [hit] = search.search(ws, "bananas")["hits"]
    assert hit["path"] == "/archive/roadmap.md" and hit["folder"] == "/archive"
    assert search.check(ws) == []


def test_trash_restore_and_empty_follow(tmp_path):
    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/a/note.md", "kiwi")
    trash.trash_artifact(ws, doc.id)
    assert _names(ws, "kiwi") == []
    artifacts.create(ws, "/a/note.md", "a newer kiwi")  # takes the path meanwhile
    [item] = trash.list_items(ws)
    trash.restore(ws, item.id)  # comes back renamed "note (restored).md"
    assert sorted(_names(ws, "kiwi")) == ["note (restored).md", "note.md"]
    assert _names(ws, "restored") == ["note (restored).md"]
    trash.trash_artifact(ws, doc.id)
    trash.empty(ws)
    assert _names(ws, "kiwi") == ["note.md"]
    assert ws.conn.execute("SELECT count(*) FROM search_map").fetchone()[0] == 1


def test_folder_rename_move_and_trash_follow(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/projects/alpha/spec.md", "quartz")
    folders.rename(ws, "/projects", "work")
    folders.create(ws, "/old")
    folders.move(ws, "/work/alpha", "/old")
    [hit] = search.search(ws, "quartz")["hits"]
    assert hit["path"] == "/old/alpha/spec.md"
    trash.trash_folder(ws, "/old")
    assert _names(ws, "quartz") == []
    trash.restore(ws, trash.list_items(ws)[0].id)
    assert _names(ws, "quartz") == ["spec.md"]


def test_version_restore_follows(tmp_path):
    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/v.md", "first words")
    artifacts.update(ws, doc.id, "second words")
    oldest = versions.list_versions(ws, doc.id)[-1]["id"]
    artifacts.restore_version(ws, oldest)
    assert _names(ws, "first") == ["v.md"] and _names(ws, "second") == []


def test_a_refused_edit_leaves_the_index_as_it_was(tmp_path):
    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/c.md", "original")
    with pytest.raises(Conflict):
        artifacts.update(ws, doc.id, "overwritten", base_hash="stale")
    assert _names(ws, "original") == ["c.md"] and _names(ws, "overwritten") == []


def test_cited_artifact_emptied_from_trash_keeps_no_text_in_the_index(tmp_path):
    from pylib import citations

    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/cited.md", "mango")
    citations.record(ws, doc.id, "run-1", 1.0)
    trash.trash_artifact(ws, doc.id)
    trash.empty(ws)  # keeps a tombstone row without content
    assert _names(ws, "mango") == []
    assert ws.conn.execute("SELECT has_body FROM search_map").fetchall() == [(0,)]


def test_binary_files_are_found_by_name_only(tmp_path):
    ws = _ws(tmp_path)
    artifacts.upload(ws, "/img/holiday.png", b"\x89PNG\r\n\x1a\n\x00secretword\x00")
    assert _names(ws, "holiday") == ["holiday.png"]
    assert _names(ws, "secretword") == []


def test_a_file_is_searched_by_its_words_only_when_it_reads_as_text(tmp_path):
    ws = _ws(tmp_path)
    # Valid UTF-8 with control bytes: a file the page does not show as text, nor does search.
    artifacts.upload(ws, "/data/tiny.bin", b"\x01\x02zebra\x03", "application/octet-stream")
    artifacts.upload(ws, "/LICENSE", b"Permission is granted, walrus clause\n", "application/octet-stream")
    artifacts.create(ws, "/n.md", "a note with a stray \x01 byte about a yak")  # a document: its text
    for rebuilt in (False, True):
        if rebuilt:
            with ws.transaction():
                indexer.rebuild(ws)
        assert _names(ws, "tiny") == ["tiny.bin"]
        assert _names(ws, "zebra") == []
        assert _names(ws, "walrus") == ["LICENSE"]
        assert _names(ws, "yak") == ["n.md"]
        assert indexer.check(ws) == []


def test_large_text_is_searchable_inline_or_waiting_for_upload(tmp_path):
    ws = _ws(tmp_path)
    big = ("filler " * 160_000 + "needle").encode()
    doc = artifacts.create(ws, "/big.txt", big.decode())  # a document: stays inline
    dump = artifacts.upload(ws, "/dump.dat", big, "application/octet-stream")
    assert not doc.pending_upload and dump.pending_upload  # a file: waits for its upload
    hits = search.search(ws, "needle")["hits"]
    assert sorted(h["name"] for h in hits) == ["big.txt", "dump.dat"]
    assert all("<mark>needle</mark>" in h["snippet_html"] for h in hits)


# --- query syntax --------------------------------------------------------------------------

@pytest.fixture
def corpus(tmp_path):
    ws = _ws(tmp_path)
    for name, text in {
        "one.md": "the quick brown fox jumps",
        "two.md": "a brown dog sleeps; quick thinking",
        "three.md": "planning the planetary plan",
        "four.md": "Crème brûlée at the café, naïve résumé",
        "five.md": "name: alpha NEAR beta (gamma) e-mail",
    }.items():
        artifacts.create(ws, f"/{name}", text)
    return ws


@pytest.mark.parametrize("query, expected", [
    ("quick brown", {"one.md", "two.md"}),               # words: all must match
    ('"quick brown"', {"one.md"}),                      # exact phrase
    ('"brown dog"', {"two.md"}),
    ("plan*", {"three.md"}),                             # prefix
    ("pl*", {"three.md"}),                               # short prefix (prefix index 2)
    ("planet*", {"three.md"}),
    ("brown -fox", {"two.md"}),                          # exclude
    ('brown -"quick brown"', {"two.md"}),                # exclude a phrase
    ("fox OR dog", {"one.md", "two.md"}),                # OR
    ("fox OR dog sleeps", {"two.md"}),                   # (fox OR dog) AND sleeps
    ("cafe", {"four.md"}), ("CAFÉ", {"four.md"}),        # case and diacritics
    ("creme brulee naive resume", {"four.md"}),
    ("résumé", {"four.md"}),
    ("quick or", set()),                                 # lowercase "or" is a word
    ("-fox", set()),                                     # nothing positive: no hits
])
def test_query_syntax(corpus, query, expected):
    assert set(_names(corpus, query)) == expected


@pytest.mark.parametrize("query, expected", [
    ('"quick brown', {"one.md", "two.md"}), ('"nowhere quick', set()),
    ('quick"', {"one.md", "two.md"}),
    ("-", set()), ("- quick", {"one.md", "two.md"}),
    ("NEAR(alpha beta)", {"five.md"}), ("NEAR(fox", set()), ("NEAR(alpha", {"five.md"}),
    ("name:alpha", {"five.md"}),                          # not a column filter: the words
    ("body:fox", set()),
    ("^quick", {"one.md", "two.md"}), ("+quick", {"one.md", "two.md"}),
    ("*", set()), ("quick *", {"one.md", "two.md"}), ("**fox**", {"one.md"}),
    ("(gamma)", {"five.md"}), ("(quick) AND (fox)", set()), ("(quick) (fox)", {"one.md"}),
    ("AND", set()), ("NOT fox", set()), ("fox NOT", set()),
    ("OR", set()), ("fox OR", {"one.md"}), ("OR fox", set()),
    ("e-mail", {"five.md"}), ('""', set()), ('"" fox', {"one.md"}),
    ("fox\x00dog", set()), ("sleeps\x00dog", {"two.md"}), ("\u200b", set()), ("fox '); DROP TABLE artifacts; --", set()),
])
def test_malformed_queries_are_plain_words_and_never_fail(corpus, query, expected):
    assert set(_names(corpus, query)) == expected
    assert len(_names(corpus, "fox")) == 1  # nothing was dropped


def test_terms_are_reported_for_the_page(corpus):
    result = search.search(corpus, 'quick "brown fox" plan* -dog')
    assert result["terms"] == ["quick", "brown fox", "plan"]


# --- snippets --------------------------------------------------------------------------------

def test_snippets_escape_hostile_text_and_names(tmp_path):
    ws = _ws(tmp_path)
    hostile = ('<img src=x onerror="alert(1)"> needle </mark><script>alert(2)</script> '
               "&amp; \x02\x03 needle")
    artifacts.create(ws, '/<img src=x onerror="x">needle.md', hostile)
    [hit] = search.search(ws, "needle")["hits"]
    for html in (hit["snippet_html"], hit["name_html"]):
        stripped = html.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped and '"' not in stripped
    assert hit["snippet_html"].count("<mark>") == hit["snippet_html"].count("</mark>") == 2
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in hit["snippet_html"]
    assert "&amp;amp;" in hit["snippet_html"]
    assert hit["name_html"] == ("&lt;img src=x onerror=&quot;x&quot;&gt;<mark>needle</mark>"
                                ".md")


def test_snippet_is_a_window_of_a_long_text(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/long.md", "lorem " * 500 + "target " + "ipsum " * 500)
    [hit] = search.search(ws, "target")["hits"]
    assert "<mark>target</mark>" in hit["snippet_html"]
    assert hit["snippet_html"].startswith("…") and len(hit["snippet_html"]) < 200


# --- ranking, filters, pages ---------------------------------------------------------------

def test_a_match_in_the_name_ranks_above_one_in_the_text(tmp_path):
    ws = _ws(tmp_path)
    filler = " ".join(f"word{i}" for i in range(40))
    artifacts.create(ws, "/mentions.md", f"{filler} budget budget {filler}")
    artifacts.create(ws, "/budget.md", filler)
    artifacts.create(ws, "/unrelated.md", filler)
    hits = search.search(ws, "budget")["hits"]
    assert [h["name"] for h in hits] == ["budget.md", "mentions.md"]
    assert hits[0]["score"] > hits[1]["score"] and [h["rank"] for h in hits] == [1, 2]


def test_filters_sort_and_pages(tmp_path):
    ticks = iter(range(1_000, 10_000, 10))
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF",
                           clock=lambda: next(ticks))
    for i in range(5):
        artifacts.create(ws, f"/notes/sub/n{i}.md", f"shared note {i}")
    artifacts.create(ws, "/notes/code.py", "shared = 1")
    artifacts.create(ws, "/notes-other/x.md", "shared elsewhere")  # a sibling, not below
    assert len(_names(ws, "shared")) == 7
    assert sorted(_names(ws, "shared", folder="/notes")) == [
        "code.py", "n0.md", "n1.md", "n2.md", "n3.md", "n4.md"]
    assert _names(ws, "shared", folder="/notes", kinds=["code"]) == ["code.py"]
    by_date = _names(ws, "shared", sort="date")
    assert by_date[:2] == ["x.md", "code.py"]
    first = search.search(ws, "shared", sort="date", limit=3)
    second = search.search(ws, "shared", sort="date", limit=3, offset=first["next_offset"])
    last = search.search(ws, "shared", sort="date", limit=3, offset=second["next_offset"])
    names = [h["name"] for page in (first, second, last) for h in page["hits"]]
    assert names == by_date and last["next_offset"] is None
    assert [h["rank"] for h in second["hits"]] == [4, 5, 6]


# --- the API ----------------------------------------------------------------------------------

def test_search_query_through_the_api(tmp_path):
    api.open_workspace(str(tmp_path / "api.sqlite"), synchronous="OFF")
    try:
        api.dispatch("artifacts.create", {"path": "/docs/guide.md", "content": "# Guide\nsetup"})
        result = api.dispatch("search.query", {"query": "setup", "folder": "/docs",
                                               "kinds": ["markdown"], "sort": "date"})
        assert [h["name"] for h in result["hits"]] == ["guide.md"]
        assert api.dispatch("search.query", {"query": '(setup* OR "guide'})["hits"]
        from pylib import rpc

        commits = api.current().commits
        reply = rpc.answer({"id": 1, "method": "search.query", "params": {"query": "x"}})
        assert reply["ok"] and reply["result"]["hits"] == []
        assert api.current().commits == commits  # a search writes nothing
        with pytest.raises(InvalidParams):
            api.dispatch("search.query", {"query": "setup", "limit": 0})
        with pytest.raises(InvalidParams):
            api.dispatch("search.query", {"query": "setup", "kinds": ["pdf"]})
    finally:
        api.close_workspace()


def test_random_operator_soup_never_fails(corpus):
    """A seeded fuzz of FTS5's special characters (runs in Pyodide, where hypothesis is not
    installed; tests/pylib/test_search_property.py explores far more in CPython)."""
    import random

    rng = random.Random(8)
    alphabet = ['"', "-", "*", "(", ")", ":", "^", "+", "OR", "AND", "NOT", "NEAR(", "NEAR/2",
                "name:", "{name body}:", " ", "\x00", "\\", "'", "é", "\u0301", "fox", "brown",
                "qu", "\U0001f600", "\ufeff", "\n"]
    found = 0
    for _ in range(400):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        found += bool(search.search(corpus, query)["hits"])
    assert found > 20  # many of them still find the words they hold


def test_a_query_matching_much_of_the_workspace_lists_name_matches_then_newest(
        tmp_path, monkeypatch):
    from pylib.search import keyword

    ticks = iter(range(1_000, 100_000, 10))
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF",
                           clock=lambda: next(ticks))
    for i in range(6):
        artifacts.create(ws, f"/d/note{i}.md", f"common text {i}")
    named = artifacts.create(ws, "/d/common.md", "unrelated")
    artifacts.create(ws, "/e/common ground.md", "common words")
    artifacts.update(ws, artifacts.create(ws, "/d/old.md", "x").id, "common again")  # newest
    exact = _names(ws, "common")
    monkeypatch.setattr(keyword, "RANKED_MATCHES", 3)

    listed = _names(ws, "common")

    assert sorted(listed) == sorted(exact) and len(listed) == 9
    assert listed[:2] == ["common ground.md", "common.md"]  # names first, newest first
    assert listed[2:] == ["old.md"] + [f"note{i}.md" for i in reversed(range(6))]
    assert all(h["score"] is None for h in search.search(ws, "common")["hits"])
    pages = [search.search(ws, "common", limit=2, offset=o)["hits"] for o in range(0, 10, 2)]
    assert [h["name"] for page in pages for h in page] == listed
    assert [h["rank"] for page in pages for h in page] == list(range(1, 10))
    assert _names(ws, "common", folder="/d") == ["common.md", "old.md"] + [
        f"note{i}.md" for i in reversed(range(6))]
    trash.trash_artifact(ws, named.id)
    assert "common.md" not in _names(ws, "common")


def test_date_order_is_the_same_for_few_and_many_matches(tmp_path, monkeypatch):
    from pylib.search import keyword

    ticks = iter(range(1_000, 100_000, 10))
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF",
                           clock=lambda: next(ticks))
    docs = [artifacts.create(ws, f"/f{i % 2}/n{i}.md", f"word {i}") for i in range(8)]
    artifacts.update(ws, docs[2].id, "word edited")
    folders.rename(ws, "/f1", "g1")  # touches updated_at without changing what is indexed
    few = [_names(ws, "word", sort="date", folder=f) for f in (None, "/g1")]
    monkeypatch.setattr(keyword, "RANKED_MATCHES", 2)
    many = [_names(ws, "word", sort="date", folder=f) for f in (None, "/g1")]
    assert few == many and few[0][:5] == ["n7.md", "n5.md", "n3.md", "n1.md", "n2.md"]


def test_ranked_pages_skip_trashed_documents_even_when_they_rank_first(tmp_path):
    ws = _ws(tmp_path)
    best = [artifacts.create(ws, f"/t/otter {i}.md", "otter otter otter") for i in range(25)]
    kept = [artifacts.create(ws, f"/k/note {i}.md", f"an otter and {i} words more") for i in range(5)]
    for doc in best:
        trash.trash_artifact(ws, doc.id)
    pages = [search.search(ws, "otter", limit=2, offset=o) for o in (0, 2, 4)]
    names = [h["name"] for page in pages for h in page["hits"]]
    assert sorted(names) == sorted(d.name for d in kept) and pages[-1]["next_offset"] is None
    assert _names(ws, "otter", folder="/k") == names
