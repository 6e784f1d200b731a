"""Versions stored as deltas, and large documents back to being documents.

Adds ``artifact_versions.storage`` (``full`` | ``zlib`` | ``delta``) and ``base_id`` (the
version a delta is taken against). Existing rows are full copies and stay as they are: they
are read transparently, and the next save of each document turns its previous newest version
into a delta. Rewriting every old history here would make the first boot after the upgrade
slow for no gain in correctness.

Text documents (Markdown, text, code) that an older engine parked in ``pending_uploads``
because they were over 1 MB are moved back into ``artifacts.content`` so they open as
editable documents again (up to 16 MiB, the document limit when this step was written).
Their ``pending_upload`` flag is dropped, and their newest version (which matches the content
but was recorded without it) gets its content back. The logic is frozen here on purpose.
"""

from __future__ import annotations

import json
import sqlite3

_DOCUMENT_LIMIT = 16 * 1024 * 1024
_DOCUMENT_KINDS = ("markdown", "text", "code")


def apply(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE artifact_versions ADD COLUMN storage TEXT NOT NULL DEFAULT 'full'")
    conn.execute("ALTER TABLE artifact_versions ADD COLUMN base_id TEXT")
    _documents_inline(conn)


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _documents_inline(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT a.id, a.metadata, p.data FROM artifacts a JOIN pending_uploads p"
        " ON p.artifact_id = a.id WHERE a.kind IN (?, ?, ?) AND p.size_bytes <= ?",
        (*_DOCUMENT_KINDS, _DOCUMENT_LIMIT),
    ).fetchall()
    for artifact_id, raw_meta, data in rows:
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if not _is_text(data):
            continue
        try:
            meta = json.loads(raw_meta) if raw_meta else {}
        except ValueError:
            meta = {}
        if isinstance(meta, dict):
            meta.pop("pending_upload", None)
        else:
            meta = {}
        conn.execute("UPDATE artifacts SET content = ?, metadata = ? WHERE id = ?",
                     (data, json.dumps(meta), artifact_id))
        conn.execute("DELETE FROM pending_uploads WHERE artifact_id = ?", (artifact_id,))
        # The newest version matches the content but was kept without it: keep it now.
        conn.execute(
            "UPDATE artifact_versions SET content = ? WHERE artifact_id = ? AND content IS NULL"
            " AND seq = (SELECT max(seq) FROM artifact_versions WHERE artifact_id = ?)"
            " AND hash = (SELECT hash FROM artifacts WHERE id = ?)",
            (data, artifact_id, artifact_id, artifact_id),
        )
