"""Artifacts: create, read, update, rename, move, upload, download."""

import hashlib
import json

import pytest

from pylib import activity, artifacts, db, folders
from pylib.content import INLINE_LIMIT
from pylib.errors import Conflict, InvalidPath, NotFound, TooLarge
from pylib.models import ArtifactSummary


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def _actions(ws):
    return [a.action_type for a in reversed(activity.list_actions(ws, 500).items)]


def test_create_and_get_markdown(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/notes/ideas.md", "# Ideas\n\n*bold* <script>")
    assert art.path == "/notes/ideas.md" and art.name == "ideas.md" and art.folder == "/notes"
    assert art.kind == "markdown" and art.mime_type == "text/markdown"
    raw = "# Ideas\n\n*bold* <script>".encode()
    assert art.size_bytes == len(raw) and art.hash == hashlib.sha256(raw).hexdigest()
    got = artifacts.get(ws, art.id)
    assert got.text == "# Ideas\n\n*bold* <script>" and got.version_count == 1
    if got.html is not None:  # rendered by pylib.markdown when present
        assert "<h1 " in got.html and "<script>" not in got.html
    assert folders.list_paths(ws) == ["/notes"]
    assert _actions(ws) == ["ARTIFACT_CREATE"]


def test_binary_content_has_no_text(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/img.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    got = artifacts.get(ws, art.id)
    assert got.text is None and got.html is None and got.kind == "image"


def test_a_file_of_control_bytes_is_binary_even_when_it_decodes_as_utf8(tmp_path):
    from pylib import versions

    ws = _ws(tmp_path)
    tiny = artifacts.upload(ws, "/photo.bin", b"\x01\x02\x03", "application/octet-stream")
    license_ = artifacts.upload(ws, "/LICENSE", b"MIT License\n\nPermission\tis granted.\f\r\n")
    note = artifacts.create(ws, "/colours.md", "red: \x1b[31mred\x1b[0m\n")
    assert tiny.kind == license_.kind == "other"
    assert artifacts.get(ws, tiny.id).text is None  # shown as a file, never edited as text
    assert artifacts.get(ws, license_.id).text == "MIT License\n\nPermission\tis granted.\f\r\n"
    assert artifacts.get(ws, note.id).text == "red: \x1b[31mred\x1b[0m\n"  # a document stays text
    (kept,) = versions.list_versions(ws, tiny.id, limit=5)
    assert versions.get(ws, kept["id"]).text is None


def test_create_conflicts_with_existing_artifact_or_folder(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/a/x.md", "1")
    with pytest.raises(Conflict):
        artifacts.create(ws, "/a/x.md", "2")
    with pytest.raises(Conflict):
        artifacts.create(ws, "/a", "a document where a folder is")
    with pytest.raises(Conflict):  # a document is in the way of a parent folder
        artifacts.create(ws, "/a/x.md/y.md", "3")
    with pytest.raises(InvalidPath):
        artifacts.create(ws, "a/../x.md", "3")
    assert len(artifacts.list_tree(ws)["artifacts"]) == 1
    assert _actions(ws) == ["ARTIFACT_CREATE"]


def test_update_records_version_and_log_only_when_content_changes(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/doc.txt", "one")
    commits = ws.commits
    same = artifacts.update(ws, art.id, "one")
    assert same.version_count == 1 and ws.commits == commits
    new = artifacts.update(ws, art.id, "two", base_hash=art.hash)
    assert new.text == "two" and new.version_count == 2 and ws.commits == commits + 1
    assert new.updated_at >= art.updated_at
    assert _actions(ws) == ["ARTIFACT_CREATE", "ARTIFACT_UPDATE"]


def test_update_with_stale_base_hash_conflicts_and_changes_nothing(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/doc.txt", "one")
    artifacts.update(ws, art.id, "two")
    with pytest.raises(Conflict):
        artifacts.update(ws, art.id, "three", base_hash=art.hash)
    assert artifacts.get(ws, art.id).text == "two"


def test_rename_and_move(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/a/note.txt", "x")
    folders.create(ws, "/b")
    renamed = artifacts.rename(ws, art.id, "  note.md ")
    assert renamed.path == "/a/note.md" and renamed.kind == "markdown"
    assert renamed.mime_type == "text/markdown"  # the guessed type follows the name
    moved = artifacts.move(ws, art.id, "/b")
    assert moved.path == "/b/note.md" and moved.folder == "/b"
    with pytest.raises(NotFound):
        artifacts.move(ws, art.id, "/nowhere")
    other = artifacts.create(ws, "/b/other.md", "y")
    with pytest.raises(Conflict):
        artifacts.rename(ws, other.id, "note.md")
    with pytest.raises(InvalidPath):
        artifacts.rename(ws, other.id, "a/b")
    assert _actions(ws)[-2:] == ["ARTIFACT_MOVE", "ARTIFACT_CREATE"]


def test_upload_large_file_goes_to_pending_and_downloads_whole(tmp_path):
    ws = _ws(tmp_path)
    big = bytes(range(256)) * (INLINE_LIMIT // 256 + 10)
    art = artifacts.upload(ws, "/files/big.bin", big)
    assert art.pending_upload and art.metadata["pending_upload"] is True
    assert art.size_bytes == len(big)
    content = ws.conn.execute("SELECT content FROM artifacts WHERE id = ?", (art.id,)).fetchone()
    assert content[0] is None
    assert artifacts.download(ws, art.id)["data"] == big
    small = artifacts.upload(ws, "/files/small.bin", b"\x00\x01", "application/x-thing")
    assert not small.pending_upload and small.mime_type == "application/x-thing"
    assert artifacts.download(ws, small.id) == {
        "name": "small.bin", "mime_type": "application/x-thing", "data": b"\x00\x01"}
    assert _actions(ws) == ["ARTIFACT_UPLOAD", "ARTIFACT_UPLOAD"]


def test_a_file_whose_bytes_are_nowhere_is_refused_not_shown_empty(tmp_path):
    from pylib.errors import FileMissing

    ws = _ws(tmp_path)
    big = artifacts.upload(ws, "/files/big.bin", b"x" * (INLINE_LIMIT + 1))
    empty = artifacts.upload(ws, "/files/empty.bin", b"")
    ws.conn.execute("DELETE FROM pending_uploads")  # a workspace file copied without them
    with pytest.raises(FileMissing) as refused:
        artifacts.download(ws, big.id)
    assert refused.value.details["path"] == "/files/big.bin"
    assert artifacts.download(ws, empty.id)["data"] == b""  # an empty file is just that


def test_update_back_under_the_limit_clears_pending(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.upload(ws, "/big.txt", b"a" * (INLINE_LIMIT + 1))
    small = artifacts.update(ws, art.id, "small now")
    assert not small.pending_upload and "pending_upload" not in small.metadata
    assert ws.conn.execute("SELECT count(*) FROM pending_uploads").fetchone()[0] == 0


def test_bytes_waiting_to_upload_stay_with_their_version_when_replaced(tmp_path):
    from pylib import trash, versions

    ws = _ws(tmp_path)
    first, second = b"\x01" * (INLINE_LIMIT + 7), b"\x02" * (INLINE_LIMIT + 9)
    art = artifacts.upload(ws, "/big.bin", first)
    artifacts.update(ws, art.id, second)  # the synchronous path: no device store to move them to
    [v2, v1] = versions.list_versions(ws, art.id)
    assert v1["has_content"] and versions.content_of(ws, v1["id"])[1] == first
    assert not v2["has_content"] and artifacts.download(ws, art.id)["data"] == second
    artifacts.update(ws, art.id, "small now")  # the same going inline
    v2 = versions.list_versions(ws, art.id)[1]
    assert v2["has_content"] and versions.content_of(ws, v2["id"])[1] == second
    restored = artifacts.restore_version(ws, v1["id"])
    assert restored.hash == hashlib.sha256(first).hexdigest() and artifacts.download(ws, art.id)["data"] == first
    assert ws.conn.execute("SELECT count(*) FROM pending_uploads").fetchone()[0] == 1
    trash.trash_artifact(ws, art.id)
    trash.empty(ws)  # the last reference goes: so do the bytes
    assert ws.conn.execute("SELECT count(*) FROM pending_uploads").fetchone()[0] == 0
    assert ws.conn.execute("SELECT count(*) FROM artifact_versions").fetchone()[0] == 0


def test_absurd_sizes_are_refused():
    from pylib import content

    with pytest.raises(TooLarge) as info:
        content.check_size(b"x" * 11, limit=10)
    assert info.value.code == "too_large" and info.value.details["limit"] == 10
    content.check_size(b"x" * 10, limit=10)


def test_missing_or_trashed_artifact_is_not_found(tmp_path):
    from pylib import trash

    ws = _ws(tmp_path)
    with pytest.raises(NotFound):
        artifacts.get(ws, "nope")
    art = artifacts.create(ws, "/x.md", "x")
    trash.trash_artifact(ws, art.id)
    for call in (lambda: artifacts.get(ws, art.id), lambda: artifacts.update(ws, art.id, "y"),
                 lambda: artifacts.download(ws, art.id)):
        with pytest.raises(NotFound):
            call()


def test_failed_mutation_leaves_no_log_row(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/x.md", "x")
    with pytest.raises(Conflict):
        artifacts.create(ws, "/x.md", "again")
    assert _actions(ws) == ["ARTIFACT_CREATE"]
    payload = activity.list_actions(ws).items[0].payload
    assert payload == {"artifact_id": art.id, "path": "/x.md", "size_bytes": 1}


def test_tree_lists_empty_folders_and_summaries_without_content(tmp_path):
    ws = _ws(tmp_path)
    folders.create(ws, "/empty/inner")
    artifacts.create(ws, "/b.md", "b")
    artifacts.create(ws, "/a/c.md", "c")
    tree = artifacts.list_tree(ws)
    assert tree["folders"] == ["/a", "/empty", "/empty/inner"]
    assert [a["path"] for a in tree["artifacts"]] == ["/a/c.md", "/b.md"]
    for item in tree["artifacts"]:
        ArtifactSummary.model_validate(item)
        assert "text" not in item and "content" not in item
    json.dumps(tree)
