"""Older versions stored compressed: every version kept whole except each document's newest
(``full`` copies from before migration 0011, ``zlib`` keyframes) becomes a ``zstd`` keyframe
when that is smaller. The newest version stays as it is (the next save turns it into a delta,
as before). Deltas are left alone: they are already small. Each row is rewritten by id, so
the step is one pass over the history with no chain to follow; a value that does not
decompress is left untouched (it reads as damaged, exactly as before). The logic is frozen
here on purpose; :mod:`pylib.compress` is only the zstd module of the host.
"""

from __future__ import annotations

import sqlite3
import zlib

from pylib import compress


def _plain(storage: str, content: bytes) -> bytes | None:
    if storage == "full":
        return content
    try:
        return zlib.decompress(content)
    except zlib.error:
        return None


def apply(conn: sqlite3.Connection) -> None:
    ids = [i for (i,) in conn.execute(
        "SELECT v.id FROM artifact_versions v WHERE v.storage IN ('full', 'zlib')"
        " AND v.content IS NOT NULL AND v.seq < (SELECT max(w.seq) FROM artifact_versions w"
        " WHERE w.artifact_id = v.artifact_id)")]
    for version_id in ids:
        storage, content = conn.execute(
            "SELECT storage, content FROM artifact_versions WHERE id = ?", (version_id,)).fetchone()
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        plain = _plain(storage, data)
        if plain is None:
            continue
        packed = compress.pack(plain)
        if len(packed) < len(data):
            conn.execute("UPDATE artifact_versions SET storage = 'zstd', content = ? WHERE id = ?",
                         (packed, version_id))
