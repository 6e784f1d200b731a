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

from pylib import activity, versions
from pylib.db import Workspace

KEPT_DAYS = 60
MAX_KEPT_BYTES = 1 << 20  # as the removal's trigger keeps (migration 0027)
_DAY_MS = 86_400_000


def last_of(conn: sqlite3.Connection, row_id: str) -> list[Any] | None:
    """``[hash, content]`` of the text removed here, or ``None``."""
    row = conn.execute("SELECT hash, content FROM sync_kept WHERE row_id = ?", (row_id,)).fetchone()
    return [row[0], bytes(row[1])] if row else None


def _valid(last: Any) -> bool:
    return (isinstance(last, list) and len(last) == 2 and isinstance(last[0], (str, type(None)))
            and isinstance(last[1], (bytes, bytearray)))


def remember(conn: sqlite3.Connection, row_id: str, last: Any, now_ms: int) -> None:
    """Keep ``last`` (``[hash, content]``), the text another device removed with ``row_id``,
    so that a snapshot this device writes carries it on: a device whose edit brings the
    document back after the segments were compacted away still gets that text back."""
    if _valid(last) and len(last[1]) <= MAX_KEPT_BYTES:
        conn.execute("INSERT OR REPLACE INTO sync_kept (row_id, hash, content, kept_at)"
                     " VALUES (?, ?, ?, ?)", (row_id, last[0], bytes(last[1]), now_ms))


def prune(conn: sqlite3.Connection, now_ms: int) -> None:
    """Forget texts kept longer than :data:`KEPT_DAYS`."""
    conn.execute("DELETE FROM sync_kept WHERE kept_at < ?", (now_ms - KEPT_DAYS * _DAY_MS,))


def keep_as_conflict(ws: Workspace, artifact_id: str, last: Any) -> None:
    """A document that came back: ``last`` (``[hash, content]``, the text a device removed)
    becomes a conflict version unless the document already holds that text somewhere."""
    if not _valid(last):
        return
    conn = ws.conn
    row = conn.execute("SELECT hash, path, content FROM artifacts WHERE id = ?",
                       (artifact_id,)).fetchone()
    if row is None or (row[2] is not None and bytes(row[2]) == bytes(last[1])):
        return
    held = last[0] is not None and conn.execute(
        "SELECT 1 FROM artifact_versions WHERE artifact_id = ? AND hash = ?",
        (artifact_id, last[0])).fetchone()
    if not held:
        versions.record(ws, artifact_id, bytes(last[1]), last[0], "conflict")
        activity.log(ws, "SYNC_CONFLICT", {"artifact_id": artifact_id, "path": row[1],
                                           "kept_hash": row[0], "other_hash": last[0]})
    conn.execute("DELETE FROM sync_kept WHERE row_id = ?", (artifact_id,))
