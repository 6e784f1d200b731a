"""Merging one artifact from an imported file into the workspace.

Artifacts are matched by id. For an artifact on both sides whose content hash differs:

* the file's version history contains the workspace's current hash → only the file changed it:
  the file's content (and row) becomes current;
* the workspace's history contains the file's current hash → only the workspace changed it:
  the workspace keeps its content;
* neither → both changed it (a conflict). Both contents survive as versions: the side with the
  newer ``updated_at`` becomes current (the workspace wins a tie), the other side's content is
  in the history, and an ``IMPORT_CONFLICT`` action records it.

With equal content, the row (path, name, trash state) of the side updated later wins. Versions
are merged by id: the file's versions the workspace lacks are appended after the workspace's
newest ``seq`` in the file's order, and if the newest version then differs from the current
content, a ``merge`` version with the current content is added, keeping the engine's rule that
the newest version equals the current content.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pylib import folders, textstore, versions
from pylib.artifacts import keep_pending_in_history
from pylib.db import Workspace
from pylib.errors import Conflict, InvalidPath
from pylib.paths import free_name, join, name_of, normalize_path, parent_of
from pylib.transfer.models import MergeConflict, MergeCounts

ROW_FIELDS = ("path", "name", "mime_type", "kind", "metadata", "s3_key", "created_at",
              "updated_at", "deleted_at", "trash_id")
CONTENT_FIELDS = ("content", "content_codec", "size_bytes", "hash")


def fetch(conn: sqlite3.Connection, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
    """Rows of ``sql`` as dicts keyed by column name."""
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _history(conn: sqlite3.Connection, artifact_id: str) -> set[str]:
    rows = conn.execute("SELECT hash FROM artifact_versions WHERE artifact_id = ?", (artifact_id,))
    return {h for (h,) in rows if h}


def _free_path(ws: Workspace, path: str, artifact_id: str) -> str:
    """``path`` if no other live item has it, else an "(imported)" sibling; parents created."""
    parent = parent_of(path)
    folders.ensure(ws, parent)

    def taken(name: str) -> bool:
        candidate = join(parent, name)
        row = ws.conn.execute("SELECT id FROM artifacts WHERE path = ? AND deleted_at IS NULL",
                              (candidate,)).fetchone()
        if row is not None:
            return row[0] != artifact_id
        return folders.folder_exists(ws, candidate)

    free = join(parent, free_name(name_of(path), taken, label="imported"))
    try:
        return normalize_path(free)
    except InvalidPath as exc:  # e.g. " (imported)" made a long path longer than the limit
        raise Conflict(f"{path!r} is taken and {exc.message[0].lower()}{exc.message[1:]}",
                       path=path) from exc


def _place(ws: Workspace, row: dict[str, Any], counts: MergeCounts) -> dict[str, Any]:
    """Give a live row a free path (renaming it if another item has the path)."""
    if row["deleted_at"] is not None:
        return row
    path = _free_path(ws, row["path"], row["id"])
    if path != row["path"]:
        counts.artifacts_renamed += 1
        row = {**row, "path": path, "name": name_of(path)}
    return row


def _copy_pending(ws: Workspace, src: sqlite3.Connection, artifact_id: str) -> None:
    keep_pending_in_history(ws, artifact_id)  # ours, never uploaded, stay with our version of them
    ws.conn.execute("DELETE FROM pending_uploads WHERE artifact_id = ?", (artifact_id,))
    for row in fetch(src, "SELECT * FROM pending_uploads WHERE artifact_id = ?", (artifact_id,)):
        cols = ", ".join(row)
        ws.conn.execute(f"INSERT INTO pending_uploads ({cols}) VALUES "
                        f"({', '.join('?' for _ in row)})", tuple(row.values()))


def _append_versions(ws: Workspace, src: sqlite3.Connection, artifact_id: str,
                     keep_seq: bool) -> int:
    """Copy the file's versions of one artifact that the workspace lacks (by id)."""
    have = {v for (v,) in ws.conn.execute(
        "SELECT id FROM artifact_versions WHERE artifact_id = ?", (artifact_id,))}
    next_seq = ws.conn.execute("SELECT coalesce(max(seq), 0) FROM artifact_versions"
                               " WHERE artifact_id = ?", (artifact_id,)).fetchone()[0]
    added = 0
    for row in fetch(src, "SELECT * FROM artifact_versions WHERE artifact_id = ? ORDER BY seq",
                     (artifact_id,)):
        if row["id"] in have:
            continue
        if not keep_seq:
            next_seq += 1
            row["seq"] = next_seq
        cols = ", ".join(row)
        added += ws.conn.execute(
            f"INSERT OR IGNORE INTO artifact_versions ({cols}) VALUES "
            f"({', '.join('?' for _ in row)})", tuple(row.values())).rowcount
    return added


def _current_bytes(ws: Workspace, artifact_id: str) -> bytes | None:
    row = ws.conn.execute(
        f"SELECT coalesce({textstore.column('a.')}, p.data) FROM artifacts a"
        " LEFT JOIN pending_uploads p ON p.artifact_id = a.id WHERE a.id = ?",
        (artifact_id,)).fetchone()
    if row is None or row[0] is None:
        return None
    return row[0].encode("utf-8") if isinstance(row[0], str) else bytes(row[0])


def _keep_newest_current(ws: Workspace, artifact_id: str) -> int:
    """Record the current content as a ``merge`` version unless it already is the newest."""
    current = ws.conn.execute("SELECT hash FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()
    newest = ws.conn.execute("SELECT hash FROM artifact_versions WHERE artifact_id = ?"
                             " ORDER BY seq DESC LIMIT 1", (artifact_id,)).fetchone()
    data = _current_bytes(ws, artifact_id)
    if current is None or current[0] is None or data is None:
        return 0
    if newest is not None and newest[0] == current[0]:
        return 0
    versions.record(ws, artifact_id, data, current[0], "merge")
    return 1


def _write_row(ws: Workspace, row: dict[str, Any], fields: tuple[str, ...]) -> None:
    sets = ", ".join(f"{f} = ?" for f in fields)
    ws.conn.execute(f"UPDATE artifacts SET {sets} WHERE id = ?",
                    (*(row[f] for f in fields), row["id"]))


def insert_new(ws: Workspace, src: sqlite3.Connection, row: dict[str, Any],
               counts: MergeCounts) -> None:
    """An artifact only the file has: insert it with its versions and pending upload."""
    row = _place(ws, row, counts)
    cols = ", ".join(row)
    ws.conn.execute(f"INSERT INTO artifacts ({cols}) VALUES ({', '.join('?' for _ in row)})",
                    tuple(row.values()))
    _copy_pending(ws, src, row["id"])
    counts.versions_added += _append_versions(ws, src, row["id"], keep_seq=True)
    counts.artifacts_added += 1


def merge_existing(ws: Workspace, src: sqlite3.Connection, theirs: dict[str, Any],
                   counts: MergeCounts) -> MergeConflict | None:
    """An artifact on both sides: apply the rule in this module's docstring."""
    artifact_id = theirs["id"]
    ours = fetch(ws.conn, "SELECT * FROM artifacts WHERE id = ?", (artifact_id,))[0]
    conflict = None
    take_content = False
    if ours["hash"] == theirs["hash"]:
        take_row = theirs["updated_at"] > ours["updated_at"]
    elif ours["hash"] in _history(src, artifact_id):
        take_row = take_content = True
    elif theirs["hash"] in _history(ws.conn, artifact_id):
        take_row = False
    else:
        take_row = take_content = theirs["updated_at"] > ours["updated_at"]
        kept, other = (theirs, ours) if take_content else (ours, theirs)
        conflict = MergeConflict(artifact_id=artifact_id, path=kept["path"],
                                 kept_hash=kept["hash"], other_hash=other["hash"],
                                 winner="file" if take_content else "workspace")
    counts.versions_added += _append_versions(ws, src, artifact_id, keep_seq=False)
    if take_row:
        placed = _place(ws, theirs, counts)
        _write_row(ws, placed, ROW_FIELDS + (CONTENT_FIELDS if take_content else ()))
        if take_content:
            _copy_pending(ws, src, artifact_id)
        counts.artifacts_updated += 1
    counts.versions_added += _keep_newest_current(ws, artifact_id)
    return conflict
