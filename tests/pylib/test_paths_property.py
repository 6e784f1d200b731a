"""Property checks of path validation (CPython only: needs hypothesis)."""

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

from pylib import paths  # noqa: E402
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
