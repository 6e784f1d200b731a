"""Large files kept on this device before the workspace key can name them: ``local_files``.

An object's name is a keyed hash of the content (:func:`pylib.blobs.format.object_name`, the
names subkey), so while the key is locked, or was never set up, a new large file cannot be
named — but it must still leave the SQLite file at once. Its plaintext is written durably to
the device store under :func:`local_name` (its SHA-256: the device holds the plaintext anyway,
and the name never leaves it), then recorded in one transaction: a ``local_files`` row and
whatever the caller records with it (the artifact, by hash and size, with no ``s3_key`` yet).
It reads back from there without any key.

When the key is available the queue runs :func:`name_local` first: per file, its bytes are
moved to the object's name (one step in the store), then the ``blobs`` row (waiting to upload),
its artifacts' ``s3_key`` and the end of the ``local_files`` row are one transaction. A crash
between the move and the commit leaves the row: the next run finds the bytes already moved and
commits. A file nothing refers to any more (deleted for good while locked) is dropped instead;
nothing about a local file is ever sent to the server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pylib.blobs import ledger
from pylib.blobs import format as fmt
from pylib.blobs.device import DeviceFiles
from pylib.blobs.ledger import BlobRef, referenced
from pylib.blobs.store import BlobStore
from pylib.db import Workspace

PREFIX = "local-"

# Artifacts and versions that hold this content as a pointer (their bytes are not inline).
_USERS = referenced("l")


def local_name(sha256: str) -> str:
    """The device store's name for a file not named yet (``sha256``: hex)."""
    return PREFIX + sha256


def get(ws: Workspace, sha256: str, size: int) -> BlobRef | None:
    """The local file with this content, if one waits for its name (its ref's ``name`` is the
    local one: a ref to read it by, never to upload)."""
    row = ws.conn.execute("SELECT 1 FROM local_files WHERE sha256 = ? AND size_bytes = ?",
                          (sha256, size)).fetchone()
    return BlobRef(local_name(sha256), sha256, size) if row else None


def totals(ws: Workspace) -> dict[str, int]:
    count, size = ws.conn.execute("SELECT count(*), coalesce(sum(size_bytes), 0) FROM local_files").fetchone()
    return {"count": count, "bytes": size}


async def keep(ws: Workspace, files: DeviceFiles, data: bytes, sha256: str,
               record: Callable[[], None] | None = None) -> BlobRef:
    """Keep ``data`` (whose SHA-256 hex is ``sha256``) on this device under its local name and
    note it, with ``record()`` in the same transaction. SaveFailed if the device has no room:
    nothing is recorded. The caller drops the bytes again if ``record`` fails and
    :func:`get` does not know them (another file may share them)."""
    ref = BlobRef(local_name(sha256), sha256, len(data))
    if get(ws, sha256, len(data)) is None:  # the same bytes kept already need no second write
        await files.put(ref.name, data)
    with ws.transaction():
        ws.conn.execute("INSERT OR IGNORE INTO local_files (sha256, size_bytes, created_at) VALUES (?, ?, ?)",
                        (sha256, len(data), ws.clock()))
        if record is not None:
            record()
    return ref


async def drop_unused(ws: Workspace, files: DeviceFiles) -> int:
    """Drop the local files nothing refers to any more (deleted for good while the key was
    locked: there is nothing to upload); how many. No key is needed. Not those a replaced
    workspace's backup refers to (``for_backup``, :mod:`pylib.blobs.replaced`): they are named
    and uploaded first."""
    unused = [sha for (sha,) in ws.conn.execute(f"SELECT sha256 FROM local_files l WHERE for_backup = 0"
                                                f" AND NOT {_USERS}")]
    for sha256 in unused:
        with ws.transaction():
            ws.conn.execute("DELETE FROM local_files WHERE sha256 = ?", (sha256,))
        await files.delete(local_name(sha256))  # after the commit: a crash leaves bytes, never a dangling row
    return len(unused)


async def name_local(ws: Workspace, store: BlobStore, files: DeviceFiles,
                     durable: Callable[[], Awaitable[Any]] | None = None) -> list[BlobRef]:
    """Name every local file with the unlocked key and queue its upload (see the module
    docstring); the refs named. ``durable()``: makes the commits durable (the browser's page
    store) before a named file's local copy is dropped."""
    await drop_unused(ws, files)
    named = []
    for sha256, size, for_backup in ws.conn.execute(
            "SELECT sha256, size_bytes, for_backup FROM local_files ORDER BY created_at, sha256").fetchall():
        here = local_name(sha256)
        ref = BlobRef(await fmt.object_name(store.platform, store.keys.names, bytes.fromhex(sha256)), sha256, size)
        known = ledger.get(ws, ref.name)
        if known is None or not known.on_device:
            await files.rename(here, ref.name)  # False: moved already by a run that stopped
        with ws.transaction():
            ledger.record(ws, ref)
            ledger.set_on_device(ws, ref.name, True)
            ws.conn.execute("UPDATE blobs SET for_backup = max(for_backup, ?) WHERE name = ?", (for_backup, ref.name))
            ws.conn.execute("UPDATE artifacts SET s3_key = ? WHERE hash = ? AND size_bytes = ? AND content IS NULL"
                            " AND s3_key IS NULL", (ref.key, sha256, size))
            ws.conn.execute("DELETE FROM local_files WHERE sha256 = ?", (sha256,))
        if known is not None and known.on_device:
            if durable is not None:
                await durable()
            await files.delete(here)  # the named copy was there already
        named.append(ref)
    if named and durable is not None:
        await durable()
    return named
