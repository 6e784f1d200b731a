"""The ``keys.*``, ``files.*`` and bundle methods of :mod:`pylib.api`: ``(params, call, result,
note)`` per name, like :mod:`pylib.care.api_methods`. Their calls are coroutines (they reach
the network and WebCrypto through the platform); :mod:`pylib.rpc` awaits them.

A wrong passphrase or wrong words raise ``wrong_secret`` (or ``invalid_params`` for words that
are not a valid list) before anything is written; the device keeps the key only once the cloud
accepted it.
"""

from __future__ import annotations

from typing import Any

from pylib import params as p
from pylib.blobs import ledger, local
from pylib.blobs.add import add_file, update_file
from pylib.blobs.cachelimit import CacheLimit, CacheLimitSet, cache_limit, store_cache_limit
from pylib.blobs import models as bm
from pylib.blobs.ledger import BlobRef
from pylib.blobs.service import current
from pylib.db import Workspace
from pylib.errors import InvalidState, NetworkError, NotFound


async def key_status(ws: Workspace | None = None, q: Any = None) -> dict[str, Any]:
    svc = current()
    account, online = await svc.check_account()
    has_key = None
    if online and account:
        try:
            has_key = await svc.keyring.exists()
        except NetworkError:
            online = False
    unlocked = await svc.data_key() is not None
    return {"signed_in": bool(account) if online else None, "has_key": has_key, "unlocked": unlocked}


async def _signed_in() -> str:
    account, online = await current().check_account()
    if not online:
        raise NetworkError("Quire cannot reach the server; connect and try again. Nothing was changed.")
    if not account:
        raise InvalidState("Sign in first: the workspace key is kept, wrapped, in your cloud storage.")
    return account


async def setup(ws: Workspace, q: bm.Passphrase) -> dict[str, Any]:
    from pylib.recovery import to_words

    svc, account = current(), await _signed_in()
    unlocked = await svc.keyring.create(q.passphrase)
    await svc.keep(account, unlocked.data_key)
    return {"words": to_words(unlocked.recovery), **await key_status()}


async def unlock(ws: Workspace, q: bm.Passphrase) -> dict[str, Any]:
    svc, account = current(), await _signed_in()
    await svc.keep(account, (await svc.keyring.unlock(q.passphrase)).data_key)
    svc.kick(ws)
    return await key_status()


async def recover(ws: Workspace, q: bm.RecoveryWords) -> dict[str, Any]:
    from pylib.recovery import from_words

    secret = from_words(q.words)
    svc, account = current(), await _signed_in()
    await svc.keep(account, (await svc.keyring.recover(secret)).data_key)
    svc.kick(ws)
    return await key_status()


async def change_passphrase(ws: Workspace, q: bm.NewPassphrase) -> dict[str, Any]:
    svc = current()
    await _signed_in()
    data_key = (await svc.keyring.unlock(q.passphrase)).data_key  # the current one must be right
    await svc.keyring.change_passphrase(data_key, q.new_passphrase)
    return await key_status()


async def lock(ws: Workspace, q: Any) -> dict[str, Any]:
    await current().forget()
    return await key_status()


def _status(ws: Workspace) -> dict[str, Any]:
    svc = current()
    state = svc.progress
    return {"unlocked": svc._data_key is not None, "running": state.running, "name": state.name,
            "done": state.done, "total": state.total, "overall_done": state.overall_done,
            "overall_total": state.overall_total, "stopped": state.stopped, "failed": state.failed,
            "downloads": {key: dict(value) for key, value in svc.downloads.items()},
            "cache_limit_bytes": cache_limit(ws), **_totals(ws)}


def _totals(ws: Workspace) -> dict[str, dict[str, int]]:
    """The ledger's, with the files not named yet and any still inside the SQLite file: both
    wait to upload, and both are on this device."""
    totals = ledger.totals(ws)
    count, size = ws.conn.execute("SELECT count(*), coalesce(sum(size_bytes), 0) FROM pending_uploads").fetchone()
    unnamed = local.totals(ws)
    count, size = count + unnamed["count"], size + unnamed["bytes"]
    for label in ("waiting", "on_device"):
        totals[label] = {"count": totals[label]["count"] + count, "bytes": totals[label]["bytes"] + size}
    return totals


async def files_status(ws: Workspace, q: Any) -> dict[str, Any]:
    await current().data_key()
    return _status(ws)


async def files_sync(ws: Workspace, q: bm.FilesSync) -> dict[str, Any]:
    svc = current()
    if q.retry_now:
        with ws.transaction():
            ws.conn.execute("UPDATE blobs SET next_attempt_at = 0 WHERE state = 'waiting'")
    if await svc.data_key() is not None:
        svc.kick(ws)  # the run moves files out of the SQLite file and names local ones first
    else:  # locked: out of the SQLite file now, named once the key is unlocked
        from pylib.blobs.queue import offload_pending

        if ws.conn.execute("SELECT 1 FROM pending_uploads LIMIT 1").fetchone() is not None:
            await offload_pending(ws, None, await svc.files())
        if local.totals(ws)["count"]:
            await local.drop_unused(ws, await svc.files())
    return _status(ws)


_FILES = """SELECT a.id, a.path, a.size_bytes, p.artifact_id IS NOT NULL OR l.sha256 IS NOT NULL, b.name, b.state,
       b.on_device, b.last_error
  FROM artifacts a
  LEFT JOIN pending_uploads p ON p.artifact_id = a.id AND p.hash = a.hash AND p.size_bytes = a.size_bytes
  LEFT JOIN local_files l ON l.sha256 = a.hash AND l.size_bytes = a.size_bytes
  LEFT JOIN blobs b ON b.sha256 = a.hash AND b.size_bytes = a.size_bytes
 WHERE a.deleted_at IS NULL AND a.content IS NULL AND a.size_bytes > 0 AND a.hash IS NOT NULL
   AND (p.artifact_id IS NOT NULL OR a.s3_key IS NOT NULL OR l.sha256 IS NOT NULL)
 ORDER BY a.path"""


async def files_list(ws: Workspace, q: Any) -> list[dict[str, Any]]:
    progress = current().progress
    uploading = progress.name if progress.running else None
    rows = []
    for artifact_id, path, size, pending, name, state, on_device, error in ws.conn.execute(_FILES):
        done = None
        if pending or state == "waiting":
            where = "uploading" if name is not None and name == uploading else "waiting"
            done = progress.done if where == "uploading" else None
        else:
            where = "on_device" if on_device else "cloud_only"
        rows.append({"id": artifact_id, "path": path, "size_bytes": size, "state": where, "last_error": error,
                     "done": done})
    return rows


async def _ref(ws: Workspace, sha256: str, size: int) -> BlobRef:
    from pylib.blobs import format as fmt

    known = ledger.by_hash(ws, sha256)
    if known is not None and known.ref.size == size:
        return known.ref
    store = await current().store()
    return BlobRef(await fmt.object_name(store.platform, store.keys.names, bytes.fromhex(sha256)), sha256, size)


async def read_file(ws: Workspace, sha256: str, size: int, progress: Any = None, keep_later: bool = False) -> Any:
    """A large file's plaintext: from this device, else downloaded and verified (then cached:
    ``keep_later``, after the answer); ``progress(done, total)`` hears of a download. A kept
    copy is hashed once per session. In the browser a download's bytes are a JS buffer."""
    from pylib.blobs.queue import kept_copy, open_blob

    svc = current()
    files = await svc.files()
    unnamed = local.get(ws, sha256, size)  # kept here while the key was locked: no key needed
    if unnamed is not None:
        data = await kept_copy(files, svc.host.platform, unnamed, svc.verified)
        if data is not None:
            return data
    ref = await _ref(ws, sha256, size)
    await svc.settle(ref.name)  # a download of it still being kept: read that copy
    row = ledger.get(ws, ref.name)
    if row is not None and row.on_device:  # on this device: no key needed to read it back
        data = await kept_copy(files, svc.host.platform, ref, svc.verified)
        if data is not None:
            with ws.transaction():
                ledger.touch(ws, ref.name)
            return data
    later = (lambda ref, held: svc.keep_later(ws, ref, held)) if keep_later else None
    return await open_blob(ws, await svc.store(), files, ref, progress, svc.verified, keep_later=later)


async def files_open(ws: Workspace, q: p.IdParams) -> dict[str, Any]:
    from pylib import artifacts
    from pylib.errors import FileElsewhere

    try:
        return artifacts.download(ws, q.id)
    except FileElsewhere:
        pass
    row = ws.conn.execute("SELECT name, mime_type, hash, size_bytes FROM artifacts WHERE id = ? AND deleted_at IS NULL",
                          (q.id,)).fetchone()
    if row is None:
        raise NotFound(f"No file {q.id!r}.")
    downloads, size = current().downloads, row[3]

    def moved(done: int, total: int) -> None:  # object bytes, shown as the file's own
        downloads[q.id] = {"done": done * size // total if total else size, "total": size}

    downloads[q.id] = {"done": 0, "total": size}
    try:
        return {"name": row[0], "mime_type": row[1], "data": await read_file(ws, row[2], size, moved, keep_later=True)}
    finally:
        downloads.pop(q.id, None)


async def set_cache_limit(ws: Workspace, q: CacheLimit) -> dict[str, Any]:
    """Store the limit, then drop at once the least recently used files S3 holds until the
    device keeps at most that much (never a file not uploaded yet)."""
    from pylib.blobs.queue import evict

    store_cache_limit(ws, q.limit_bytes)
    svc = current()
    await svc.settle()  # downloads still being kept count as kept
    before = ledger.totals(ws)["on_device"]["bytes"]
    dropped = await evict(ws, await svc.files(), q.limit_bytes)
    svc.verified.difference_update(dropped)
    return {"limit_bytes": q.limit_bytes, "dropped": len(dropped),
            "freed_bytes": before - ledger.totals(ws)["on_device"]["bytes"]}


async def free_space(ws: Workspace, q: Any) -> dict[str, Any]:
    from pylib.blobs.queue import evict

    await current().settle()  # downloads still being kept count as kept
    before = ledger.totals(ws)["on_device"]["bytes"]
    dropped = await evict(ws, await current().files(), 0)
    current().verified.difference_update(dropped)
    return {"dropped": len(dropped), "freed_bytes": before - ledger.totals(ws)["on_device"]["bytes"]}


async def export_bundle(ws: Workspace, q: Any) -> dict[str, Any]:
    from pylib.transfer import bundle, export_filename

    platform = current().host.platform

    async def read(sha: str, size: int) -> bytes:
        return platform.to_py(await read_file(ws, sha, size))  # zipfile needs the bytes here

    data = await bundle.export_bundle(ws, read)
    return {"name": export_filename(ws.clock()).replace(".sqlite", ".zip"), "data": data}


async def import_bundle(ws: Workspace, q: bm.BundleImport) -> Any:
    from pylib.transfer import bundle

    svc = current()
    result = await bundle.import_bundle(ws, q.data, q.mode, await svc.store(), await svc.files())
    svc.kick(ws)
    return result.model_dump()


SPECS: dict[str, tuple[Any, ...]] = {
    "keys.status": (p.NoParams, key_status, bm.KeyStatus,
                    "signed in, a key in the cloud, unlocked on this device (None: offline)"),
    "keys.setup": (bm.Passphrase, setup, bm.ShownWords,
                   "a new workspace key (create-only in S3); `words`: the recovery words, shown once"),
    "keys.unlock": (bm.Passphrase, unlock, bm.KeyStatus, "wrong passphrase → `wrong_secret`, nothing kept"),
    "keys.recover": (bm.RecoveryWords, recover, bm.KeyStatus, "the 24 recovery words instead of the passphrase"),
    "keys.change_passphrase": (bm.NewPassphrase, change_passphrase, bm.KeyStatus,
                               "re-wraps the same key (no file is re-encrypted); the current passphrase first"),
    "keys.lock": (p.NoParams, lock, bm.KeyStatus, "forget the key on this device (the cloud copy stays)"),
    "files.status": (p.NoParams, files_status, bm.FilesStatus,
                     "the upload queue's progress, downloads on demand (`downloads`: by file id) and the totals"),
    "files.sync": (bm.FilesSync, files_sync, bm.FilesStatus,
                   "start the upload queue in the background (`retry_now`: skip the backoff)"),
    "files.list": (p.NoParams, files_list, list[bm.FileRow],
                   "large files, by where their bytes are (`done`: bytes sent of the one uploading)"),
    "files.add": (p.UploadArtifact, add_file, "Artifact",
                  "`artifacts.upload`, a file over the inline limit kept on this device outside the SQLite file"
                  " (a pointer; its upload queued, or waiting for the key while it is locked or not set up)"),
    "files.update": (p.UpdateArtifact, update_file, "Artifact",
                     "`artifacts.update`, a file's new content over the inline limit kept on this device outside the"
                     " SQLite file (a pointer; its upload queued, or waiting for the key)"),
    "files.open": (p.IdParams, files_open, "Download",
                   "a file's bytes: inline, on this device, or downloaded from S3 and verified"),
    "files.free_space": (p.NoParams, free_space, bm.Freed, "drop cached copies S3 holds safely"),
    "files.set_cache_limit": (CacheLimit, set_cache_limit, CacheLimitSet,
                              "keep at most `limit_bytes` of large files on this device (a workspace setting,"
                              " 2 GiB by default); what is over it now goes at once, never a file not uploaded"),
    "transfer.export_bundle": (p.NoParams, export_bundle, bm.BundleExport,
                               "a `.zip` of `workspace.sqlite` and the decrypted large files"),
    "transfer.import_bundle": (bm.BundleImport, import_bundle, "ImportResult",
                               "every check of a plain import, and each file's hash; nothing changed on error"),
}
