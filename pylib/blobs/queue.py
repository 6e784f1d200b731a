"""The upload queue and the device cache of large files.

:func:`stage` keeps a new file's bytes on this device (durably) and then records it in one
transaction — the object's row, and whatever the caller records with it (the artifact with its
hash and size) — so the page can say "Saved on this device — uploading" at once. An
:class:`UploadQueue` run sends what waits: offline or signed out it stops and tries again later
with exponential backoff; a multipart upload's id is committed, and made durable (``durable``:
in the browser a commit reaches IndexedDB only with the page store's next flush), before its
first part, so a reload, a closed tab or a crash resumes it where it stopped; uploads are
create-only, so nothing is ever stored twice. :func:`open_blob` reads a file from the device
cache or downloads it (verified); :func:`evict` frees space by least recent use, never evicting
a file S3 does not hold yet: after each download kept and each upload run, down to the
workspace's limit (:func:`pylib.blobs.cachelimit.cache_limit`, 2 GiB unless the user set
another), and all of it for "Free up space".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pylib.blobs import ledger, local
from pylib.blobs.cachelimit import cache_limit
from pylib.blobs.device import DeviceFiles
from pylib.blobs.ledger import BlobRef, BlobRow
from pylib.blobs.store import BlobStore
from pylib.content import digest
from pylib.db import Workspace
from pylib.errors import NetworkError, QuireError, StorageError

RETRY_BASE_MS = 5_000
RETRY_MAX_MS = 3_600_000
# Faults that hold for every file alike: stop the run, try again later.
_STOP_CODES = {"unavailable", "not_signed_in", "network_error"}

Progress = Callable[[dict[str, Any]], None]
Durable = Callable[[], Awaitable[Any]]


def retry_delay_ms(attempts: int) -> int:
    """Wait before attempt ``attempts + 1``: 5 s, 10 s, 20 s ... at most an hour."""
    return min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** min(attempts, 20))


async def stage(ws: Workspace, store: BlobStore | None, files: DeviceFiles, data: bytes,
                record: Callable[[BlobRef], None] | None = None, ref: BlobRef | None = None) -> BlobRef:
    """Keep ``data`` on this device and queue its upload; ``record(ref)`` runs in the same
    transaction (e.g. the artifact's row). If the device has no room, SaveFailed is raised and
    nothing is recorded. ``ref``: the caller's :meth:`BlobStore.ref_for` of ``data`` (needed
    when there is no ``store``)."""
    if ref is None:
        if store is None:
            raise ValueError("a ref or a store is needed to name the object")
        ref = await store.ref_for(data)
    known = ledger.get(ws, ref.name)
    if known is None or not known.on_device:
        await files.put(ref.name, data)
    with ws.transaction():
        ledger.record(ws, ref)
        ledger.set_on_device(ws, ref.name, True)
        if record is not None:
            record(ref)
    return ref


@dataclass
class QueueReport:
    uploaded: list[str] = field(default_factory=list)
    deduplicated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # name -> error code
    stopped: str | None = None  # the code that ended the run early


class UploadQueue:
    """Sends the waiting objects of one workspace. ``progress`` receives
    ``{name, done, total, overall_done, overall_total}`` as a file starts and as bytes go out;
    ``durable()`` makes what the workspace committed durable (None: a commit is durable
    already, as on CPython's file)."""

    def __init__(self, ws: Workspace, store: BlobStore, files: DeviceFiles, *,
                 progress: Progress | None = None, durable: Durable | None = None) -> None:
        self.ws, self.store, self.files, self.progress = ws, store, files, progress
        self.durable = durable

    async def run(self) -> QueueReport:
        """One pass over what is due now."""
        report = QueueReport()
        due = ledger.due(self.ws, self.ws.clock())
        overall_total = sum(row.ref.size for row in due)
        self._before = 0
        for row in due:
            try:
                created = await self._send(row, overall_total)
            except (StorageError, NetworkError) as error:
                self._failed(row, error.code, error.message)
                report.failed[row.ref.name] = error.code
                if error.code in _STOP_CODES:
                    report.stopped = error.code
                    break
                continue
            (report.uploaded if created else report.deduplicated).append(row.ref.name)
            self._before += row.ref.size
        if report.uploaded or report.deduplicated:  # they count in the cache from now on
            await evict(self.ws, self.files, cache_limit(self.ws))
        return report

    async def _send(self, row: BlobRow, overall_total: int) -> bool:
        data = await self.files.get(row.ref.name)
        if data is None or (await self.store.platform.sha256(data)).hex() != row.ref.sha256:
            raise StorageError("This file's bytes are no longer on this device.", code="missing_on_device")

        async def keep(upload_id: str) -> None:
            with self.ws.transaction():
                ledger.set_upload_id(self.ws, row.ref.name, upload_id)
            if self.durable is not None:  # before any part: a crash now resumes, not restarts
                await self.durable()

        def moved(done: int, total: int) -> None:
            if self.progress:
                share = done * row.ref.size // total if total else row.ref.size
                self.progress({"name": row.ref.name, "done": share, "total": row.ref.size,
                               "overall_done": self._before + share, "overall_total": overall_total})

        moved(0, 1)  # this file is the one going out now
        result = await self.store.upload(data, row.ref, upload_id=row.upload_id, on_upload_id=keep,
                                         progress=moved)
        with self.ws.transaction():
            ledger.mark_uploaded(self.ws, row.ref.name)
        return result.created

    def _failed(self, row: BlobRow, code: str, message: str) -> None:
        retry_at = self.ws.clock() + retry_delay_ms(row.attempts)
        with self.ws.transaction():
            ledger.mark_failed(self.ws, row.ref.name, f"{code}: {message}", retry_at)


async def drop_unreferenced(ws: Workspace, files: DeviceFiles,
                            store: BlobStore | None = None) -> list[BlobRef]:
    """Drop the waiting objects nothing refers to any more, bytes and row: there is nothing to
    upload (the last reference went for good). An object any artifact or version still refers
    to — a replaced file's old version, a file in the trash — stays queued until it is in S3;
    from then on garbage collection decides, with its grace period. The refs dropped.

    With ``store``, a multipart upload the object had begun is aborted in S3 too, so its parts
    do not stay there (and count against the quota) for good; an abort that fails (offline,
    S3 down) leaves them as they were, and never holds the drop up."""
    dropped = []
    for ref in ledger.unreferenced_waiting(ws):
        with ws.transaction():
            if ledger.is_referenced(ws, ref.name):  # regained one meanwhile
                continue
            row = ledger.get(ws, ref.name)
            ledger.forget(ws, ref.name)
        await files.delete(ref.name)  # after the commit: a crash leaves bytes, never a dangling row
        if store is not None and row is not None and row.upload_id:
            try:
                await store.client.abort_multipart(ref.key, row.upload_id)
            except QuireError:
                pass
        dropped.append(ref)
    return dropped


async def kept_copy(files: DeviceFiles, platform: Any, ref: BlobRef, verified: set[str] | None = None) -> bytes | None:
    """The file's bytes kept on this device if they are intact, else None.

    ``verified``: names whose kept bytes were hashed already in this session (the caller's,
    e.g. :class:`~pylib.blobs.service.FileService`). A name is content-addressed and its kept
    bytes are only ever written whole, so a copy checked once need not be hashed on every open;
    its length is still checked, and a copy that fails its hash is dropped from the set."""
    data = await files.get(ref.name)
    if data is None or len(data) != ref.size:
        return None
    if verified is not None and ref.name in verified:
        return data
    if (await platform.sha256(data)).hex() != ref.sha256:
        if verified is not None:
            verified.discard(ref.name)
        return None
    if verified is not None:
        verified.add(ref.name)
    return data


async def open_blob(ws: Workspace, store: BlobStore, files: DeviceFiles, ref: BlobRef,
                    progress: Callable[[int, int], None] | None = None, verified: set[str] | None = None,
                    keep_later: Callable[[BlobRef, Any], None] | None = None) -> Any:
    """The file's bytes: from this device if kept (and intact), else downloaded, verified and
    kept in the cache; ``progress(done, total)`` hears of the download (bytes of the object);
    ``verified`` as for :func:`kept_copy`. ``keep_later(ref, held)``: the caller keeps the
    download (:func:`keep_download` with ``held``, what :meth:`DeviceFiles.hold` made of it)
    once it has answered; without it the copy is kept before this returns."""
    row = ledger.get(ws, ref.name)
    if row is not None and row.on_device:
        data = await kept_copy(files, store.platform, ref, verified)
        if data is not None:
            with ws.transaction():
                ledger.touch(ws, ref.name)
            return data
    # Every tag and the SHA-256 checked; a refusal says why, the device's other objects at hand.
    data = await store.download(ref, progress, others=lambda: ledger.others(ws, ref.name))
    if keep_later is not None:
        keep_later(ref, files.hold(data))
    else:
        await keep_download(ws, files, ref, data, verified)
    return data


async def keep_download(ws: Workspace, files: DeviceFiles, ref: BlobRef, data: Any,
                        verified: set[str] | None = None) -> None:
    """Keep a verified download in the device cache: its bytes first (durably), then its row,
    so the ledger never says "on this device" of bytes the device does not hold."""
    await files.put(ref.name, data)
    with ws.transaction():
        ledger.record(ws, ref, state="uploaded")
        ledger.set_on_device(ws, ref.name, True)
    dropped = await evict(ws, files, cache_limit(ws), spare=ref.name)
    if verified is not None:
        verified.add(ref.name)
        verified.difference_update(dropped)


async def evict(ws: Workspace, files: DeviceFiles, limit_bytes: int, spare: str | None = None) -> list[str]:
    """Drop cached files, least recently used first, until the files kept on this device take
    at most ``limit_bytes`` (0: "Free up space"); ``spare``: one never dropped (the file just
    opened, even if it alone is over the limit). Files not yet in S3 are never dropped."""
    kept = ledger.totals(ws)["on_device"]["bytes"]
    dropped = []
    for row in ledger.evictable(ws):
        if kept <= limit_bytes:
            break
        if row.ref.name == spare:
            continue
        with ws.transaction():
            ledger.set_on_device(ws, row.ref.name, False)
        await files.delete(row.ref.name)  # after the commit: a crash leaves bytes, never a dangling row
        kept -= row.ref.size
        dropped.append(row.ref.name)
    return dropped


async def offload_pending(ws: Workspace, store: BlobStore | None, files: DeviceFiles,
                          artifact_id: str | None = None) -> list[BlobRef]:
    """Move the files that wait inside the SQLite file (``pending_uploads``, from an older
    engine or the synchronous ``artifacts.upload``/``update``) to the device store: per file,
    its bytes are kept on the device first, then its pending row is dropped and its artifact
    becomes a pointer, in one transaction — under its object's name with its upload queued
    (``store``: the key is unlocked), else under a local name (:mod:`pylib.blobs.local`,
    named once the key is). ``artifact_id``: that file's only. The refs of the files moved."""
    moved = []
    only = "" if artifact_id is None else " WHERE artifact_id = ?"
    for (artifact_id,) in ws.conn.execute(
            f"SELECT artifact_id FROM pending_uploads{only} ORDER BY created_at, artifact_id",
            () if artifact_id is None else (artifact_id,)).fetchall():
        data, sha256, size = ws.conn.execute("SELECT data, hash, size_bytes FROM pending_uploads WHERE artifact_id = ?",
                                             (artifact_id,)).fetchone()  # one file in memory at a time
        data = bytes(data)

        def pointer(key: str | None, artifact_id: str = artifact_id, sha256: str = sha256, size: int = size) -> None:
            ws.conn.execute("DELETE FROM pending_uploads WHERE artifact_id = ?", (artifact_id,))
            # Only while they are its content: a pull may have made another device's content
            # current over them (then they are a version, queued as its bytes, and the
            # artifact keeps the other content's object).
            ws.conn.execute("UPDATE artifacts SET s3_key = ?, metadata = iif(json_valid(metadata),"
                            " json_remove(metadata, '$.pending_upload'), metadata)"
                            " WHERE id = ? AND hash = ? AND size_bytes = ?", (key, artifact_id, sha256, size))

        if store is not None:
            moved.append(await stage(ws, store, files, data, lambda ref: pointer(ref.key)))
        else:
            moved.append(await local.keep(ws, files, data, digest(data), lambda: pointer(None)))
    return moved
