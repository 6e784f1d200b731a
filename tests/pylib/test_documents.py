"""Documents stay documents: size never makes a note read-only, and its type is its own."""

import pytest

from pylib import artifacts, db, versions
from pylib.content import (
    DOCUMENT_TEXT_LIMIT, FILE_INLINE_LIMIT, INLINE_LIMIT, is_document, keeps_inline,
)
from pylib.errors import TooLarge

MIB = 1024 * 1024


def _ws(path):
    return db.open_workspace(str(path), synchronous="OFF")


def _note(size: int, tag: str = "") -> str:
    line = f"- item {tag} with **some** words in it, as notes have\n"
    return ("# Big note\n\n" + line * (size // len(line) + 1))[:size]


def test_the_limits_name_what_they_limit():
    assert FILE_INLINE_LIMIT == INLINE_LIMIT == MIB
    assert DOCUMENT_TEXT_LIMIT == 16 * MIB
    text = _note(2 * MIB).encode()
    assert is_document("markdown", text) and keeps_inline("markdown", text)
    assert not is_document("markdown", b"\x00" + text) and not keeps_inline("other", text)
    assert keeps_inline("image", b"\x89PNG" * 100)


@pytest.mark.parametrize("size", [2 * MIB, 5 * MIB])
def test_a_big_note_stays_editable_and_versioned_across_reopen(tmp_path, size):
    path = tmp_path / "w.sqlite"
    ws = _ws(path)
    art = artifacts.create(ws, "/big.md", "# start\n")
    first = artifacts.update(ws, art.id, _note(size, "a"))
    assert first.text == _note(size, "a") and not first.pending_upload
    second = artifacts.update(ws, art.id, _note(size, "a") + "\nmore\n", base_hash=first.hash)
    ws.close()
    ws = _ws(path)  # a reload: nothing may have turned into a read-only file
    got = artifacts.get(ws, art.id)
    assert got.kind == "markdown" and got.text == _note(size, "a") + "\nmore\n"
    assert not got.pending_upload and "pending_upload" not in got.metadata
    assert ws.conn.execute("SELECT count(*) FROM pending_uploads").fetchone()[0] == 0
    history = versions.list_versions(ws, art.id)
    assert [v["has_content"] for v in history] == [True, True, True]
    assert history[0]["hash"] == second.hash
    restored = artifacts.restore_version(ws, history[1]["id"])
    assert restored.text == _note(size, "a") and restored.version_count == 4
    # The middle version is a delta, not another full copy.
    stored = ws.conn.execute(
        "SELECT storage, length(content) FROM artifact_versions WHERE id = ?",
        (history[0]["id"],)).fetchone()
    assert stored[0] == "delta" and stored[1] < 200
    ws.close()


def test_a_document_over_the_limit_is_refused_and_left_as_it_was(tmp_path):
    ws = _ws(tmp_path / "w.sqlite")
    art = artifacts.create(ws, "/n.md", "keep me")
    with pytest.raises(TooLarge) as info:
        artifacts.update(ws, art.id, "x" * (DOCUMENT_TEXT_LIMIT + 1))
    assert info.value.details["limit"] == DOCUMENT_TEXT_LIMIT
    assert artifacts.get(ws, art.id).text == "keep me" and versions.count(ws, art.id) == 1
    with pytest.raises(TooLarge):
        artifacts.create(ws, "/huge.md", "x" * (DOCUMENT_TEXT_LIMIT + 1))


def test_uploads_text_becomes_a_document_binary_stays_a_file(tmp_path):
    ws = _ws(tmp_path / "w.sqlite")
    note = artifacts.upload(ws, "/import/vault.md", _note(3 * MIB).encode())
    assert not note.pending_upload and note.text is not None and note.kind == "markdown"
    blob = artifacts.upload(ws, "/import/photo.png", b"\x89PNG\r\n\x1a\n" + bytes(2 * MIB))
    assert blob.pending_upload and blob.text is None and blob.kind == "image"


def test_big_markdown_is_not_rendered_with_every_read(tmp_path):
    ws = _ws(tmp_path / "w.sqlite")
    small = artifacts.create(ws, "/s.md", "# hi")
    big = artifacts.create(ws, "/b.md", _note(2 * MIB))
    assert "<h1" in artifacts.get(ws, small.id).html
    assert artifacts.get(ws, big.id).html is None and artifacts.get(ws, big.id).text


@pytest.mark.parametrize("name", ["Keys", "Meeting 2024.05.01", "Release v1.2", "Mr. Smith"])
def test_new_notes_with_dots_or_no_extension_are_markdown(tmp_path, name):
    ws = _ws(tmp_path / "w.sqlite")
    bare = artifacts.create(ws, f"/{name}", "# note")
    # The page sends text/plain for names it does not know: still a note.
    paged = artifacts.create(ws, f"/p/{name}", "# note", "text/plain")
    for art in (bare, paged):
        assert (art.mime_type, art.kind) == ("text/markdown", "markdown") and art.html


def test_known_extensions_and_explicit_types_are_respected(tmp_path):
    ws = _ws(tmp_path / "w.sqlite")
    assert artifacts.create(ws, "/a.txt", "x").kind == "text"
    assert artifacts.create(ws, "/a.py", "x").kind == "code"
    assert artifacts.create(ws, "/LICENSE", "x", "text/x-license").mime_type == "text/x-license"
    assert artifacts.create(ws, "/img.png", b"\x89PNG\r\n\x1a\n\x00").kind == "image"


def test_rename_keeps_the_kind_unless_a_known_text_extension_is_chosen(tmp_path):
    ws = _ws(tmp_path / "w.sqlite")
    keys = artifacts.create(ws, "/Keys.md", "# keys")
    renamed = artifacts.rename(ws, keys.id, "Keys")
    assert (renamed.mime_type, renamed.kind) == ("text/markdown", "markdown") and renamed.html
    dotted = artifacts.rename(ws, keys.id, "Release v1.2")
    assert dotted.kind == "markdown"
    moved = artifacts.move(ws, artifacts.create(ws, "/sub/x.md", "").id, "/")
    assert moved.kind == "markdown"
    as_text = artifacts.rename(ws, keys.id, "keys.txt")  # an explicit change of kind
    assert (as_text.mime_type, as_text.kind) == ("text/plain", "text")
    back = artifacts.rename(ws, keys.id, "keys.md")
    assert back.kind == "markdown"
    png = artifacts.upload(ws, "/pic.png", b"\x89PNG\r\n\x1a\n\x00")
    assert artifacts.rename(ws, png.id, "pic.md").kind == "image"  # binary keeps its type
    assert artifacts.rename(ws, png.id, "pic").mime_type == "image/png"
