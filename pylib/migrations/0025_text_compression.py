"""A document's current text stored compressed: ``artifacts.content_codec`` and ``text_dicts``.

``content_codec`` is ``NULL`` for content kept as it is, ``0`` for one zstd frame, ``n > 0``
for a frame made with the dictionary ``n`` of ``text_dicts`` (zstd's own id of it, derived
from its bytes). Every existing text of a document kind (markdown, text, code) of at least 96
bytes is packed with zstd when that saves a tenth or more; the dictionary is trained later,
in the background (pylib/care/dictionary.py). Hashes, sizes, versions and the search index
stay as they are: the text does not change, only how it is kept. The logic is frozen here on
purpose; :mod:`pylib.compress` is the codec, whose format never changes.
"""

from __future__ import annotations

import sqlite3

from pylib import compress

_KINDS = ("markdown", "text", "code")
_MIN_BYTES = 96
_KEEP_SHARE = 0.9

DDL = (
    "ALTER TABLE artifacts ADD COLUMN content_codec INTEGER",
    """CREATE TABLE text_dicts (
  id INTEGER PRIMARY KEY,                -- zstd's dictionary id (derived from its bytes)
  dict BLOB NOT NULL,
  samples INTEGER NOT NULL,              -- how many texts it was trained on
  created_at INTEGER NOT NULL
)""",
)


def _text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def apply(conn: sqlite3.Connection) -> None:
    for statement in DDL:
        conn.execute(statement)
    marks = ", ".join("?" for _ in _KINDS)
    ids = [i for (i,) in conn.execute(
        f"SELECT id FROM artifacts WHERE content IS NOT NULL AND kind IN ({marks})"
        " AND length(content) >= ?", (*_KINDS, _MIN_BYTES))]
    for artifact_id in ids:
        content = conn.execute("SELECT content FROM artifacts WHERE id = ?",
                               (artifact_id,)).fetchone()[0]
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if not _text(data):
            continue
        packed = compress.pack(data)
        if len(packed) <= _KEEP_SHARE * len(data):
            conn.execute("UPDATE artifacts SET content = ?, content_codec = 0 WHERE id = ?",
                         (packed, artifact_id))
