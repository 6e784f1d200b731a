"""Artifacts: documents and files at virtual paths.

Where content lives is decided by :func:`pylib.content.keeps_inline`: documents (text of a
text kind) always live in ``artifacts.content``, up to
:data:`~pylib.content.DOCUMENT_TEXT_LIMIT`; files over
:data:`~pylib.content.FILE_INLINE_LIMIT` are pointers (hash and size) to bytes the caller kept
on the device first (``kept``: :mod:`pylib.blobs.add`, the engine's ``files.add`` and
``files.update``), or, through these synchronous calls alone, wait in ``pending_uploads`` with
``metadata.pending_upload = true`` (the upload queue moves them out). A document's type is its own: it is chosen when it is
created (or uploaded) and kept on rename and move. Every change is one transaction with its
action-log row; every content change records a version.
"""

from __future__ import annotations

import json
from typing import Any

from pylib import activity, folders, jsondata, textstore, versions
from pylib.artifact_tree import kept_locally, waiting_here
from pylib.artifact_tree import list_tree, tree_json  # noqa: F401  (re-exported: the tree is read as artifacts.*)
from pylib.clock import new_id
from pylib.content import as_text, check_document_size, check_size, digest, keeps_inline, text_of_kind
from pylib.content import render_html, to_bytes
from pylib.db import Workspace
from pylib.errors import Conflict, FileElsewhere, FileMissing, NotFound
from pylib.links import index as link_index
from pylib.kinds import classify, document_mime, guess_mime, mime_on_rename
from pylib.models import Artifact
from pylib.paths import join, name_of, normalize_folder, normalize_path, parent_of, validate_name
from pylib.search import indexer as search_index

# Summary columns; all of them are in idx_artifacts_listing (see migration 0009).
_LIST_COLS = (
    "a.id, a.path, a.name, a.mime_type, a.kind, a.size_bytes, a.hash, a.created_at, a.updated_at"
)
# Where a large file's bytes are kept outside the SQLite file: the object's ``s3_key``, or
# ``""`` while the object cannot be named yet (the workspace key is locked).
Kept = str | None
# Pending: waiting inside the SQLite file, or kept on this device under a local name.
_COLS = _LIST_COLS + f", {waiting_here('a')} OR {kept_locally('a')}"


def summary(row: tuple[Any, ...], pending: bool | None = None) -> dict[str, Any]:
    """An ``ArtifactSummary`` dict from a row selected with ``_COLS`` (or ``_LIST_COLS``
    and the pending flag passed separately)."""
    return {
        "id": row[0], "path": row[1], "name": row[2], "folder": parent_of(row[1]),
        "mime_type": row[3], "kind": row[4], "size_bytes": row[5] or 0, "hash": row[6],
        "created_at": row[7], "updated_at": row[8],
        "pending_upload": bool(row[9]) if pending is None else pending,
    }


def _row(ws: Workspace, artifact_id: str, *, damaged_ok: bool = False) -> tuple[Any, ...]:
    """The columns of ``_COLS``, metadata and the plain content (raises
    :class:`~pylib.textstore.TextDamaged` if it cannot be unpacked, unless ``damaged_ok``:
    then the content is ``None``, so a save can still replace it)."""
    row = ws.conn.execute(
        f"SELECT {_COLS}, a.metadata, a.content, a.content_codec FROM artifacts a"
        " WHERE a.id = ? AND a.deleted_at IS NULL",
        (artifact_id,),
    ).fetchone()
    if row is None:
        raise NotFound("No such document.", id=artifact_id)
    if row[12] is None:
        return row
    try:
        data = textstore.plain_of(ws.conn, row[11], row[12], row[6], row[1])
    except textstore.TextDamaged:
        if not damaged_ok:
            raise
        data = None
    return (*row[:11], data, None)


def _metadata(raw: Any) -> dict[str, Any]:
    value = jsondata.load(raw, default={}) if raw else {}
    return value if isinstance(value, dict) else {}


def get(ws: Workspace, artifact_id: str) -> Artifact:
    """One live artifact with metadata, ``text`` when its content is text, and ``html``
    when it is Markdown."""
    row = _row(ws, artifact_id)
    text = text_of_kind(row[11], row[4])
    return Artifact(
        **summary(row),
        metadata=_metadata(row[10]),
        version_count=versions.count(ws, artifact_id),
        text=text,
        html=render_html(text, row[4]),
    )


def keep_pending_in_history(ws: Workspace, artifact_id: str) -> None:
    """Before the artifact's bytes waiting in ``pending_uploads`` are replaced, put them in the
    versions of it that record them as a pointer (its hash and size, no content): those bytes
    were never uploaded, so they would be gone while history still lists them. (The engine
    moves them to the device store first, :func:`pylib.blobs.queue.offload_pending`, and they
    upload; this is the synchronous path's: inside the SQLite file, as they were.)"""
    ws.conn.execute(
        "UPDATE artifact_versions SET content = (SELECT data FROM pending_uploads WHERE artifact_id = ?),"
        " storage = 'full', base_id = NULL WHERE artifact_id = ? AND content IS NULL"
        " AND (hash, size_bytes) = (SELECT hash, size_bytes FROM pending_uploads WHERE artifact_id = ?)",
        (artifact_id, artifact_id, artifact_id))


def _store_content(
    ws: Workspace, artifact_id: str, data: bytes, meta: dict[str, Any], kind: str,
    kept: Kept = None,
) -> None:
    """Put ``data`` inline (packed when that pays, :mod:`pylib.textstore`) or in
    ``pending_uploads``, and keep the metadata flag in step. ``kept``: the bytes are kept on
    this device outside the SQLite file already (:mod:`pylib.blobs.add`): only the pointer is
    stored — the object's ``s3_key``, or ``""`` while it cannot be named yet (key locked)."""
    now = ws.clock()
    codec: int | None = None
    inline: bytes | None = None
    keep_pending_in_history(ws, artifact_id)
    if keeps_inline(kind, data):
        ws.conn.execute("DELETE FROM pending_uploads WHERE artifact_id = ?", (artifact_id,))
        meta.pop("pending_upload", None)
        inline, codec = textstore.encode(ws.conn, data, kind)
        if codec is not None:
            textstore.remember(digest(data), data)
    elif kept is not None:
        ws.conn.execute("DELETE FROM pending_uploads WHERE artifact_id = ?", (artifact_id,))
        ws.conn.execute("UPDATE artifacts SET s3_key = ? WHERE id = ?", (kept or None, artifact_id))
        meta.pop("pending_upload", None)
    else:
        ws.conn.execute(
            "INSERT OR REPLACE INTO pending_uploads (artifact_id, data, size_bytes, hash,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (artifact_id, data, len(data), digest(data), now),
        )
        meta["pending_upload"] = True
    ws.conn.execute(
        "UPDATE artifacts SET content = ?, content_codec = ?, size_bytes = ?, hash = ?,"
        " updated_at = ?, metadata = ? WHERE id = ?",
        (inline, codec, len(data), digest(data), now, json.dumps(meta), artifact_id),
    )


def _kind(path: str, data: bytes, mime_type: str | None, action: str) -> tuple[str, str]:
    name = name_of(path)
    if action == "ARTIFACT_CREATE":
        mime = document_mime(name, mime_type, as_text(data) is not None)
    else:
        mime = mime_type or guess_mime(name)
    return mime, classify(mime, name)


def upload_stays_inline(path: str, data: bytes, mime_type: str | None = None) -> bool:
    """Whether :func:`upload` keeps ``data`` in the SQLite file (a document, a small file)."""
    return keeps_inline(_kind(normalize_path(path), data, mime_type, "ARTIFACT_UPLOAD")[1], data)


def _insert(ws: Workspace, path: str, data: bytes, mime_type: str | None, action: str,
            kept: Kept = None) -> str:
    path = normalize_path(path)
    check_size(data)
    name = name_of(path)
    mime, kind = _kind(path, data, mime_type, action)
    if action == "ARTIFACT_CREATE":
        check_document_size(kind, data)
    with ws.transaction():
        if folders.path_taken(ws, path):
            raise Conflict(f"{path!r} already exists.", path=path)
        folders.ensure(ws, parent_of(path))
        now = ws.clock()
        artifact_id = new_id(now)
        ws.conn.execute(
            "INSERT INTO artifacts (id, path, name, mime_type, kind, created_at, updated_at,"
            " metadata) VALUES (?, ?, ?, ?, ?, ?, ?, '{}')",
            (artifact_id, path, name, mime, kind, now, now),
        )
        _store_content(ws, artifact_id, data, {}, kind, kept)
        search_index.index(ws, [artifact_id])
        link_index.refresh(ws.conn, [artifact_id])
        versions.record(ws, artifact_id, data, digest(data), "create")
        activity.log(ws, action, {"artifact_id": artifact_id, "path": path,
                                  "size_bytes": len(data)})
    return artifact_id


def create(
    ws: Workspace, path: str, content: str | bytes | None = None, mime_type: str | None = None
) -> Artifact:
    """Create a document at ``path`` (parent folders are created as needed)."""
    return get(ws, _insert(ws, path, to_bytes(content), mime_type, "ARTIFACT_CREATE"))


def upload(ws: Workspace, path: str, data: bytes, mime_type: str | None = None, *,
           kept: Kept = None) -> Artifact:
    """Store a file. Text of a text kind becomes an editable document; other content over
    :data:`~pylib.content.FILE_INLINE_LIMIT` is kept in ``pending_uploads``, marked pending,
    unless ``kept`` says its bytes are kept on the device already (then only the pointer:
    see :func:`_store_content`)."""
    return get(ws, _insert(ws, path, to_bytes(data), mime_type, "ARTIFACT_UPLOAD", kept))


def set_content(
    ws: Workspace,
    artifact_id: str,
    data: bytes,
    *,
    reason: str = "update",
    base_hash: str | None = None,
    restored_from: str | None = None,
    kept: Kept = None,
) -> Artifact:
    """Replace the content, recording a version; unchanged content is a no-op.

    ``base_hash``: the hash the caller edited from; if the document changed since, raises
    :class:`Conflict` instead of overwriting someone else's save. ``kept``: as for
    :func:`upload` (:func:`pylib.blobs.add.update_file` keeps a large file's new bytes on the
    device first).
    """
    check_size(data)
    with ws.transaction():
        row = _row(ws, artifact_id, damaged_ok=True)
        if base_hash is not None and base_hash != row[6]:
            raise Conflict("The document changed since you opened it.", hash=row[6])
        new_hash = digest(data)
        if new_hash == row[6] and row[5] == len(data):
            return get(ws, artifact_id)
        check_document_size(row[4], data)
        with search_index.reindexing(ws, [artifact_id]):
            _store_content(ws, artifact_id, data, _metadata(row[10]), row[4], kept)
        link_index.refresh(ws.conn, [artifact_id])
        version_id = versions.record(ws, artifact_id, data, new_hash, reason, restored_from,
                                     previous=(row[6], row[11]))
        action = "VERSION_RESTORE" if reason == "restore" else "ARTIFACT_UPDATE"
        activity.log(ws, action, {"artifact_id": artifact_id, "path": row[1],
                                  "version_id": version_id, "size_bytes": len(data)})
    return get(ws, artifact_id)


def restore_version(ws: Workspace, version_id: str) -> Artifact:
    """Make an old version current again by recording it as a new version (nothing is lost)."""
    artifact_id, data = versions.content_of(ws, version_id)
    return set_content(ws, artifact_id, data, reason="restore", restored_from=version_id)


def update(
    ws: Workspace, artifact_id: str, content: str | bytes, base_hash: str | None = None
) -> Artifact:
    """Save new content for a document (text is stored as UTF-8)."""
    return set_content(ws, artifact_id, to_bytes(content), base_hash=base_hash)


def _relocate(ws: Workspace, artifact_id: str, new_path: str, action: str) -> Artifact:
    with ws.transaction():
        row = _row(ws, artifact_id)
        old_path, old_name, old_mime = row[1], row[2], row[3]
        if new_path == old_path:
            return get(ws, artifact_id)
        if not folders.folder_exists(ws, parent_of(new_path)):
            raise NotFound("The destination folder does not exist.", path=parent_of(new_path))
        if folders.path_taken(ws, new_path):
            raise Conflict(f"{new_path!r} already exists.", path=new_path)
        name = name_of(new_path)
        mime = mime_on_rename(old_name, name, old_mime, as_text(row[11]) is not None)
        kind = row[4] if mime == old_mime else classify(mime, name)
        # The index holds names, not paths: a move keeps its entry as it is.
        with search_index.reindexing(ws, [artifact_id] if name != old_name else []):
            ws.conn.execute(
                "UPDATE artifacts SET path = ?, name = ?, mime_type = ?, kind = ?,"
                " updated_at = ? WHERE id = ?",
                (new_path, name, mime, kind, ws.clock(), artifact_id),
            )
        link_index.refresh(ws.conn, [artifact_id])
        activity.log(ws, action, {"artifact_id": artifact_id, "from": old_path, "to": new_path})
    return get(ws, artifact_id)


def rename(ws: Workspace, artifact_id: str, name: str) -> Artifact:
    """Give a document a new name in the same folder."""
    name = validate_name(name.strip() if isinstance(name, str) else name)
    row = _row(ws, artifact_id)
    return _relocate(ws, artifact_id, join(parent_of(row[1]), name), "ARTIFACT_RENAME")


def move(ws: Workspace, artifact_id: str, folder: str) -> Artifact:
    """Move a document into an existing ``folder``, keeping its name."""
    folder = normalize_folder(folder)
    row = _row(ws, artifact_id)
    return _relocate(ws, artifact_id, join(folder, row[2]), "ARTIFACT_MOVE")


# A pointer: the object's key, or bytes on this device not named yet (pylib.blobs.local).
_ELSEWHERE = f"SELECT s3_key IS NOT NULL OR {kept_locally('a')} FROM artifacts a WHERE a.id = ?"
_PENDING = ("SELECT p.data, p.hash = a.hash AND p.size_bytes = a.size_bytes FROM pending_uploads p"
            " JOIN artifacts a ON a.id = p.artifact_id WHERE p.artifact_id = ?")


def download(ws: Workspace, artifact_id: str) -> dict[str, Any]:
    """``{name, mime_type, data}`` with the full content, inline or pending."""
    row = _row(ws, artifact_id)
    data = row[11]
    if data is None:
        # Bytes waiting here are the content only while their hash is the artifact's: a pull
        # may have made another device's content current over them (they are a version then).
        pending = ws.conn.execute(_PENDING, (artifact_id,)).fetchone()
        if pending is not None and not pending[1]:
            raise FileElsewhere(path=row[1])  # the current bytes are in S3 or on the way there
        if pending is None and ws.conn.execute(_ELSEWHERE, (artifact_id,)).fetchone()[0]:
            raise FileElsewhere(path=row[1])  # a pointer: the bytes are on the device or in S3
        if pending is None and row[5]:  # bytes it says it has, found nowhere: never shown as empty
            raise FileMissing(path=row[1])
        data = pending[0] if pending else b""
    return {"name": row[2], "mime_type": row[3], "data": to_bytes(data)}
