"""The last text of a document removed for good here, for when another device's edit brings
it back (migration 0027, ``sync_kept``).

An emptied trash removes a document with its history. If another device edited it meanwhile,
the edit wins and the document comes back — with that device's text and history, which never
saw this device's last text. So the removal keeps that text (a trigger, in the removal's own
transaction), sends it along with the removal (``"last"`` in the record), and whichever device
sees the document come back keeps it as a version marked ``conflict``, with a notice: nothing
typed is lost. Kept texts go after :data:`KEPT_DAYS`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pylib import activity, compress, textstore, versions
from pylib.content import digest
from pylib.db import Workspace
from pylib.errors import QuireError

KEPT_DAYS = 60
MAX_KEPT_BYTES = 1 << 20  # as the removal's trigger keeps (migrations 0027, 0035)
_DAY_MS = 86_400_000


def last_of(conn: sqlite3.Connection, row_id: str) -> list[Any] | None:
    """``[hash, plain text]`` of the text removed here (kept as it was stored, packed or
    not: migration 0035), or ``None`` (none, or it cannot be unpacked)."""
    row = conn.execute("SELECT hash, content, codec FROM sync_kept WHERE row_id = ?",
                       (row_id,)).fetchone()
    if row is None:
        return None
    try:
        data = textstore.unpack(conn, row[1], row[2])
    except compress.CompressedDataError:
        return None
    return [row[0], data]


def _plain(conn: sqlite3.Connection, data: bytes, hash_: str | None) -> bytes:
    """``data`` as plain text: a device of an older version sent the text as it was stored,
    perhaps packed; its hash tells (each codec this workspace knows is tried)."""
    if hash_ is None or digest(data) == hash_:
        return data
    codecs = [0, *(i for (i,) in conn.execute("SELECT id FROM text_dicts"))]
    for codec in codecs:
        try:
            plain = textstore.unpack(conn, data, codec)
        except compress.CompressedDataError:
            continue
        if plain is not None and digest(plain) == hash_:
            return plain
    return data


def valid(last: Any) -> bool:
    """Whether ``last`` has the shape a removal's text has: ``[hash or None, bytes]``."""
    return (isinstance(last, list) and len(last) == 2 and isinstance(last[0], (str, type(None)))
            and isinstance(last[1], (bytes, bytearray)))


def remember(conn: sqlite3.Connection, row_id: str, last: Any, now_ms: int,
             artifact_id: Any = None) -> None:
    """Keep ``last`` (``[hash, content]``), a text another device removed with ``row_id``
    (a document, or a version of ``artifact_id`` never sent before), so that a snapshot this
    device writes carries it on: a device whose edit brings the document back after the
    segments were compacted away still gets that text back."""
    owner = artifact_id if isinstance(artifact_id, str) else row_id
    if valid(last) and len(last[1]) <= MAX_KEPT_BYTES:
        conn.execute("INSERT OR REPLACE INTO sync_kept (row_id, hash, content, kept_at, codec,"
                     " artifact_id) VALUES (?, ?, ?, ?, NULL, ?)",
                     (row_id, last[0], bytes(last[1]), now_ms, owner))


def owner_of(conn: sqlite3.Connection, row_id: str) -> str | None:
    """The document a kept text of ``row_id`` belongs to (``None``: none kept)."""
    row = conn.execute("SELECT coalesce(artifact_id, row_id) FROM sync_kept WHERE row_id = ?",
                       (row_id,)).fetchone()
    return row[0] if row else None


def keep_unsent_versions(ws: Workspace, artifact_ids: list[str]) -> None:
    """Before documents are removed for good here: keep the texts of their versions that were
    never sent (their rows wait in ``sync_changes``). The removal takes them along, as it
    takes the last text, so that an edit elsewhere that brings a document back brings back
    every text saved here too, not only the last one."""
    conn = ws.conn
    if not artifact_ids or conn.execute(
            "SELECT 1 FROM sync_meta WHERE key = 'counter'").fetchone() is None:
        return  # a workspace that does not sync has no other device to bring one back
    marks = ", ".join("?" for _ in artifact_ids)
    unsent = conn.execute(
        f"SELECT v.id, v.artifact_id, v.hash FROM artifact_versions v WHERE v.artifact_id IN ({marks})"
        " AND EXISTS (SELECT 1 FROM sync_changes c WHERE c.tbl = 'artifact_versions'"
        " AND c.row_id = v.id)", artifact_ids).fetchall()
    for version_id, artifact_id, hash_ in unsent:
        try:
            _, data = versions.content_of(ws, version_id)
        except QuireError:
            continue  # too large to keep in history, or unreadable: nothing to take along
        remember(conn, version_id, [hash_, data], ws.clock(), artifact_id)


def kept_for(conn: sqlite3.Connection, artifact_id: str) -> list[list[Any]]:
    """Every text kept here for ``artifact_id``: its last text and its unsent versions'."""
    ids = [i for (i,) in conn.execute(
        "SELECT row_id FROM sync_kept WHERE row_id = ? OR artifact_id = ? ORDER BY kept_at",
        (artifact_id, artifact_id))]
    return [found for found in (last_of(conn, i) for i in ids) if found is not None]


def prune(conn: sqlite3.Connection, now_ms: int) -> None:
    """Forget texts kept longer than :data:`KEPT_DAYS`."""
    conn.execute("DELETE FROM sync_kept WHERE kept_at < ?", (now_ms - KEPT_DAYS * _DAY_MS,))


def keep_as_conflict(ws: Workspace, artifact_id: str, last: Any) -> None:
    """A document that came back: ``last`` (``[hash, content]``, the text a device removed)
    becomes a conflict version unless the document already holds that text somewhere."""
    if not valid(last):
        return
    conn = ws.conn
    row = conn.execute("SELECT hash, path FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()
    data = _plain(conn, bytes(last[1]), last[0])
    kept_hash = digest(data)  # of the bytes at hand: a version must rebuild to its hash
    if row is None or row[0] == kept_hash:
        return
    held = conn.execute("SELECT 1 FROM artifact_versions WHERE artifact_id = ? AND hash = ?",
                        (artifact_id, kept_hash)).fetchone()
    if not held:
        versions.record(ws, artifact_id, data, kept_hash, "conflict")
        activity.log(ws, "SYNC_CONFLICT", {"artifact_id": artifact_id, "path": row[1],
                                           "kept_hash": row[0], "other_hash": kept_hash})
    conn.execute("DELETE FROM sync_kept WHERE row_id = ? OR artifact_id = ?",
                 (artifact_id, artifact_id))
