"""Property checks: any text parses, spans point at what they name, and the index kept by
edits equals the index rebuilt from the text."""

import sys

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

from pylib import artifacts, db  # noqa: E402
from pylib.links import index  # noqa: E402
from pylib.links.markup import _FENCE, _mask_spans, mask_code  # noqa: E402
from pylib.links.parse import parse_links, parse_tags  # noqa: E402

# Fewer examples inside Pyodide, where each one costs several times more.
_EXAMPLES = 40 if sys.platform == "emscripten" else 200
_pieces = st.sampled_from([
    "[[", "]]", "|", "#", "[", "](", ")", "`", "```", "~~~", "\n", " ", "../", "/", ".md",
    "<", ">", "%20", "Plan", "Note", "---\n", "tags:", "!", "\\", "é", "#tag", "#1"])
_texts = st.lists(_pieces | st.text(max_size=5), max_size=60).map("".join)


@settings(max_examples=_EXAMPLES * 2, deadline=None)
@given(_texts, st.sampled_from(["/", "/a", "/a/b"]))
def test_any_text_parses_and_spans_point_at_targets(text, folder):
    masked = mask_code(text)
    assert len(masked) == len(text)
    for link in parse_links(text, folder):
        raw = text[link.start:link.end]
        assert raw.strip() == raw and raw
        if link.kind != "markdown":
            assert raw == link.target
        else:
            assert link.path is not None and link.path.startswith("/")
    for tag in parse_tags(text):
        assert tag and " " not in tag and not tag.replace("/", "").isdigit()


@settings(max_examples=_EXAMPLES * 2, deadline=None)
@given(_texts)
def test_masking_only_blanks_characters_and_keeps_every_newline(text):
    masked = mask_code(text)
    assert len(masked) == len(text)
    for kept, was in zip(masked, text):
        assert kept == was or (kept == " " and was != "\n")
    # Nothing left is code, with one exception CommonMark makes: blanking a code span can turn
    # what is left of its line into a fence opener ("```0`0`" masks to "```0   "; a backtick
    # fence's info string may hold no backtick, so only the second line opens a fence).
    assert _mask_spans(masked) == masked
    opened = any(line != was and _FENCE.match(line) for line, was in zip(masked.split("\n"), text.split("\n")))
    if not opened:
        assert mask_code(masked) == masked


def test_a_code_span_blanked_off_a_fence_like_line_is_masked_once() -> None:
    assert mask_code("```0`0`") == "```0   "  # a paragraph: "```" literal, then the span `0`
    assert mask_code("```0   ") == "       "  # this one opens a fence


_names = st.sampled_from(["Plan", "plan", "Note", "a/Plan", "b/Note", "Other"])
_bodies = st.lists(st.one_of(
    _names.map(lambda n: f"[[{n}]] "), _names.map(lambda n: f"[x]({n}.md) "),
    st.sampled_from(["#t ", "#t/u ", "`[[Plan]]` ", "text "])), max_size=8).map("".join)
_ops = st.lists(st.tuples(st.sampled_from(["create", "update", "rename", "trash"]),
                          st.integers(0, 5), _names, _bodies), max_size=12)


@settings(max_examples=_EXAMPLES, deadline=None)
@given(_ops)
def test_the_kept_index_equals_the_rebuilt_one(ops):
    ws = db.open_workspace(":memory:")
    try:
        live = []
        for op, pick, name, body in ops:
            try:
                if op == "create" or not live:
                    live.append(artifacts.create(ws, f"/{name}.md", body).id)
                elif op == "update":
                    artifacts.update(ws, live[pick % len(live)], body)
                elif op == "rename":
                    artifacts.rename(ws, live[pick % len(live)], name.split("/")[-1] + ".md")
                else:
                    from pylib import trash
                    trash.trash_artifact(ws, live.pop(pick % len(live)))
            except Exception as exc:
                assert getattr(exc, "code", None) in ("conflict", "not_found"), exc
        query = ("SELECT * FROM links UNION ALL SELECT artifact_id, tag_key, tag, direct,"
                 " '', '', '', '', '' FROM note_tags UNION ALL SELECT 'count', tag_key, tag,"
                 " notes, direct, '', '', '', '' FROM tag_counts ORDER BY 1, 2, 3, 4")
        kept = ws.conn.execute(query).fetchall()
        index.rebuild(ws.conn)
        assert ws.conn.execute(query).fetchall() == kept
    finally:
        ws.close()
