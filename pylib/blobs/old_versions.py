"""Old versions of large files: ``files.open_version`` and ``files.restore_version``.

History keeps a large file's version as its size and plaintext SHA-256 only (``has_content``
false, :mod:`pylib.versions`). That is all it takes to find the bytes again: the object's name
is a keyed hash of that SHA-256 (:func:`pylib.blobs.format.object_name`), the ledger maps the
hash to the name this device knows, and a file kept here before the key could name it is under
its local name (:mod:`pylib.blobs.local`). Objects are content-addressed and garbage collection
keeps every object a version refers to (:mod:`pylib.blobs.ledger`), so an old version's object
is in S3 (or cached here) for as long as the version is in history.

Opening an old version reads it like the current file (:func:`~pylib.blobs.api_methods.read_file`:
from this device, else downloaded and verified). Restoring it records a new version that points
at the old object, as the artifact's current content: no byte is read or sent again. Before
anything is written the object is found — kept intact on this device, or present in S3 (a
``HEAD``) — so a version whose object is gone, or that cannot be checked because the server is
out of reach and no copy is cached, is refused with a clear message and nothing changes.
"""

from __future__ import annotations

import json
from typing import Any

from pylib import activity, artifacts, params as p, versions
from pylib.blobs import format as fmt
from pylib.blobs import ledger, local
from pylib.blobs.add import offload_one
from pylib.blobs.ledger import BlobRef
from pylib.blobs.service import current
from pylib.db import Workspace
from pylib.errors import KeyUnavailable, NetworkError, NotFound, StorageError, VersionUnavailable
from pylib.links import index as link_index
from pylib.models import Artifact
from pylib.search import indexer as search_index

GONE = ("The stored copy of this version is no longer in the cloud or on this device, so it cannot be"
        " opened or restored. Nothing was changed.")
OFFLINE = ("This version is not on this device and the server cannot be reached; connect and try again."
           " Nothing was changed.")
LOCKED = ("This version is not on this device: unlock encryption to fetch it from the cloud."
          " Nothing was changed.")
UNRECORDED = ("This version was recorded without its content's hash, so its stored copy cannot be found."
              " Nothing was changed.")
_UNREACHABLE = {"unavailable", "network_error", "not_signed_in"}


def _version(ws: Workspace, version_id: str) -> tuple[str, str | None, int, bool]:
    """``(artifact_id, hash, size, has_content)`` of a version; NotFound if there is none."""
    row = ws.conn.execute("SELECT artifact_id, hash, size_bytes, content IS NOT NULL FROM artifact_versions"
                          " WHERE id = ?", (version_id,)).fetchone()
    if row is None:
        raise NotFound("No such version.", id=version_id)
    return row[0], row[1], row[2] or 0, bool(row[3])


def version_name(name: str, number: int) -> str:
    """The name an old version is downloaded under: ``report (version 3).pdf``, by the number
    History shows it with (:func:`pylib.versions.number_of`)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} (version {number})"
    return f"{stem} (version {number}).{ext}"


def _unavailable(error: Exception, version_id: str) -> VersionUnavailable:
    """A clear refusal for a version whose bytes cannot be had now."""
    if isinstance(error, KeyUnavailable):
        return VersionUnavailable(LOCKED, id=version_id, reason="locked")
    code = getattr(error, "code", "")
    if code == "not_found":
        return VersionUnavailable(GONE, id=version_id, reason="gone")
    return VersionUnavailable(OFFLINE, id=version_id, reason="offline")


async def open_version(ws: Workspace, q: p.VersionId) -> dict[str, Any]:
    """``{name, mime_type, data}`` of one version: its kept content, or a large file's bytes
    from this device or downloaded and verified (then cached, as opening the file does)."""
    from pylib.blobs.api_methods import read_file

    artifact_id, sha256, size, has_content = _version(ws, q.version_id)
    art = ws.conn.execute("SELECT name, mime_type FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()
    name, mime = version_name(art[0], versions.number_of(ws, q.version_id)), art[1]
    if not has_content and not sha256 and size:
        raise VersionUnavailable(UNRECORDED, id=q.version_id, reason="unrecorded")
    if has_content or size == 0:
        return {"name": name, "mime_type": mime, "data": versions.content_of(ws, q.version_id)[1]}
    downloads = current().downloads

    def moved(done: int, total: int) -> None:  # object bytes, shown as the file's own
        downloads[q.version_id] = {"done": done * size // total if total else size, "total": size}

    downloads[q.version_id] = {"done": 0, "total": size}
    try:
        data = await read_file(ws, sha256, size, moved, keep_later=True)
    except (StorageError, NetworkError, KeyUnavailable) as error:
        if isinstance(error, StorageError) and error.code not in _UNREACHABLE | {"not_found"}:
            raise
        raise _unavailable(error, q.version_id) from None
    finally:
        downloads.pop(q.version_id, None)
    return {"name": name, "mime_type": mime, "data": data}


async def _kept_here(ws: Workspace, ref: BlobRef) -> bool:
    """Whether this device holds the object's bytes intact."""
    from pylib.blobs.queue import kept_copy

    svc = current()
    return await kept_copy(await svc.files(), svc.host.platform, ref, svc.verified) is not None


async def locate(ws: Workspace, sha256: str, size: int, version_id: str) -> str:
    """Where the bytes of a large file's old version are, as an artifact's pointer: the
    object's ``s3_key``, or ``""`` for a file kept here under its local name. Raises
    :class:`VersionUnavailable` (``reason``: gone, offline, locked) if they cannot be found."""
    unnamed = local.get(ws, sha256, size)
    if unnamed is not None and await _kept_here(ws, unnamed):
        return ""
    known = ledger.by_hash(ws, sha256)
    ref = known.ref if known is not None and known.ref.size == size else None
    if ref is not None and known.on_device and await _kept_here(ws, ref):
        return ref.key  # uploaded or still waiting: the device holds it either way
    svc = current()
    try:
        if ref is None:  # another device's version, or one this device never saw: name it
            keys = await svc.workspace_keys()
            if keys is None:
                raise KeyUnavailable()
            name = await fmt.object_name(svc.host.platform, keys.names, bytes.fromhex(sha256))
            ref = BlobRef(name, sha256, size)
        head = await (await svc.store()).client.head(ref.key)
    except (StorageError, NetworkError, KeyUnavailable) as error:
        if isinstance(error, StorageError) and error.code not in _UNREACHABLE | {"not_found"}:
            raise
        raise _unavailable(error, version_id) from None
    if head is None:
        raise VersionUnavailable(GONE, id=version_id, reason="gone")
    with ws.transaction():
        ledger.record(ws, ref, state="uploaded")  # known from now on (a no-op if it was)
    return ref.key


def point_at(ws: Workspace, artifact_id: str, version_id: str, sha256: str, size: int, kept: str) -> Artifact:
    """Make the artifact's current content the large file of ``version_id``, as a pointer
    (``kept``: from :func:`locate`), recording a restore version; one transaction."""
    with ws.transaction():
        row = artifacts._row(ws, artifact_id, damaged_ok=True)  # noqa: SLF001  (the artifact's columns)
        if row[6] == sha256 and row[5] == size:
            return artifacts.get(ws, artifact_id)
        meta = artifacts._metadata(row[10])  # noqa: SLF001
        meta.pop("pending_upload", None)
        with search_index.reindexing(ws, [artifact_id]):
            artifacts.keep_pending_in_history(ws, artifact_id)  # moved out first by restore_version
            ws.conn.execute("DELETE FROM pending_uploads WHERE artifact_id = ?", (artifact_id,))
            ws.conn.execute(
                "UPDATE artifacts SET content = NULL, content_codec = NULL, s3_key = ?, size_bytes = ?, hash = ?,"
                " updated_at = ?, metadata = ? WHERE id = ?",
                (kept or None, size, sha256, ws.clock(), json.dumps(meta), artifact_id))
        link_index.refresh(ws.conn, [artifact_id])
        new_id = versions.record(ws, artifact_id, None, sha256, "restore", version_id, size=size)
        activity.log(ws, "VERSION_RESTORE", {"artifact_id": artifact_id, "path": row[1],
                                             "version_id": new_id, "size_bytes": size})
    return artifacts.get(ws, artifact_id)


async def restore_version(ws: Workspace, q: p.VersionId) -> Artifact:
    """Make an old version current again, as a new version (nothing is overwritten): kept
    content as ``versions.restore`` does; a large file by pointing at its object, once found."""
    artifact_id, sha256, size, has_content = _version(ws, q.version_id)
    if not has_content and not sha256 and size:
        raise VersionUnavailable(UNRECORDED, id=q.version_id, reason="unrecorded")
    if has_content or size == 0:
        await offload_one(ws, current(), artifact_id)  # the bytes it replaces are a version too: they upload
        return artifacts.restore_version(ws, q.version_id)
    if ws.conn.execute("SELECT 1 FROM artifacts WHERE id = ? AND deleted_at IS NULL", (artifact_id,)).fetchone() is None:
        raise NotFound("No such document.", id=artifact_id)
    kept = await locate(ws, sha256, size, q.version_id)
    await offload_one(ws, current(), artifact_id)
    restored = point_at(ws, artifact_id, q.version_id, sha256, size, kept)
    current().kick(ws)  # a file kept here under its local name, or still waiting, goes up as it would
    return restored


SPECS: dict[str, tuple[Any, ...]] = {
    "files.open_version": (p.VersionId, open_version, "Download",
                           "one version's bytes (`name (version N).ext`): kept in history, or a large file's object"
                           " from this device or downloaded and verified; gone, offline, locked →"
                           " `version_unavailable` (`details.reason`)"),
    "files.restore_version": (p.VersionId, restore_version, "Artifact",
                              "`versions.restore`, a large file's version too: a new version pointing at its object"
                              " (nothing sent again); not found now → `version_unavailable`, nothing changed"),
}
