"""The text an emptied trash keeps for sync (``sync_kept``, migration 0027) keeps its codec,
and the document it belongs to.

A document's text may be stored packed (``artifacts.content_codec``, migration 0025). The
removal's trigger copied the stored bytes but not how they were packed, so a packed text went
to the other devices as its zstd frame, and a document brought back by an edit there got a
conflict version that was not its text. The trigger now copies the codec too, and the engine
unpacks the text before it leaves the device (:func:`pylib.sync.kept.last_of`). Texts kept
before are told apart by their hash: one whose bytes do not hash to it is unpacked with each
codec the workspace knows until one does (none does: it is left as it was).
"""

from __future__ import annotations

import hashlib
import sqlite3

from pylib import compress

DDL = (
    "ALTER TABLE sync_kept ADD COLUMN codec INTEGER",
    # The document a kept text belongs to: its own last text, or one of its versions never
    # sent (pylib/sync/kept.py keep_unsent_versions); NULL in rows kept before: their own.
    "ALTER TABLE sync_kept ADD COLUMN artifact_id TEXT",
    "DROP TRIGGER sync_kept_on_purge",
    """CREATE TRIGGER sync_kept_on_purge AFTER DELETE ON artifacts
WHEN (SELECT applying FROM sync_clock) = 0 AND old.content IS NOT NULL
  AND length(old.content) <= 1048576
  AND EXISTS (SELECT 1 FROM sync_meta WHERE key = 'counter')
BEGIN
  INSERT OR REPLACE INTO sync_kept (row_id, hash, content, kept_at, codec, artifact_id)
  VALUES (old.id, old.hash, old.content,
          CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), old.content_codec, old.id);
END""",
)


def _codec_of(conn: sqlite3.Connection, data: bytes, hash_: str) -> int | None:
    dictionaries = {0: None}
    for dict_id, raw in conn.execute("SELECT id, dict FROM text_dicts"):
        try:
            dictionaries[dict_id] = compress.load_dictionary(bytes(raw))
        except Exception:  # noqa: BLE001 - a damaged dictionary opens nothing
            continue
    for codec, zstd_dict in dictionaries.items():
        try:
            plain = compress.unpack(data, zstd_dict=zstd_dict)
        except Exception:  # noqa: BLE001 - not packed this way
            continue
        if hashlib.sha256(plain).hexdigest() == hash_:
            return codec
    return None


def apply(conn: sqlite3.Connection) -> None:
    for statement in DDL:
        conn.execute(statement)
    rows = conn.execute("SELECT row_id, hash, content FROM sync_kept WHERE hash IS NOT NULL").fetchall()
    for row_id, hash_, content in rows:
        data = bytes(content)
        if hashlib.sha256(data).hexdigest() == hash_:
            continue  # kept as it is
        codec = _codec_of(conn, data, hash_)
        if codec is not None:
            conn.execute("UPDATE sync_kept SET codec = ? WHERE row_id = ?", (codec, row_id))
