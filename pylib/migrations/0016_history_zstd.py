"""Older versions stored compactly: history kept whole before migration 0011 (``full`` copies)
and ``zlib`` keyframes are re-encoded as the engine stores history today — a reverse delta
against the next newer version when that is small, else a ``zstd`` keyframe.

Each document's versions are walked newest first, carrying the plain bytes of the version just
read, so every delta is taken against bytes already in hand and no chain is rebuilt twice. The
newest version stays as it is (the next save turns it into a delta, as before). A run of deltas
ends with a keyframe after 128 of them (as :data:`pylib.version_store.MAX_CHAIN`). A row whose
bytes cannot be read (damaged) is left untouched and the walk starts afresh behind it: it
reads as damaged exactly as before. The logic is frozen here on purpose; :mod:`pylib.compress`
and :mod:`pylib.deltas` are the codecs, whose formats never change.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib

from pylib import compress, deltas

_MAX_CHAIN = 128
_SHARE = 0.5


def _plain(storage: str, content: bytes, newer: tuple[str, bytes] | None,
           base_id: str | None) -> bytes | None:
    try:
        if storage == "full":
            return content
        if storage == "zlib":
            return zlib.decompress(content)
        if storage == "zstd":
            return compress.unpack(content)
        if storage == "delta" and newer is not None and base_id == newer[0]:
            return deltas.apply(newer[1], content)
    except (zlib.error, compress.CompressedDataError, deltas.DeltaError):
        return None
    return None


def _encode(plain: bytes, newer: tuple[str, bytes] | None,
            run: int) -> tuple[str, bytes, str | None]:
    if newer is not None and run + 1 < _MAX_CHAIN:
        delta = deltas.encode(newer[1], plain)
        if len(delta) <= _SHARE * len(plain):
            return "delta", delta, newer[0]
    packed = compress.pack(plain)
    return ("zstd", packed, None) if len(packed) < len(plain) else ("full", plain, None)


def _document(conn: sqlite3.Connection, artifact_id: str) -> None:
    rows = conn.execute(
        "SELECT id, storage, base_id, hash FROM artifact_versions WHERE artifact_id = ?"
        " AND content IS NOT NULL ORDER BY seq DESC", (artifact_id,)).fetchall()
    newer: tuple[str, bytes] | None = None
    run = 0
    for i, (version_id, storage, base_id, hash_) in enumerate(rows):
        content = conn.execute("SELECT content FROM artifact_versions WHERE id = ?",
                               (version_id,)).fetchone()[0]
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        plain = _plain(storage, data, newer, base_id)
        if plain is None or (hash_ and hashlib.sha256(plain).hexdigest() != hash_):
            newer, run = None, 0  # unreadable here (or a delta against another row): keep it
            continue
        if i > 0 and storage in ("full", "zlib"):
            storage, data, base_id = _encode(plain, newer, run)
            conn.execute("UPDATE artifact_versions SET storage = ?, content = ?, base_id = ?"
                         " WHERE id = ?", (storage, data, base_id, version_id))
        run = run + 1 if storage == "delta" else 0
        newer = (version_id, plain)


def apply(conn: sqlite3.Connection) -> None:
    docs = [a for (a,) in conn.execute(
        "SELECT DISTINCT artifact_id FROM artifact_versions WHERE storage IN ('full', 'zlib')")]
    for artifact_id in docs:
        _document(conn, artifact_id)
