"""``files.add`` and ``files.update``: a large file's bytes go straight to the device store,
never into the SQLite file.

``artifacts.upload`` and ``artifacts.update`` keep a file over the inline limit in
``pending_uploads`` inside the workspace file (they are synchronous: the device store is not),
so a 100 MB file would first make the SQLite file, and the page store's IndexedDB image of it,
100 MB bigger. Here the bytes are written to the device store first (durably), then the
artifact is recorded as a pointer, in one transaction with the row that says where the bytes
are:

- when the object's name is known — the key is unlocked, or this device knows the content
  already — under that name, with the upload queue's row (:func:`pylib.blobs.queue.stage`);
- else (the key is locked or was never set up) under a local name, with a ``local_files`` row
  (:mod:`pylib.blobs.local`); the queue names and uploads it once the key is unlocked.

A crash between the write and the commit leaves bytes no row names (never a row without bytes);
a refused change drops the bytes it wrote. Documents and small files, and a host with no file
service (the CLI), take the synchronous path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pylib import artifacts
from pylib.blobs import format as fmt
from pylib.blobs import ledger, local, service
from pylib.blobs.ledger import BlobRef
from pylib.blobs.queue import offload_pending, stage
from pylib.content import check_size, keeps_inline, to_bytes
from pylib.db import Workspace
from pylib.models import Artifact


async def _known_ref(ws: Workspace, svc: service.FileService, sha256: bytes, size: int) -> BlobRef | None:
    """The object that will hold this content, if its name can be had without a locked key."""
    known = ledger.by_hash(ws, sha256.hex())
    if known is not None and known.ref.size == size:
        return known.ref
    keys = await svc.workspace_keys()
    if keys is None:
        return None
    return BlobRef(await fmt.object_name(svc.host.platform, keys.names, sha256), sha256.hex(), size)


async def keep_outside(ws: Workspace, svc: service.FileService, data: bytes,
                       record: Callable[[str], None]) -> None:
    """Keep ``data`` on this device, then run ``record(kept)`` in the transaction that notes
    it (``kept``: the object's ``s3_key``, or ``""`` for a file not named yet). If anything
    fails, the bytes written are dropped again unless another file shares them."""
    files, sha256 = await svc.files(), await svc.host.platform.sha256(data)
    ref = await _known_ref(ws, svc, sha256, len(data))
    try:
        if ref is not None:
            await stage(ws, None, files, data, lambda named: record(named.key), ref)
        else:
            await local.keep(ws, files, data, sha256.hex(), lambda: record(""))
    except BaseException:
        if ref is not None and ledger.get(ws, ref.name) is None:
            await files.delete(ref.name)
        elif ref is None and local.get(ws, sha256.hex(), len(data)) is None:
            await files.delete(local.local_name(sha256.hex()))
        raise


async def offload_one(ws: Workspace, svc: service.FileService, artifact_id: str) -> None:
    """Move the file's bytes waiting inside the SQLite file (``pending_uploads``) to the device
    store, queued for upload, before its content changes: they are a version in its history,
    so they must still reach S3 once another content is current."""
    if ws.conn.execute("SELECT 1 FROM pending_uploads WHERE artifact_id = ?", (artifact_id,)).fetchone() is None:
        return
    store = await svc.store() if await svc.workspace_keys() is not None else None
    await offload_pending(ws, store, await svc.files(), artifact_id)


async def add_file(ws: Workspace, q: Any) -> Artifact:
    """Store a file at ``q.path`` as ``artifacts.upload`` does, its bytes outside the SQLite
    file when they would not stay inline."""
    data = to_bytes(q.data)
    svc = service.configured()
    if svc is None or artifacts.upload_stays_inline(q.path, data, q.mime_type):
        return artifacts.upload(ws, q.path, data, q.mime_type)
    check_size(data)  # before anything is written
    made: list[Artifact] = []
    await keep_outside(ws, svc, data, lambda kept: made.append(artifacts.upload(ws, q.path, data, q.mime_type,
                                                                                 kept=kept)))
    return made[0]  # the page's queue driver (web/ui/cloudfiles.mjs) sees it waiting and starts the queue


async def update_file(ws: Workspace, q: Any) -> Artifact:
    """Save new content as ``artifacts.update`` does (a stale ``base_hash`` → ``conflict``),
    a large file's new bytes kept outside the SQLite file."""
    data = to_bytes(q.content)
    svc = service.configured()
    row = ws.conn.execute("SELECT kind FROM artifacts WHERE id = ? AND deleted_at IS NULL", (q.id,)).fetchone()
    if svc is not None and row is not None:
        await offload_one(ws, svc, q.id)
    if svc is None or row is None or keeps_inline(row[0], data):
        return artifacts.update(ws, q.id, q.content, q.base_hash)
    check_size(data)
    made: list[Artifact] = []
    await keep_outside(ws, svc, data, lambda kept: made.append(
        artifacts.set_content(ws, q.id, data, base_hash=q.base_hash, kept=kept)))
    return made[0]
