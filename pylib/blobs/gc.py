"""Garbage collection of encrypted objects nothing in the workspace refers to any more."""

from __future__ import annotations

from pylib.blobs import ledger
from pylib.blobs.ledger import GC_GRACE_MS, BlobRef
from pylib.blobs.store import BlobStore
from pylib.db import Workspace


async def collect_garbage(ws: Workspace, store: BlobStore, *, now: int | None = None,
                          grace_ms: int = GC_GRACE_MS) -> list[BlobRef]:
    """Delete from S3 the objects unreferenced for longer than ``grace_ms``; the ones deleted.

    An object is forgotten only after S3 confirmed its deletion; one that regained a reference
    meanwhile (checked again just before deleting it) is kept.
    """
    now = ws.clock() if now is None else now
    with ws.transaction():
        doomed = ledger.sweep(ws, now, grace_ms)
    deleted = []
    for ref in doomed:
        if ledger.is_referenced(ws, ref.name):
            continue
        await store.delete(ref)
        with ws.transaction():
            ledger.forget(ws, ref.name)
        deleted.append(ref)
    return deleted
