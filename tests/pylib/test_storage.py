"""Storage stats: size, breakdown by type, versions, trash, pending uploads."""

from pylib import artifacts, db, storage, trash
from pylib.content import INLINE_LIMIT
from pylib.migrations import LATEST_VERSION


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def test_breakdown(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/a.md", "12345")
    doc = artifacts.create(ws, "/b.txt", "abc")
    artifacts.update(ws, doc.id, "abcdef")
    artifacts.create(ws, "/c.py", "print(1)")
    artifacts.upload(ws, "/d.png", b"\x89PNG" + b"\x00" * 96)
    artifacts.upload(ws, "/e.bin", b"\x01" * (INLINE_LIMIT + 5))
    gone = artifacts.create(ws, "/f.md", "trash me")
    trash.trash_artifact(ws, gone.id)
    s = storage.stats(ws)
    by = {u.kind: (u.count, u.bytes) for u in s.by_type}
    assert by == {"markdown": (1, 5), "text": (1, 6), "code": (1, 8), "image": (1, 100),
                  "other": (1, INLINE_LIMIT + 5)}
    assert s.artifacts.count == 5
    assert s.versions.count == 7
    assert s.versions.bytes == 5 + 3 + 6 + 8 + 100 + 8  # the large upload is not versioned
    assert (s.trashed.count, s.trashed.bytes, s.trash_units) == (1, 8, 1)
    assert (s.pending_uploads.count, s.pending_uploads.bytes) == (1, INLINE_LIMIT + 5)
    assert s.size_bytes == s.page_size * s.page_count >= INLINE_LIMIT
    assert s.actions == 8


def test_info(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/x/a.md", "a")
    info = storage.info(ws)
    assert info.schema_version == info.latest_version == LATEST_VERSION
    assert (info.artifact_count, info.folder_count, info.commits) == (1, 1, 1)
    assert info.size_bytes > 0
