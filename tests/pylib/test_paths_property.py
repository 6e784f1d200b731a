"""Property checks of path validation (CPython only: needs hypothesis)."""

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

import sqlite3  # noqa: E402

from pylib import artifact_tree, paths  # noqa: E402
from pylib.errors import InvalidPath  # noqa: E402


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_either_refused_or_normalised_safely(text):
    try:
        path = paths.normalize_path(text)
    except InvalidPath:
        return
    segments = path.split("/")
    assert segments[0] == "" and all(segments[1:])
    assert ".." not in segments and "." not in segments
    assert not any(ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in path)
    assert paths.normalize_path(path) == path  # idempotent
    assert paths.join(paths.parent_of(path), paths.name_of(path)) == path


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab. ()", min_size=1, max_size=8), max_size=6))
def test_free_name_never_returns_a_taken_name(taken):
    taken_set = set(taken)
    for name in taken or ["x"]:
        chosen = paths.free_name(name, taken_set.__contains__)
        assert chosen not in taken_set


_SEGMENT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                   max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_SEGMENT, st.sampled_from(["/", "é", "🎉", '"'])), max_size=8),
       st.booleans(), _SEGMENT)
def test_listing_folder_in_sql_is_the_python_one(parts, name_is_last, other_name):
    """tree.list computes each artifact's folder in SQL, also for rows the engine would not
    write (a name that is not the last segment, no "/" at all): it must match Python's."""
    path = "".join(parts)
    name = path[path.rfind("/") + 1:] if name_is_last else other_name
    conn = sqlite3.connect(":memory:")
    [(folder,)] = conn.execute(
        f"SELECT {artifact_tree._FOLDER} FROM (SELECT ? AS path, ? AS name,"
        " length(?) - length(?) AS cut)", (path, name, path, name))
    assert folder == (path[: path.rfind("/")] or "/")
