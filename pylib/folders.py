"""Folders: rows of their own so empty folders exist; paths rewritten in one transaction.

Invariant: every live artifact's parent folder has a live row (the root ``/`` is implicit),
and a live path names at most one thing, folder or artifact. Deleting a folder is
:func:`pylib.trash.trash_folder`.
"""

from __future__ import annotations

from pylib import activity
from pylib.clock import new_id
from pylib.db import Workspace
from pylib.links import index as link_index
from pylib.errors import Conflict, InvalidPath, NotFound
from pylib.paths import (
    ROOT, ancestors, is_within, join, name_of, normalize_folder, parent_of, validate_name,
)

# Paths below `p` are exactly those in [p + "/", p + "0"): "0" is the character after "/".
# A range on the path index, and no LIKE escaping of user-chosen names.
BELOW = "(path > ? || '/' AND path < ? || '0')"


def folder_exists(ws: Workspace, path: str) -> bool:
    if path == ROOT:
        return True
    return ws.conn.execute(
        "SELECT 1 FROM folders WHERE path = ? AND deleted_at IS NULL", (path,)
    ).fetchone() is not None


def path_taken(ws: Workspace, path: str) -> bool:
    """True if a live folder or live artifact has this exact path."""
    return folder_exists(ws, path) or ws.conn.execute(
        "SELECT 1 FROM artifacts WHERE path = ? AND deleted_at IS NULL", (path,)
    ).fetchone() is not None


def ensure(ws: Workspace, path: str) -> list[str]:
    """Create ``path`` and any missing ancestors (inside the caller's transaction).

    Returns the folders created. Raises :class:`Conflict` if a document has one of the paths.
    """
    created: list[str] = []
    if path == ROOT:
        return created
    for folder in [*ancestors(path), path]:
        if folder_exists(ws, folder):
            continue
        if path_taken(ws, folder):
            raise Conflict(f"A document named {folder!r} is in the way.", path=folder)
        now = ws.clock()
        ws.conn.execute(
            "INSERT INTO folders (id, path, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (new_id(now), folder, name_of(folder), now, now),
        )
        created.append(folder)
    return created


def create(ws: Workspace, path: str) -> dict[str, str]:
    """Create a folder (and missing parents). Raises :class:`Conflict` if the path is taken."""
    path = normalize_folder(path)
    if path == ROOT:
        raise InvalidPath("The root folder always exists.")
    with ws.transaction():
        if path_taken(ws, path):
            raise Conflict(f"{path!r} already exists.", path=path)
        created = ensure(ws, path)
        activity.log(ws, "FOLDER_CREATE", {"path": path, "created": created})
    return {"path": path}


def list_paths(ws: Workspace) -> list[str]:
    """Every live folder path, sorted."""
    rows = ws.conn.execute("SELECT path FROM folders WHERE deleted_at IS NULL ORDER BY path")
    return [p for (p,) in rows]


def _relocate(ws: Workspace, old: str, new: str, action: str) -> dict[str, str]:
    if old == ROOT:
        raise InvalidPath("The root folder cannot be renamed or moved.")
    if new == old:
        return {"path": old}
    if is_within(new, old):
        raise InvalidPath("A folder cannot be moved into itself.")
    with ws.transaction():
        if not folder_exists(ws, old):
            raise NotFound("No such folder.", path=old)
        if not folder_exists(ws, parent_of(new)):
            raise NotFound("The destination folder does not exist.", path=parent_of(new))
        if path_taken(ws, new):
            raise Conflict(f"{new!r} already exists.", path=new)
        now = ws.clock()
        cut = len(old) + 1
        moved = 0
        for table in ("folders", "artifacts"):
            cur = ws.conn.execute(
                f"UPDATE {table} SET path = ? || substr(path, ?), updated_at = ?"
                f" WHERE deleted_at IS NULL AND (path = ? OR {BELOW})",
                (new, cut, now, old, old, old),
            )
            moved += cur.rowcount
        ws.conn.execute(
            "UPDATE folders SET name = ? WHERE path = ? AND deleted_at IS NULL",
            (name_of(new), new),
        )
        link_index.refresh_below(ws.conn, new)
        activity.log(ws, action, {"from": old, "to": new, "items": moved})
    return {"path": new}


def rename(ws: Workspace, path: str, name: str) -> dict[str, str]:
    """Rename a folder; every path below it is rewritten in the same transaction."""
    old = normalize_folder(path)
    new_name = validate_name(name.strip() if isinstance(name, str) else name)
    return _relocate(ws, old, join(parent_of(old), new_name), "FOLDER_RENAME")


def move(ws: Workspace, path: str, parent: str) -> dict[str, str]:
    """Move a folder into ``parent`` (which must exist); descendants follow."""
    old = normalize_folder(path)
    parent = normalize_folder(parent)
    return _relocate(ws, old, join(parent, name_of(old)) if old != ROOT else old, "FOLDER_MOVE")
