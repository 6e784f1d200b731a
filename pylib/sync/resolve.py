"""After applying: keep every text, every live path unique, every parent folder present.

Each resolution is an ordinary local change (capture on), so it is pushed like an edit and
every device ends the same. Resolutions happen on the device that has something at stake —
local changes not yet pushed — because a device pulls everything before it may push.

- Text changed on both sides: three-way merge; on a conflict the local text stays current and
  the remote one becomes a version marked "conflict" (and an activity entry says so).
- An edit wins over a delete: a trash that did not see the current text is undone, and a
  removal of a row changed here is answered by sending the row again.
- Two live rows at one path: a document yields to a folder, and the side changed here yields
  to the other; it is renamed "name (conflict).ext". Two folders at one path are one folder.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pylib import activity, artifacts, folders, textstore, versions
from pylib.content import DOCUMENT_KINDS, as_text
from pylib.db import Workspace
from pylib.errors import Conflict, QuireError
from pylib.paths import join, name_of, parent_of
from pylib.paths import free_name
from pylib.search import indexer as search_index
from pylib.sync import outbox
from pylib.sync.apply import PARKED, Plan, set_applying
from pylib.sync import textmerge


def _occupant(conn: sqlite3.Connection, path: str, not_id: str) -> tuple[str, str] | None:
    for tbl in ("folders", "artifacts"):
        row = conn.execute(f"SELECT id FROM {tbl} WHERE path = ? AND deleted_at IS NULL"
                           " AND id != ?", (path, not_id)).fetchone()
        if row:
            return tbl, row[0]
    return None


def _taken(conn: sqlite3.Connection, path: str) -> bool:
    return _occupant(conn, path, "") is not None


def rename_aside(ws: Workspace, artifact_id: str, reindexed: set[str]) -> None:
    """Give a live document a free "(conflict)" name in its folder (a local change)."""
    conn = ws.conn
    path = conn.execute("SELECT path FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()[0]
    real = path.split(PARKED)[0]
    folder = parent_of(real)
    name = free_name(name_of(real), lambda n: _taken(conn, join(folder, n)), label="conflict")
    ids = [] if artifact_id in reindexed else [artifact_id]
    with search_index.reindexing(ws, ids):
        conn.execute("UPDATE artifacts SET path = ?, name = ?, updated_at = ? WHERE id = ?",
                     (join(folder, name), name, ws.clock(), artifact_id))


def _pending_in(plan: Plan, tbl: str, row_id: str) -> bool:
    groups = plan.pending.get((tbl, row_id), {})
    return "path" in groups or "trash" in groups


def place(ws: Workspace, plan: Plan, reindexed: set[str]) -> None:
    """Put each parked row on its path, deciding who yields where two meet. Placing is the
    remote value (not captured); yielding is a local change (captured)."""
    conn = ws.conn
    for tbl, row_id, path in plan.parked:
        if not conn.execute(f"SELECT 1 FROM {tbl} WHERE id = ? AND path = ?",
                            (row_id, f"{path}{PARKED}{row_id}")).fetchone():
            continue  # moved again by a later record, or removed
        occupant = _occupant(conn, path, row_id)
        if occupant is not None:
            occ_tbl, occ_id = occupant
            if tbl == "folders" and occ_tbl == "folders":
                drop = max(row_id, occ_id)  # one folder: the same on every device
                conn.execute("DELETE FROM folders WHERE id = ?", (drop,))
                if drop == row_id:
                    continue
            elif occ_tbl == "artifacts" and (
                    tbl == "folders" or _pending_in(plan, occ_tbl, occ_id)):
                rename_aside(ws, occ_id, reindexed)
            else:
                rename_aside(ws, row_id, reindexed)
                continue
        set_applying(conn, True)
        conn.execute(f"UPDATE {tbl} SET path = ? WHERE id = ?", (path, row_id))
        set_applying(conn, False)


def _base_text(ws: Workspace, artifact_id: str, base: str | None) -> bytes | None:
    if base is None:
        return None
    row = ws.conn.execute("SELECT id FROM artifact_versions WHERE artifact_id = ? AND hash = ?"
                          " ORDER BY seq DESC LIMIT 1", (artifact_id, base)).fetchone()
    if row is None:
        return None
    try:
        return versions.content_of(ws, row[0])[1]
    except QuireError:
        return None


def merge_text(ws: Workspace, plan: Plan, artifact_id: str, values: list[Any],
               base: str | None) -> None:
    """Both sides changed one artifact's content: merge, or keep theirs as a conflict."""
    conn = ws.conn
    row = conn.execute(f"SELECT {textstore.column()}, hash, kind, deleted_at, path"
                       " FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()
    theirs, their_hash = values[0], values[2]
    if row is None or their_hash == row[1]:
        return
    local_base = plan.pending.get(("artifacts", artifact_id), {}).get("content")
    base_bytes = _base_text(ws, artifact_id, base) or _base_text(ws, artifact_id, local_base)
    merged = None
    if row[2] in DOCUMENT_KINDS and row[3] is None and base_bytes is not None:
        texts = [as_text(v) for v in (base_bytes, row[0], theirs)]
        if None not in texts:
            merged = textmerge.merge(*texts)  # type: ignore[arg-type]
    if merged is not None:
        artifacts.set_content(ws, artifact_id, merged.encode("utf-8"), reason="merge")
    elif theirs is not None:
        versions.record(ws, artifact_id, bytes(theirs), their_hash, "conflict")
        activity.log(ws, "SYNC_CONFLICT", {"artifact_id": artifact_id, "path": row[4],
                                           "kept_hash": row[1], "other_hash": their_hash})
    # What is pending now stands on their text: the next merge starts from it.
    conn.execute("UPDATE sync_changes SET base = ? WHERE tbl = 'artifacts' AND row_id = ?",
                 (their_hash, artifact_id))


def _untrash(ws: Workspace, artifact_id: str, unit: str | None, reindexed: set[str]) -> None:
    """Bring a trashed document back (or keep it: a trash refused), and drop the trash unit
    (``unit``, or the one it was in) once nothing is left in it."""
    conn = ws.conn
    row = conn.execute("SELECT path, trash_id, deleted_at FROM artifacts WHERE id = ?",
                       (artifact_id,)).fetchone()
    if row is None:
        return
    if row[2] is None:
        outbox.touch(conn, "artifacts", artifact_id, ["deleted_at", "trash_id"])
    else:
        if _occupant(conn, row[0], artifact_id):
            rename_aside(ws, artifact_id, reindexed)
        conn.execute("UPDATE artifacts SET deleted_at = NULL, trash_id = NULL WHERE id = ?",
                     (artifact_id,))
    for trash_id in {unit, row[1]} - {None}:
        if not conn.execute("SELECT 1 FROM artifacts WHERE trash_id = ? UNION ALL"
                            " SELECT 1 FROM folders WHERE trash_id = ?",
                            (trash_id, trash_id)).fetchone():
            conn.execute("DELETE FROM trash WHERE id = ?", (trash_id,))


def edits_beat_deletes(ws: Workspace, plan: Plan, reindexed: set[str]) -> None:
    """Undo trash and removals that did not see an edit."""
    conn = ws.conn
    for artifact_id, unit in plan.keep_alive:
        _untrash(ws, artifact_id, unit, reindexed)
    for artifact_id in dict.fromkeys(plan.content):
        row = conn.execute("SELECT deleted_at, hash FROM artifacts WHERE id = ?",
                           (artifact_id,)).fetchone()
        if row is None or row[0] is None:
            continue
        mine = plan.pending.get(("artifacts", artifact_id), {})
        base = mine["trash"] if "trash" in mine else outbox.clocks(
            conn, "artifacts", artifact_id).get("trash@base")
        if base and base != row[1]:
            _untrash(ws, artifact_id, None, reindexed)
    for tbl, row_id in plan.revive:
        outbox.touch(conn, tbl, row_id, ["*"])


def ensure_parents(ws: Workspace, ids: set[tuple[str, str]], reindexed: set[str]) -> None:
    """Every live row's folder exists (a folder removed there, filled here, comes back);
    a document standing where a folder must be is renamed aside."""
    conn = ws.conn
    for tbl, row_id in sorted(ids):
        row = conn.execute(f"SELECT path FROM {tbl} WHERE id = ? AND deleted_at IS NULL",
                           (row_id,)).fetchone()
        if row is None:
            continue
        if tbl == "artifacts":
            clash = conn.execute("SELECT 1 FROM folders WHERE path = ? AND deleted_at IS NULL",
                                 (row[0],)).fetchone()
            if clash:
                rename_aside(ws, row_id, reindexed)
                row = conn.execute("SELECT path FROM artifacts WHERE id = ?", (row_id,)).fetchone()
        for _ in range(64):
            try:
                folders.ensure(ws, parent_of(row[0]))
                break
            except Conflict as exc:
                blocker = conn.execute("SELECT id FROM artifacts WHERE path = ? AND"
                                       " deleted_at IS NULL", (exc.details["path"],)).fetchone()
                rename_aside(ws, blocker[0], reindexed)


def drop_orphans(conn: sqlite3.Connection, plan: Plan) -> None:
    """Arrived rows whose artifact was removed for good here (its trash emptied) cannot be
    kept (their foreign key would fail the whole pull)."""
    for tbl, col in (("artifact_versions", "artifact_id"), ("citations", "source_artifact_id")):
        for t, row_id in plan.inserted:
            if t == tbl:
                conn.execute(f"DELETE FROM {tbl} WHERE id = ? AND {col} NOT IN"
                             " (SELECT id FROM artifacts)", (row_id,))
