"""What this device knows of the workspace's encrypted objects: the ``blobs`` table.

Artifacts and versions refer to a large file by its plaintext SHA-256 (their ``hash`` with no
inline content); the ledger maps that hash to the object's name and says whether the object is
in S3 yet. Garbage collection removes an object only when nothing in the workspace refers to it
any more — no artifact (live or in the trash) and no version — and only after
:data:`GC_GRACE_MS` has passed since it was first seen so: another device may still be about to
refer to it (sync relies on this window).
"""

from __future__ import annotations

from dataclasses import dataclass

from pylib.db import Workspace

GC_GRACE_MS = 7 * 24 * 3600 * 1000
MAX_ERROR_CHARS = 500

def referenced(alias: str) -> str:
    """SQL true while an artifact or a version holds the content of the row ``alias`` names
    (its ``sha256`` and ``size_bytes``: a ``blobs`` or ``local_files`` row) as a pointer, its
    bytes not inline. A tombstone (a cited artifact whose trash was emptied) keeps its hash but
    has size 0, so it holds nothing."""
    return f"""(EXISTS (SELECT 1 FROM artifacts a WHERE a.hash = {alias}.sha256 AND a.content IS NULL
                      AND a.size_bytes = {alias}.size_bytes)
    OR EXISTS (SELECT 1 FROM artifact_versions v WHERE v.hash = {alias}.sha256 AND v.content IS NULL
                      AND v.size_bytes = {alias}.size_bytes))"""


_REFERENCED = referenced("b")


@dataclass(frozen=True)
class BlobRef:
    """Where a large file's bytes live: the object's name, the plaintext's SHA-256 and size."""

    name: str
    sha256: str  # hex
    size: int

    @property
    def key(self) -> str:
        """The object's key, relative to the user's folder in S3."""
        return f"blobs/{self.name}"


@dataclass(frozen=True)
class BlobRow:
    ref: BlobRef
    state: str
    upload_id: str | None
    attempts: int
    next_attempt_at: int
    last_error: str | None
    on_device: bool
    last_used_at: int | None


_COLUMNS = ("name, sha256, size_bytes, state, upload_id, attempts, next_attempt_at, last_error, on_device,"
            " last_used_at")


def _row(values: tuple) -> BlobRow:
    *rest, on_device, last_used = values[3:]
    return BlobRow(BlobRef(values[0], values[1], values[2]), *rest, bool(on_device), last_used)


def record(ws: Workspace, ref: BlobRef, state: str = "waiting") -> bool:
    """Note ``ref`` (waiting to upload, or known to be ``uploaded``) unless it is known
    already; True if it is new."""
    cursor = ws.conn.execute(
        "INSERT OR IGNORE INTO blobs (name, sha256, size_bytes, state, created_at) VALUES (?, ?, ?, ?, ?)",
        (ref.name, ref.sha256, ref.size, state, ws.clock()))
    return cursor.rowcount == 1


def set_on_device(ws: Workspace, name: str, on_device: bool) -> None:
    """Say whether the plaintext is kept on this device (it counts as just used)."""
    ws.conn.execute("UPDATE blobs SET on_device = ?, last_used_at = ? WHERE name = ?",
                    (int(on_device), ws.clock(), name))


def touch(ws: Workspace, name: str) -> None:
    ws.conn.execute("UPDATE blobs SET last_used_at = ? WHERE name = ?", (ws.clock(), name))


def evictable(ws: Workspace) -> list[BlobRow]:
    """Objects kept on this device that S3 holds too, least recently used first."""
    rows = ws.conn.execute(f"SELECT {_COLUMNS} FROM blobs WHERE on_device = 1 AND state = 'uploaded'"
                           " ORDER BY last_used_at, name").fetchall()
    return [_row(r) for r in rows]


def totals(ws: Workspace) -> dict[str, dict[str, int]]:
    """Counts and bytes: on this device, only in the cloud, waiting to upload."""
    groups = {
        "on_device": "on_device = 1", "cloud_only": "on_device = 0 AND state = 'uploaded'",
        "waiting": "state = 'waiting'",
    }
    out = {}
    for label, where in groups.items():
        count, size = ws.conn.execute(f"SELECT count(*), coalesce(sum(size_bytes), 0) FROM blobs WHERE {where}").fetchone()
        out[label] = {"count": count, "bytes": size}
    return out


def get(ws: Workspace, name: str) -> BlobRow | None:
    row = ws.conn.execute(f"SELECT {_COLUMNS} FROM blobs WHERE name = ?", (name,)).fetchone()
    return _row(row) if row else None


def by_hash(ws: Workspace, sha256: str) -> BlobRow | None:
    """The object that holds the content with this SHA-256, if this device knows one."""
    row = ws.conn.execute(f"SELECT {_COLUMNS} FROM blobs WHERE sha256 = ? ORDER BY name LIMIT 1",
                          (sha256,)).fetchone()
    return _row(row) if row else None


def others(ws: Workspace, name: str, limit: int = 64) -> list[tuple[str, int]]:
    """``(name, size)`` of other objects this device knows, most recently used first (what a
    segment that failed its check is tested against: is it another file's?)."""
    return ws.conn.execute("SELECT name, size_bytes FROM blobs WHERE name != ? AND name NOT LIKE 'local-%'"
                           " ORDER BY coalesce(last_used_at, created_at) DESC, name LIMIT ?", (name, limit)).fetchall()


def due(ws: Workspace, now: int, limit: int = 100) -> list[BlobRow]:
    """Waiting objects whose next attempt is due, oldest first."""
    rows = ws.conn.execute(f"SELECT {_COLUMNS} FROM blobs WHERE state = 'waiting' AND next_attempt_at <= ?"
                           " ORDER BY created_at, name LIMIT ?", (now, limit)).fetchall()
    return [_row(r) for r in rows]


def set_upload_id(ws: Workspace, name: str, upload_id: str | None) -> None:
    ws.conn.execute("UPDATE blobs SET upload_id = ? WHERE name = ?", (upload_id, name))


def mark_uploaded(ws: Workspace, name: str) -> None:
    ws.conn.execute("UPDATE blobs SET state = 'uploaded', upload_id = NULL, last_error = NULL,"
                    " uploaded_at = ? WHERE name = ?", (ws.clock(), name))


def mark_failed(ws: Workspace, name: str, error: str, retry_at: int) -> None:
    """Count a failed attempt and say when to try again."""
    ws.conn.execute("UPDATE blobs SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                    " WHERE name = ?", (error[:MAX_ERROR_CHARS], retry_at, name))


def mark_missing(ws: Workspace, name: str) -> None:
    """The object is not in S3 after all (found missing): upload it again."""
    ws.conn.execute("UPDATE blobs SET state = 'waiting', upload_id = NULL, next_attempt_at = 0"
                    " WHERE name = ?", (name,))


def sweep(ws: Workspace, now: int, grace_ms: int = GC_GRACE_MS) -> list[BlobRef]:
    """Note when objects lost their last reference (or regained one); the uploaded objects
    unreferenced for longer than ``grace_ms`` — the ones garbage collection may delete."""
    ws.conn.execute(f"UPDATE blobs AS b SET unreferenced_since = NULL"
                    f" WHERE unreferenced_since IS NOT NULL AND {_REFERENCED}")
    ws.conn.execute(f"UPDATE blobs AS b SET unreferenced_since = ? WHERE unreferenced_since IS NULL"
                    f" AND NOT {_REFERENCED}", (now,))
    # An object kept for a replaced workspace's backup is never deleted (pylib.blobs.replaced).
    rows = ws.conn.execute(f"SELECT name, sha256, size_bytes FROM blobs AS b WHERE unreferenced_since <= ?"
                           f" AND for_backup = 0 AND NOT {_REFERENCED}", (now - grace_ms,)).fetchall()
    return [BlobRef(*row) for row in rows]


def forget(ws: Workspace, name: str) -> None:
    """Drop the row of an object deleted from S3 (or never uploaded and no longer wanted)."""
    ws.conn.execute("DELETE FROM blobs WHERE name = ?", (name,))


def unreferenced_waiting(ws: Workspace) -> list[BlobRef]:
    """Objects waiting to upload that nothing refers to any more (their artifacts and versions
    were removed for good before they went up: the trash emptied, versions pruned). Not those
    a replaced workspace's backup refers to (``for_backup``): they go up first."""
    rows = ws.conn.execute(f"SELECT name, sha256, size_bytes FROM blobs AS b WHERE state = 'waiting'"
                           f" AND for_backup = 0 AND NOT {_REFERENCED} ORDER BY name").fetchall()
    return [BlobRef(*row) for row in rows]


def is_referenced(ws: Workspace, name: str) -> bool:
    """Whether an artifact or a version refers to the object now."""
    row = ws.conn.execute(f"SELECT {_REFERENCED} FROM blobs AS b WHERE name = ?", (name,)).fetchone()
    return bool(row and row[0])
