"""How version content is stored: the newest in full, older ones as reverse deltas.

Each row of ``artifact_versions`` has a ``storage``:

* ``full`` — ``content`` is the version's bytes (the newest version, and every row written
  before migration 0011: old full copies are read as they are);
* ``zstd`` — ``content`` is the bytes compressed with zstd (a keyframe, :mod:`pylib.compress`;
  migration 0016 re-encoded older full copies and ``zlib`` keyframes this way);
* ``zlib`` — ``content`` is the bytes compressed with zlib (a keyframe written before 0016);
* ``delta`` — ``content`` is a :mod:`pylib.deltas` delta that rebuilds this version from the
  version ``base_id`` (the one recorded right after it).

When a version is recorded, the previous newest (``full``, or ``zstd`` as a snapshot brings
it) is re-encoded as a delta against
the new one, so a save costs what changed. A keyframe (the previous newest kept whole,
compressed) is written instead when the run of deltas behind it has grown long
(:data:`MAX_CHAIN`) or heavy (its bytes exceed half the text): this bounds both the work of
rebuilding any version and the bytes a run of large edits can cost over full copies.

Rebuilt content is checked against the version's SHA-256 ``hash``: a restore is exact or it
fails with :class:`~pylib.errors.VersionCorrupt` for that version only.
"""

from __future__ import annotations

import zlib
from typing import Any

from pylib import compress, deltas
from pylib.content import digest, to_bytes
from pylib.db import Workspace
from pylib.errors import VersionCorrupt

# Rebuilding applies at most this many deltas. For small edits of a 1 MB note the chain
# costs less than reading the anchor and checking the hash (bench/versions_delta.py), so the
# bound is set by space: a keyframe (about half the text, compressed) every 128 saves.
MAX_CHAIN = 128
# A run of deltas that costs more than this share of a full copy ends with a keyframe.
KEYFRAME_SHARE = 0.5
# Guards against a damaged file whose base links loop or run far past any real chain.
_MAX_STEPS = 16 * MAX_CHAIN


def _run_behind(ws: Workspace, artifact_id: str, seq: int) -> tuple[int, int]:
    """``(count, bytes)`` of the consecutive delta rows just older than ``seq``."""
    # `storage` sits after the content in each row: reading it walks a big row's overflow
    # pages. A delta is never longer than half its text (see supersede), so a longer row is
    # known to be a copy from its length alone, which is read from the record header.
    rows = ws.conn.execute(
        "SELECT CASE WHEN length(content) > size_bytes / 2 + 64 THEN 'full' ELSE storage END,"
        " length(content) FROM artifact_versions WHERE artifact_id = ?"
        " AND seq < ? ORDER BY seq DESC LIMIT ?",
        (artifact_id, seq, MAX_CHAIN),
    )
    count = size = 0
    for storage, length in rows:
        if storage != "delta":
            break
        count += 1
        size += length or 0
    return count, size


def supersede(
    ws: Workspace, artifact_id: str, new_id: str, new_data: bytes | None,
    previous: tuple[str | None, Any] | None = None,
) -> None:
    """Re-encode the newest version of ``artifact_id`` now that ``new_id`` (with
    ``new_data``, or ``None`` if its content is not kept) is about to follow it.

    ``previous``: ``(hash, content)`` of the artifact before this save, when the caller has
    it: if the newest version has that hash, its content is not read again."""
    if new_data is None:
        return
    # A full copy is exactly as long as its text: known so without reading `storage`, which
    # sits after the content (reading it would walk every overflow page of a big row).
    row = ws.conn.execute(
        "SELECT id, seq, CASE WHEN length(content) = size_bytes AND size_bytes > 128"
        " THEN 'full' ELSE storage END, hash, length(content) FROM artifact_versions"
        " WHERE artifact_id = ? ORDER BY seq DESC LIMIT 1",
        (artifact_id,),
    ).fetchone()
    # A newest version packed with zstd is a device's first save after taking a snapshot
    # (pylib.sync: the texts came as stored frames): it becomes a delta the same way.
    if row is None or row[2] not in ("full", "zstd") or row[4] is None:
        return
    if previous is not None and previous[1] is not None and previous[0] == row[3]:
        old = to_bytes(previous[1])
    else:
        old = anchor(row[2], ws.conn.execute(
            "SELECT content FROM artifact_versions WHERE id = ?", (row[0],)).fetchone()[0])
    delta = deltas.encode(new_data, old)
    count, size = _run_behind(ws, artifact_id, row[1])
    if count + 1 < MAX_CHAIN and size + len(delta) <= KEYFRAME_SHARE * len(old):
        ws.conn.execute(
            "UPDATE artifact_versions SET storage = 'delta', base_id = ?, content = ?"
            " WHERE id = ?",
            (new_id, delta, row[0]),
        )
        return
    if row[2] == "zstd":
        return  # a keyframe already
    storage, packed = pack_keyframe(old)
    if storage != "full":
        ws.conn.execute(
            "UPDATE artifact_versions SET storage = ?, content = ? WHERE id = ?",
            (storage, packed, row[0]),
        )


class _Rows:
    """The rows a chain walks through: read in ``seq`` order with one statement (a delta's
    base is nearly always the next version), by id when a link points elsewhere (merges)."""

    def __init__(self, ws: Workspace, artifact_id: str, seq: int) -> None:
        self.ws, self.artifact_id = ws, artifact_id
        self.cursor = ws.conn.execute(
            "SELECT id, storage, base_id, content FROM artifact_versions WHERE artifact_id = ?"
            " AND seq > ? ORDER BY seq", (artifact_id, seq))
        self.seen: dict[str, tuple[Any, ...]] = {}

    def get(self, version_id: str) -> tuple[Any, ...]:
        while version_id not in self.seen:
            row = self.cursor.fetchone()
            if row is None:
                break
            self.seen[row[0]] = row[1:]
        row = self.seen.get(version_id) or self.ws.conn.execute(
            "SELECT storage, base_id, content FROM artifact_versions WHERE id = ?"
            " AND artifact_id = ?", (version_id, self.artifact_id)).fetchone()
        if row is None:
            raise VersionCorrupt(f"A version this one is stored against is missing ({version_id}).")
        return row


def anchor(storage: str, content: Any) -> bytes:
    """The bytes of a version kept whole (``full``, ``zstd`` or ``zlib``); raises
    :class:`VersionCorrupt` if the stored copy is damaged."""
    if storage == "full":
        return to_bytes(content)
    if storage == "zstd":
        try:
            return compress.unpack(to_bytes(content))
        except compress.CompressedDataError as exc:
            raise VersionCorrupt(f"A stored copy is damaged ({exc}).") from exc
    if storage == "zlib":
        try:
            return zlib.decompress(to_bytes(content))
        except zlib.error as exc:
            raise VersionCorrupt(f"A stored copy is damaged ({exc}).") from exc
    raise VersionCorrupt(f"Unknown version storage {storage!r}.")


def content_of(
    ws: Workspace, version_id: str, artifact_id: str, seq: int, storage: str,
    base_id: str | None, content: Any, hash_: str | None,
) -> bytes | None:
    """The bytes of one version row (``None`` if its content was never kept)."""
    if content is None:
        return None
    chain: list[bytes] = []
    seen = {version_id}
    rows = _Rows(ws, artifact_id, seq) if storage == "delta" else None
    while storage == "delta":
        chain.append(to_bytes(content))
        if base_id is None or base_id in seen or len(seen) > _MAX_STEPS:
            raise VersionCorrupt(id=version_id)
        seen.add(base_id)
        storage, next_base, content = rows.get(base_id)
        if content is None:
            raise VersionCorrupt(id=version_id)
        base_id = next_base
    try:
        data = deltas.apply_chain(anchor(storage, content), chain[::-1])
    except deltas.DeltaError as exc:
        raise VersionCorrupt(f"This version's stored changes are damaged ({exc}).",
                             id=version_id) from exc
    if hash_ is not None and digest(data) != hash_:
        raise VersionCorrupt("This version could not be rebuilt exactly (hash mismatch).",
                             id=version_id)
    return data


def pack_keyframe(data: bytes) -> tuple[str, bytes]:
    """``(storage, content)`` for a version kept whole: zstd when that is smaller (it is on
    the save path: zstd-3 is faster than zlib-1 in Pyodide and packs text tighter)."""
    packed = compress.pack(data)
    return ("zstd", packed) if len(packed) < len(data) else ("full", data)


def rebase(ws: Workspace, version_id: str, data: bytes, base_id: str | None,
           base_data: bytes | None) -> None:
    """Store version ``version_id`` (whose bytes are ``data``) against ``base_id`` — after
    retention removed the version it was stored against — or whole if that does not pay.
    Inside the caller's transaction."""
    if base_id is not None and base_data is not None:
        delta = deltas.encode(base_data, data)
        if len(delta) <= KEYFRAME_SHARE * len(data):
            ws.conn.execute(
                "UPDATE artifact_versions SET storage = 'delta', base_id = ?, content = ?"
                " WHERE id = ?", (base_id, delta, version_id))
            return
    storage, content = pack_keyframe(data)
    ws.conn.execute(
        "UPDATE artifact_versions SET storage = ?, base_id = NULL, content = ? WHERE id = ?",
        (storage, content, version_id))
