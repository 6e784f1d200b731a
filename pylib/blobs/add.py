"""``files.add``: a new file whose bytes go straight to the device store, never into the
SQLite file.

``artifacts.upload`` keeps a file over the inline limit in ``pending_uploads`` inside the
workspace file until the upload queue moves it out, so a 100 MB file first makes the SQLite
file (and the page store's IndexedDB image of it) 100 MB bigger. When the workspace key is
unlocked here, the file's object name can be made at once: its bytes are written to the device
store first (durably), then the artifact is recorded as a pointer with the queue's row, in one
transaction (:func:`pylib.blobs.queue.stage`). A crash between the two leaves bytes no row
names (never a row without bytes). Without a key (never set up, or locked), and for documents
and small files, it is ``artifacts.upload`` itself.
"""

from __future__ import annotations

from typing import Any

from pylib import artifacts
from pylib.blobs import ledger, service
from pylib.blobs.queue import stage
from pylib.content import check_size, to_bytes
from pylib.db import Workspace
from pylib.models import Artifact


async def add_file(ws: Workspace, q: Any) -> Artifact:
    """Store a file at ``q.path`` as ``artifacts.upload`` does, its bytes outside the SQLite
    file when they would not stay inline and the key is unlocked (its upload queued)."""
    data = to_bytes(q.data)
    svc = service.configured()
    if (svc is None or artifacts.upload_stays_inline(q.path, data, q.mime_type)
            or await svc.workspace_keys() is None):
        return artifacts.upload(ws, q.path, data, q.mime_type)
    check_size(data)  # before anything is written
    store, files = await svc.store(), await svc.files()
    ref = await store.ref_for(data)
    made: list[Artifact] = []

    def record(ref: ledger.BlobRef) -> None:
        made.append(artifacts.upload(ws, q.path, data, q.mime_type, s3_key=ref.key))

    try:
        await stage(ws, store, files, data, record, ref)
    except BaseException:
        if ledger.get(ws, ref.name) is None:  # no other file shares these bytes: drop them again
            await files.delete(ref.name)
        raise
    return made[0]  # the page's queue driver (web/ui/cloudfiles.mjs) sees it waiting and starts the queue
