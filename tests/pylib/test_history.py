"""A version against the one before it and against the current text (pylib.history)."""

import pytest

from pylib import api, artifacts, db, history, versions
from pylib.errors import InvalidParams, NotFound


@pytest.fixture
def ws():
    workspace = db.open_workspace(":memory:")
    yield workspace
    workspace.close()


def _ids(ws, artifact_id):
    return [v["id"] for v in reversed(versions.list_versions(ws, artifact_id))]


def _ops(d):
    return [(line["op"], line["text"]) for h in d["hunks"] for line in h["lines"]]


def test_each_version_against_the_one_before(ws):
    note = artifacts.create(ws, "/n.md", "one\ntwo\nthree\n")
    artifacts.update(ws, note.id, "one\n2\nthree\nfour\n")
    first, second = _ids(ws, note.id)
    created = history.diff(ws, first)
    assert created["base_id"] is None and (created["added"], created["removed"]) == (3, 0)
    edit = history.diff(ws, second)
    assert edit["base_id"] == first and (edit["added"], edit["removed"]) == (2, 1)
    assert _ops(edit) == [("same", "one"), ("removed", "two"), ("added", "2"),
                          ("same", "three"), ("added", "four")]


def test_a_version_against_the_current_text_says_what_restoring_would_change(ws):
    note = artifacts.create(ws, "/n.md", "alpha\nbeta\n")
    artifacts.update(ws, note.id, "alpha\nbeta\ngamma\n")
    first, current = _ids(ws, note.id)
    assert _ops(history.diff(ws, first, "current")) == [
        ("same", "alpha"), ("same", "beta"), ("removed", "gamma")]
    same = history.diff(ws, current, "current")
    assert same["hunks"] == [] and (same["added"], same["removed"]) == (0, 0)


def test_long_unchanged_runs_are_cut_to_context(ws):
    lines = [f"line {i}" for i in range(200)]
    note = artifacts.create(ws, "/n.md", "\n".join(lines))
    lines[100] = "changed"
    artifacts.update(ws, note.id, "\n".join(lines))
    [hunk] = history.diff(ws, _ids(ws, note.id)[1])["hunks"]
    assert hunk["old_start"] == 98 and len(hunk["lines"]) == 3 + 2 + 3


def test_a_huge_change_says_how_many_lines_were_left_out(ws):
    note = artifacts.create(ws, "/n.md", "")
    artifacts.update(ws, note.id, "\n".join(f"l{i}" for i in range(history.MAX_LINES + 50)))
    got = history.diff(ws, _ids(ws, note.id)[1])
    assert got["added"] == history.MAX_LINES + 50 and got["cut"] == 50


def test_a_binary_version_has_no_line_diff(ws):
    pic = artifacts.create(ws, "/p.png", b"\x89PNG\x00\x01", mime_type="image/png")
    assert history.diff(ws, _ids(ws, pic.id)[0])["binary"] is True
    with pytest.raises(NotFound):
        history.diff(ws, "nope")


@pytest.fixture
def api_ws():
    yield api.open_workspace(":memory:")
    api.close_workspace()


def test_through_the_api(api_ws):
    note = artifacts.create(api_ws, "/n.md", "a")
    artifacts.update(api_ws, note.id, "b")
    got = api.dispatch("versions.diff", {"version_id": _ids(api_ws, note.id)[1]})
    assert _ops(got) == [("removed", "a"), ("added", "b")]
    with pytest.raises(InvalidParams):
        api.dispatch("versions.diff", {"version_id": "x", "against": "tomorrow"})
