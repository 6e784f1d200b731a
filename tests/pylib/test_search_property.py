"""Property checks of the search box's syntax (needs hypothesis; skipped where it is missing).

Whatever is typed, a query gives hits or an empty list and never an exception, and the
expression handed to FTS5 has exactly the structure the translator builds.
"""

import re
import sys

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from pylib import artifacts, db, search  # noqa: E402
from pylib.search.query import parse, translate  # noqa: E402

# What people and FTS5 treat specially, mixed with ordinary words and any character at all.
SPECIAL = st.sampled_from(['"', "-", "*", "(", ")", ":", "^", "+", "OR", "AND", "NOT",
                           "NEAR(", "name:", "body:", "{name}", " ", '""', "\x00", "é",
                           "fox", "brown", "qu"])
QUERIES = st.one_of(
    st.text(max_size=80),
    st.lists(SPECIAL, max_size=14).map("".join),
    st.lists(st.one_of(SPECIAL, st.text(max_size=4)), max_size=10).map(" ".join),
)
_QUOTED = r'"(?:[^"]|"")*"\*?'
# Pyodide (where the suite also runs) is several times slower: fewer examples there.
EXAMPLES = 200 if sys.platform == "emscripten" else 800


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = db.open_workspace(str(tmp_path_factory.mktemp("p") / "w.sqlite"), synchronous="OFF")
    artifacts.create(ws, "/a.md", 'the quick brown fox: NEAR(x) "quoted" café')
    artifacts.create(ws, "/b (OR).md", "brown dog -minus *star* name:value")
    artifacts.upload(ws, "/c.bin", b"\x00\x01brown")
    return ws


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUERIES, st.sampled_from(["relevance", "date"]))
def test_any_text_gives_hits_or_nothing_never_an_error(ws, query, sort):
    result = search.search(ws, query, sort=sort)
    assert isinstance(result["hits"], list)
    for hit in result["hits"]:
        assert hit["name"] in {"a.md", "b (OR).md", "c.bin"}
        stripped = hit["snippet_html"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped


@settings(max_examples=EXAMPLES, deadline=None)
@given(QUERIES)
def test_every_term_reaches_fts5_quoted(query):
    expression = translate(query)
    if expression is None:
        return
    # Take out the quoted terms: only our own operators and parentheses may remain.
    skeleton = re.sub(_QUOTED, "T", expression)
    assert set(skeleton.replace("AND", "").replace("OR", "").replace("NOT", "")) <= set("T() ")
    assert expression.count('"') % 2 == 0
    assert "\x00" not in expression


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=6))
def test_plain_words_are_kept_as_they_are(words):
    assert [t.text for t in parse(" ".join(words)).terms] == words


@settings(max_examples=EXAMPLES // 2, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUERIES, st.sampled_from(["relevance", "date"]))
def test_the_path_for_queries_matching_much_of_the_workspace_never_fails(ws, query, sort):
    from pylib.search import keyword

    saved, keyword.RANKED_MATCHES = keyword.RANKED_MATCHES, 0  # every query takes that path
    try:
        many = search.search(ws, query, sort=sort)
    finally:
        keyword.RANKED_MATCHES = saved
    ranked = search.search(ws, query, sort=sort)
    assert sorted(h["id"] for h in many["hits"]) == sorted(h["id"] for h in ranked["hits"])
