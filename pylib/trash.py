"""Trash: deleting marks rows instead of removing them, one restorable unit per delete.

Deleting a folder puts the folder and everything below it into one unit. Restoring puts a
unit back at its original path, or beside it as "name (restored)" when that path is taken
now. Emptying removes trashed rows for good, with their versions and pending uploads —
except that an artifact cited by a run keeps an empty tombstone row so the citation record
stays valid.
"""

from __future__ import annotations

import json
from typing import Any

from pylib import activity, folders
from pylib.search import indexer as search_index
from pylib.clock import new_id
from pylib.db import Workspace
from pylib.errors import NotFound
from pylib.links import index as link_index
from pylib.models import TrashItem
from pylib.paths import ROOT, join, name_of, normalize_folder, parent_of, free_name

_BELOW = folders.BELOW


def _new_unit(ws: Workspace, kind: str, path: str) -> tuple[str, int]:
    now = ws.clock()
    trash_id = new_id(now)
    ws.conn.execute(
        "INSERT INTO trash (id, kind, path, name, deleted_at) VALUES (?, ?, ?, ?, ?)",
        (trash_id, kind, path, name_of(path), now),
    )
    return trash_id, now


def trash_artifact(ws: Workspace, artifact_id: str) -> dict[str, int]:
    """Move one live artifact to the trash."""
    with ws.transaction():
        row = ws.conn.execute(
            "SELECT path FROM artifacts WHERE id = ? AND deleted_at IS NULL", (artifact_id,)
        ).fetchone()
        if row is None:
            raise NotFound("No such document.", id=artifact_id)
        trash_id, now = _new_unit(ws, "artifact", row[0])
        ws.conn.execute(
            "UPDATE artifacts SET deleted_at = ?, trash_id = ? WHERE id = ?",
            (now, trash_id, artifact_id),
        )
        link_index.refresh(ws.conn, [artifact_id])
        activity.log(ws, "ARTIFACT_DELETE",
                     {"artifact_id": artifact_id, "path": row[0], "trash_id": trash_id})
    return {"trashed": 1}


def trash_folder(ws: Workspace, path: str) -> dict[str, int]:
    """Move a folder and everything inside it to the trash as one unit.

    Returns ``{trashed: n}``, the number of artifacts and folders (including this one).
    """
    path = normalize_folder(path)
    if path == ROOT:
        raise NotFound("The root folder cannot be deleted.")
    with ws.transaction():
        if not folders.folder_exists(ws, path):
            raise NotFound("No such folder.", path=path)
        trash_id, now = _new_unit(ws, "folder", path)
        count = 0
        for table in ("folders", "artifacts"):
            count += ws.conn.execute(
                f"UPDATE {table} SET deleted_at = ?, trash_id = ?"
                f" WHERE deleted_at IS NULL AND (path = ? OR {_BELOW})",
                (now, trash_id, path, path, path),
            ).rowcount
        link_index.refresh_unit(ws.conn, trash_id)
        activity.log(ws, "FOLDER_DELETE", {"path": path, "trash_id": trash_id, "items": count})
    return {"trashed": count}


def list_items(ws: Workspace) -> list[TrashItem]:
    """Trash units, most recently deleted first."""
    rows = ws.conn.execute(
        "SELECT t.id, t.kind, t.path, t.name, t.deleted_at,"
        " (SELECT count(*) FROM artifacts a WHERE a.trash_id = t.id)"
        "  + (SELECT count(*) FROM folders f WHERE f.trash_id = t.id),"
        " (SELECT coalesce(sum(a.size_bytes), 0) FROM artifacts a WHERE a.trash_id = t.id)"
        " FROM trash t ORDER BY t.deleted_at DESC, t.id DESC"
    ).fetchall()
    return [
        TrashItem(id=r[0], kind=r[1], path=r[2], name=r[3], deleted_at=r[4],
                  item_count=r[5], size_bytes=r[6])
        for r in rows
    ]


def _free_target(ws: Workspace, path: str) -> str:
    """The original path if free, else a "(restored)" sibling; parents are re-created."""
    parent = parent_of(path)
    folders.ensure(ws, parent)
    name = free_name(name_of(path), lambda n: folders.path_taken(ws, join(parent, n)))
    return join(parent, name)


def restore(ws: Workspace, trash_id: str) -> dict[str, Any]:
    """Put a trash unit back. Returns ``{restored: n, path}`` (``path`` may differ from the
    original when that path was taken)."""
    with ws.transaction():
        unit = ws.conn.execute(
            "SELECT kind, path FROM trash WHERE id = ?", (trash_id,)
        ).fetchone()
        if unit is None:
            raise NotFound("That item is not in the trash.", id=trash_id)
        old = unit[1]
        new = _free_target(ws, old)
        now = ws.clock()
        count = 0
        for table in ("folders", "artifacts"):
            count += ws.conn.execute(
                f"UPDATE {table} SET path = ? || substr(path, ?), deleted_at = NULL,"
                " trash_id = NULL, updated_at = ? WHERE trash_id = ?",
                (new, len(old) + 1, now, trash_id),
            ).rowcount
        # The unit's top item takes the (possibly new) name; descendants keep theirs.
        renamed = [i for (i,) in ws.conn.execute(
            "SELECT id FROM artifacts WHERE path = ? AND deleted_at IS NULL AND name != ?",
            (new, name_of(new)))]
        with search_index.reindexing(ws, renamed):
            for table in ("folders", "artifacts"):
                ws.conn.execute(
                    f"UPDATE {table} SET name = ? WHERE path = ? AND deleted_at IS NULL",
                    (name_of(new), new),
                )
        ws.conn.execute("DELETE FROM trash WHERE id = ?", (trash_id,))
        link_index.refresh_below(ws.conn, new)
        activity.log(ws, "TRASH_RESTORE",
                     {"trash_id": trash_id, "from": old, "to": new, "items": count})
    return {"restored": count, "path": new}


def empty(ws: Workspace) -> dict[str, int]:
    """Delete everything in the trash for good. Returns ``{deleted: n}`` (artifacts and
    folders removed)."""
    with ws.transaction():
        units = [i for (i,) in ws.conn.execute("SELECT id FROM trash")]
        return {"deleted": purge_units(ws, units)}


def purge_units(ws: Workspace, unit_ids: list[str]) -> int:
    """Remove these trash units for good (inside one transaction, joined if open); returns
    the number of artifacts and folders removed. Retention calls it for old units."""
    if not unit_ids:
        return 0
    with ws.transaction():
        ws.conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_units (id TEXT PRIMARY KEY)")
        ws.conn.execute("DELETE FROM temp.purge_units")
        ws.conn.executemany("INSERT OR IGNORE INTO temp.purge_units VALUES (?)",
                            [(i,) for i in unit_ids])
        in_units = "trash_id IN (SELECT id FROM temp.purge_units)"
        cited = [
            artifact_id for (artifact_id,) in ws.conn.execute(
                f"SELECT a.id FROM artifacts a WHERE a.{in_units}"
                " AND EXISTS (SELECT 1 FROM citations c WHERE c.source_artifact_id = a.id)"
            )
        ]
        trashed = [i for (i,) in ws.conn.execute(f"SELECT id FROM artifacts WHERE {in_units}")]
        from pylib.sync import kept  # the sync engine sits above this module

        kept.keep_unsent_versions(ws, trashed)  # their texts go along with the removal
        with search_index.reindexing(ws, trashed):
            for artifact_id in cited:
                _tombstone(ws, artifact_id)
            deleted = len(cited)
            deleted += ws.conn.execute(f"DELETE FROM artifacts WHERE {in_units}").rowcount
        deleted += ws.conn.execute(f"DELETE FROM folders WHERE {in_units}").rowcount
        units = ws.conn.execute(
            "DELETE FROM trash WHERE id IN (SELECT id FROM temp.purge_units)").rowcount
        ws.conn.execute("DELETE FROM temp.purge_units")
        if deleted or units:
            activity.log(ws, "TRASH_EMPTY", {"deleted": deleted, "units": units})
    return deleted


def _tombstone(ws: Workspace, artifact_id: str) -> None:
    """Drop a cited artifact's content and history but keep its row for the citations."""
    ws.conn.execute("DELETE FROM artifact_versions WHERE artifact_id = ?", (artifact_id,))
    ws.conn.execute("DELETE FROM pending_uploads WHERE artifact_id = ?", (artifact_id,))
    ws.conn.execute(
        "UPDATE artifacts SET content = NULL, content_codec = NULL, size_bytes = 0,"
        " trash_id = NULL, metadata = ? WHERE id = ?",
        (json.dumps({"purged": True}), artifact_id),
    )
