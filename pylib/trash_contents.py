"""What is inside a trashed folder, and restoring one document from it on its own.

A deleted folder is one trash unit (:mod:`pylib.trash`); :func:`contents` lists the documents
in it, and :func:`restore_one` puts one of them back at its old path (its folders are made
again; beside it as "name (restored)" when the path is taken) while the rest stay in the
trash. A single deleted document is its own unit: restoring it alone restores the unit.
"""

from __future__ import annotations

from typing import Any

from pylib import activity, folders
from pylib.db import Workspace
from pylib.errors import NotFound
from pylib.links import index as link_index
from pylib.paths import free_name, join, name_of, parent_of
from pylib.search import indexer as search_index


def contents(ws: Workspace, trash_id: str) -> list[dict[str, Any]]:
    """The documents of one trash unit, by path: ``{id, path, name, size_bytes}``."""
    if ws.conn.execute("SELECT 1 FROM trash WHERE id = ?", (trash_id,)).fetchone() is None:
        raise NotFound("That item is not in the trash.", id=trash_id)
    rows = ws.conn.execute(
        "SELECT id, path, name, size_bytes FROM artifacts WHERE trash_id = ? ORDER BY path",
        (trash_id,)).fetchall()
    return [{"id": i, "path": p, "name": n, "size_bytes": s or 0} for i, p, n, s in rows]


def _free_target(ws: Workspace, path: str) -> str:
    parent = parent_of(path)
    folders.ensure(ws, parent)
    return join(parent, free_name(name_of(path), lambda n: folders.path_taken(ws, join(parent, n))))


def restore_one(ws: Workspace, artifact_id: str) -> dict[str, Any]:
    """Put one trashed document back on its own. Returns ``{restored: 1, path}``."""
    with ws.transaction():
        row = ws.conn.execute(
            "SELECT a.path, a.trash_id, t.kind FROM artifacts a JOIN trash t ON t.id = a.trash_id"
            " WHERE a.id = ? AND a.deleted_at IS NOT NULL", (artifact_id,)).fetchone()
        if row is None:
            raise NotFound("That document is not in the trash.", id=artifact_id)
        old, trash_id, kind = row
        new = _free_target(ws, old)
        with search_index.reindexing(ws, [artifact_id]):
            ws.conn.execute(
                "UPDATE artifacts SET path = ?, name = ?, deleted_at = NULL, trash_id = NULL,"
                " updated_at = ? WHERE id = ?", (new, name_of(new), ws.clock(), artifact_id))
        left = ws.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM artifacts WHERE trash_id = ?)"
            " OR EXISTS (SELECT 1 FROM folders WHERE trash_id = ?)", (trash_id, trash_id)).fetchone()[0]
        if kind == "artifact" or not left:
            ws.conn.execute("DELETE FROM trash WHERE id = ?", (trash_id,))
        link_index.refresh(ws.conn, [artifact_id])
        activity.log(ws, "TRASH_RESTORE", {"trash_id": trash_id, "artifact_id": artifact_id,
                                           "from": old, "to": new, "items": 1})
    return {"restored": 1, "path": new}
