"""Version history of artifacts.

Every save that changes content appends a version with the next ``seq`` for that artifact:
the order this device recorded them in. History lists them by when each was saved (a
version synced from another device may have been saved before this device's latest ones)
and marks the one holding the current content (``current``). Restoring copies an old
version's content into a new version: nothing is ever overwritten. History keeps the content
of every version whose artifact keeps its content inline (:func:`pylib.content.keeps_inline`:
every document, files up to 1 MB); for larger files the row keeps size and hash and
``has_content`` is false. Older versions are stored as deltas (:mod:`pylib.version_store`).
"""

from __future__ import annotations

from typing import Any

from pylib import version_store
from pylib.clock import new_id
from pylib.content import as_text, keeps_inline, render_html, text_of_kind
from pylib.db import Workspace
from pylib.errors import InvalidParams, NotFound, VersionUnavailable
from pylib.models import Version

MAX_PAGE = 500
# length() of a BLOB is read from the record header; `content IS NOT NULL` would load it.
_SUMMARY = (
    "id, artifact_id, seq, size_bytes, hash, created_at, reason, restored_from,"
    " length(content) IS NOT NULL"
)


def record(
    ws: Workspace,
    artifact_id: str,
    data: bytes | None,
    hash_: str,
    reason: str,
    restored_from: str | None = None,
    previous: tuple[str | None, Any] | None = None,
    size: int | None = None,
) -> str:
    """Append a version (inside the caller's transaction); returns its id.

    ``previous``: ``(hash, content)`` the artifact had before, if the caller read it: the
    previous newest version is re-encoded against the new one without reading it again.
    ``data`` None: a large file made current again as a pointer (its bytes are in S3 or on
    this device, named by ``hash_``; :mod:`pylib.blobs.old_versions`), of ``size`` bytes."""
    seq = ws.conn.execute(
        "SELECT coalesce(max(seq), 0) + 1 FROM artifact_versions WHERE artifact_id = ?",
        (artifact_id,),
    ).fetchone()[0]
    version_id = new_id()
    kind = ws.conn.execute("SELECT kind FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()
    stored = data if data is not None and keeps_inline(kind[0] if kind else None, data) else None
    version_store.supersede(ws, artifact_id, version_id, stored, previous)
    ws.conn.execute(
        "INSERT INTO artifact_versions (id, artifact_id, seq, content, size_bytes, hash,"
        " created_at, reason, restored_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (version_id, artifact_id, seq, stored, len(data) if data is not None else size, hash_, ws.clock(), reason,
         restored_from),
    )
    return version_id


def _summary(row: tuple[Any, ...], current: str | None, number: int) -> dict[str, Any]:
    return {
        "id": row[0], "artifact_id": row[1], "seq": row[2], "size_bytes": row[3],
        "hash": row[4], "created_at": row[5], "reason": row[6], "restored_from": row[7],
        "has_content": bool(row[8]), "current": row[0] == current, "number": number,
    }


def _number(ws: Workspace, artifact_id: str, created_at: int, version_id: str) -> int:
    """The place of a version in its document's history: 1 for the oldest."""
    return ws.conn.execute(
        "SELECT count(*) FROM artifact_versions WHERE artifact_id = ?"
        " AND (created_at, id) <= (?, ?)", (artifact_id, created_at, version_id)).fetchone()[0]


def number_of(ws: Workspace, version_id: str) -> int:
    """The number History shows for a version ("#3"); NotFound if there is none."""
    row = ws.conn.execute("SELECT artifact_id, created_at FROM artifact_versions WHERE id = ?",
                          (version_id,)).fetchone()
    if row is None:
        raise NotFound("No such version.", id=version_id)
    return _number(ws, row[0], row[1], version_id)


def by_number(ws: Workspace, artifact_id: str, number: int) -> str | None:
    """The id of the version History shows as ``#number`` (None if there is no such one)."""
    if number < 1:
        return None
    row = ws.conn.execute("SELECT id FROM artifact_versions WHERE artifact_id = ?"
                          " ORDER BY created_at, id LIMIT 1 OFFSET ?",
                          (artifact_id, number - 1)).fetchone()
    return row[0] if row else None


# History's order: by when each version was saved, on whichever device, then by id (made in
# time order, and the same on every device: every device lists them alike). ``seq``, the
# order this device recorded them in, differs once sync brings in a version saved elsewhere
# before this device's own latest ones: it is recorded after them here.
def newest_first(alias: str = "") -> str:
    """SQL ``ORDER BY`` terms of history's order, newest first (``alias``: of the versions)."""
    at = f"{alias}." if alias else ""
    return f"{at}created_at DESC, {at}id DESC"


def holds_current(alias: str = "v", artifact: str = "a") -> str:
    """SQL true for a version row that holds its document's current content: its hash, and not
    a conflict version (a merge keeps the other side's text as one, newer than the current)."""
    return f"{alias}.hash IS {artifact}.hash AND {alias}.reason != 'conflict'"


def current_version(ws: Workspace, artifact_id: str) -> str | None:
    """The id of the version that holds the document's current content: the newest one
    :func:`holds_current`."""
    row = ws.conn.execute(
        "SELECT v.id FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id"
        f" WHERE v.artifact_id = ? AND {holds_current()} ORDER BY {newest_first('v')} LIMIT 1",
        (artifact_id,)).fetchone()
    return row[0] if row else None


def list_versions(
    ws: Workspace, artifact_id: str, limit: int = 50, before: int | None = None
) -> list[dict[str, Any]]:
    """Version summaries newest first, by when each was saved (``VersionSummary`` dicts:
    ``number`` is the place in that order, 1 the oldest; the one holding the current content
    has ``current``); ``before`` is the ``seq`` of the last one of the page before."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidParams(f"limit must be between 1 and {MAX_PAGE}.")
    exists = ws.conn.execute("SELECT 1 FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()
    if not exists:
        raise NotFound("No such document.", id=artifact_id)
    sql = f"SELECT {_SUMMARY} FROM artifact_versions WHERE artifact_id = ?"
    args: list[Any] = [artifact_id]
    if before is not None:
        after = ws.conn.execute("SELECT created_at, id FROM artifact_versions WHERE artifact_id = ?"
                                " AND seq = ?", (artifact_id, before)).fetchone()
        if after is None:  # removed since (retention): the page goes on by seq alone
            sql += " AND seq < ?"
            args.append(before)
        else:
            sql += " AND (created_at, id) < (?, ?)"
            args += list(after)
    rows = ws.conn.execute(f"{sql} ORDER BY {newest_first()} LIMIT ?", (*args, limit)).fetchall()
    if not rows:
        return []
    current = current_version(ws, artifact_id)
    first = _number(ws, artifact_id, rows[0][5], rows[0][0])
    return [_summary(r, current, first - i) for i, r in enumerate(rows)]


def count(ws: Workspace, artifact_id: str) -> int:
    """Number of versions recorded for one artifact."""
    return ws.conn.execute(
        "SELECT count(*) FROM artifact_versions WHERE artifact_id = ?", (artifact_id,)
    ).fetchone()[0]


def _load(ws: Workspace, version_id: str) -> tuple[tuple[Any, ...], bytes | None]:
    """The summary columns of a version and its content, rebuilt from deltas if need be
    (raises :class:`~pylib.errors.VersionCorrupt` if that fails)."""
    row = ws.conn.execute(
        f"SELECT {_SUMMARY}, storage, base_id, content FROM artifact_versions WHERE id = ?",
        (version_id,),
    ).fetchone()
    if row is None:
        raise NotFound("No such version.", id=version_id)
    data = version_store.content_of(ws, row[0], row[1], row[2], row[9], row[10], row[11], row[4])
    return row, data


def get(ws: Workspace, version_id: str) -> Version:
    """One version with its text (and HTML for Markdown) when the content is text."""
    row, data = _load(ws, version_id)
    art = ws.conn.execute("SELECT kind FROM artifacts WHERE id = ?", (row[1],)).fetchone()
    text = text_of_kind(data, art[0] if art else None)
    summary = _summary(row, current_version(ws, row[1]), _number(ws, row[1], row[5], row[0]))
    return Version(**summary, text=text, html=render_html(text, art[0] if art else "other"))


def content_of(ws: Workspace, version_id: str) -> tuple[str, bytes]:
    """``(artifact_id, content)`` of a version whose content is kept in history.

    Raises :class:`NotFound`, or :class:`VersionUnavailable` for content too large to keep.
    (Restoring it is :func:`pylib.artifacts.restore_version`: artifacts records versions, so
    the restore lives there and this module never imports artifacts.)
    """
    row, data = _load(ws, version_id)
    if data is None:
        raise VersionUnavailable(id=version_id)
    return row[1], data
