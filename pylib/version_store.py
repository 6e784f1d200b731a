"""How version content is stored: the newest in full, older ones as reverse deltas.

Each row of ``artifact_versions`` has a ``storage``:

* ``full`` — ``content`` is the version's bytes (the newest version, and every row written
  before migration 0011: old full copies are read as they are);
* ``zlib`` — ``content`` is the bytes compressed with zlib (a keyframe);
* ``delta`` — ``content`` is a :mod:`pylib.deltas` delta that rebuilds this version from the
  version ``base_id`` (the one recorded right after it).

When a version is recorded, the previous newest (``full``) is re-encoded as a delta against
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

from pylib import deltas
from pylib.content import digest, to_bytes
from pylib.db import Workspace
from pylib.errors import VersionCorrupt

# Rebuilding composes at most this many deltas (a few ms for small edits of a 1 MB note).
MAX_CHAIN = 256
# A run of deltas that costs more than this share of a full copy ends with a keyframe.
KEYFRAME_SHARE = 0.5
# Guards against a damaged file whose base links loop or run far past any real chain.
_MAX_STEPS = 4 * MAX_CHAIN


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


def supersede(ws: Workspace, artifact_id: str, new_id: str, new_data: bytes | None) -> None:
    """Re-encode the newest version of ``artifact_id`` now that ``new_id`` (with
    ``new_data``, or ``None`` if its content is not kept) is about to follow it."""
    if new_data is None:
        return
    row = ws.conn.execute(
        "SELECT id, seq, storage, content FROM artifact_versions WHERE artifact_id = ?"
        " ORDER BY seq DESC LIMIT 1",
        (artifact_id,),
    ).fetchone()
    if row is None or row[2] != "full" or row[3] is None:
        return
    old = to_bytes(row[3])
    delta = deltas.encode(new_data, old)
    count, size = _run_behind(ws, artifact_id, row[1])
    if count + 1 < MAX_CHAIN and size + len(delta) <= KEYFRAME_SHARE * len(old):
        ws.conn.execute(
            "UPDATE artifact_versions SET storage = 'delta', base_id = ?, content = ?"
            " WHERE id = ?",
            (new_id, delta, row[0]),
        )
        return
    packed = zlib.compress(old, 6)
    if len(packed) < len(old):
        ws.conn.execute(
            "UPDATE artifact_versions SET storage = 'zlib', content = ? WHERE id = ?",
            (packed, row[0]),
        )


def _step(ws: Workspace, version_id: str, artifact_id: str) -> tuple[Any, ...]:
    row = ws.conn.execute(
        "SELECT storage, base_id, content FROM artifact_versions WHERE id = ? AND artifact_id = ?",
        (version_id, artifact_id),
    ).fetchone()
    if row is None:
        raise VersionCorrupt(f"A version this one is stored against is missing ({version_id}).")
    return row


def _anchor(storage: str, content: Any) -> bytes:
    if storage == "full":
        return to_bytes(content)
    if storage == "zlib":
        try:
            return zlib.decompress(to_bytes(content))
        except zlib.error as exc:
            raise VersionCorrupt(f"A stored copy is damaged ({exc}).") from exc
    raise VersionCorrupt(f"Unknown version storage {storage!r}.")


def content_of(
    ws: Workspace, version_id: str, artifact_id: str, storage: str, base_id: str | None,
    content: Any, hash_: str | None,
) -> bytes | None:
    """The bytes of one version row (``None`` if its content was never kept)."""
    if content is None:
        return None
    chain: list[bytes] = []
    seen = {version_id}
    while storage == "delta":
        chain.append(to_bytes(content))
        if base_id is None or base_id in seen or len(seen) > _MAX_STEPS:
            raise VersionCorrupt(id=version_id)
        seen.add(base_id)
        storage, next_base, content = _step(ws, base_id, artifact_id)
        if content is None:
            raise VersionCorrupt(id=version_id)
        base_id = next_base
    try:
        data = deltas.apply_chain(_anchor(storage, content), chain[::-1])
    except deltas.DeltaError as exc:
        raise VersionCorrupt(f"This version's stored changes are damaged ({exc}).",
                             id=version_id) from exc
    if hash_ is not None and digest(data) != hash_:
        raise VersionCorrupt("This version could not be rebuilt exactly (hash mismatch).",
                             id=version_id)
    return data
