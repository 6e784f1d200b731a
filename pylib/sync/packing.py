"""Texts a new device took as they came are packed just after, a batch per sync tick.

Packing every text (:func:`pylib.textstore.encode`: zstd, a tenth saved or kept as is) was a
third of a new device's whole take of a snapshot, and nothing a person sees depends on it: a
text stored as it is (``content_codec`` NULL) is a stored form every reader takes. So
:func:`pylib.sync.adopt.adopt` stores the snapshot's texts as they are and marks the packing
due; :func:`pack_some` then packs them in batches of about :data:`BATCH_BYTES`, each in its
own short transaction, in the order of their ids (the mark holds the last id packed, so a
crash or a reload goes on where it stopped). The outcome is the stored form a merge gives.
Texts saved meanwhile were packed as they were saved; the pass leaves them as they are.
"""

from __future__ import annotations

import sqlite3

from pylib import textstore
from pylib.content import to_bytes
from pylib.db import Workspace
from pylib.sync import meta
from pylib.sync.apply import set_applying

PACK_DUE = "pack_due"  # sync_meta: the id after which texts are still to be packed
BATCH_BYTES = 8 * 1024 * 1024


def mark(conn: sqlite3.Connection) -> None:
    """Say that every text stored as it is must be looked at (inside the caller's transaction)."""
    meta.put(conn, PACK_DUE, "")


def due(conn: sqlite3.Connection) -> bool:
    """True while texts a whole take stored as they came are still to be packed."""
    return meta.get(conn, PACK_DUE, None) is not None


def pack_some(ws: Workspace, batch_bytes: int = BATCH_BYTES) -> bool:
    """Pack the next batch of texts; False if nothing was due."""
    conn = ws.conn
    after = meta.get(conn, PACK_DUE, None)
    if after is None:
        return False
    with ws.transaction():
        rows = conn.execute(
            "SELECT id, content, kind FROM artifacts WHERE id > ? AND content_codec IS NULL"
            " AND content IS NOT NULL ORDER BY id", (after,))
        updates, size, finished = [], 0, True
        for row_id, content, kind in rows:
            after = row_id
            stored, codec = textstore.encode(conn, to_bytes(content), kind)
            if codec is not None:
                updates.append((stored, codec, row_id))
            size += len(content)
            if size >= batch_bytes:
                finished = False
                break
        rows.close()
        set_applying(conn, True)  # the same text in another form: no change to sync
        try:
            conn.executemany("UPDATE artifacts SET content = ?, content_codec = ?"
                             " WHERE id = ? AND content_codec IS NULL", updates)
        finally:
            set_applying(conn, False)
        if finished:
            conn.execute("DELETE FROM sync_meta WHERE key = ?", (PACK_DUE,))
        else:
            meta.put(conn, PACK_DUE, after)
    return True
