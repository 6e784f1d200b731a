"""Merge mode: fold an imported workspace into the open one, in one transaction.

The imported rows come from a database Quire rebuilt itself at the latest schema
(:mod:`pylib.transfer.copy`). Trash units, action log, citations and sync state are merged by
primary key (rows already present are left alone); an agent task present on both sides takes
the row that got further (pending < running < completed/failed); live folders are unioned by
path; artifacts follow :mod:`pylib.transfer.merge_artifacts`. Any error rolls the whole merge
back, so the workspace stays exactly as it was.
"""

from __future__ import annotations

import sqlite3

from pylib import activity, folders
from pylib.db import Workspace
from pylib.errors import Conflict, InvalidImport
from pylib.links import index as link_index
from pylib.search import indexer as search_index
from pylib.transfer.merge_artifacts import fetch, insert_new, merge_existing
from pylib.transfer.models import ImportSummary, MergeConflict, MergeCounts
from pylib.transfer.rowcheck import check_tree

# Tables merged by primary key, in an order that satisfies their foreign keys.
# Dictionaries first: the artifacts' packed text is read with them (pylib.textstore).
_BY_KEY_BEFORE = ("trash", "text_dicts")
_BY_KEY_AFTER = ("citations", "action_log", "sync_state")
# How far a task has got; on an id both sides have, the side that got further wins.
_TASK_PROGRESS = {"PENDING": 0, "RUNNING": 1, "COMPLETED": 2, "FAILED": 2}


def _insert_missing(ws: Workspace, src: sqlite3.Connection, table: str) -> int:
    added = 0
    for row in fetch(src, f"SELECT * FROM {table}"):
        cols = ", ".join(row)
        added += ws.conn.execute(
            f"INSERT OR IGNORE INTO {table} ({cols}) VALUES ({', '.join('?' for _ in row)})",
            tuple(row.values())).rowcount
    return added


def _merge_tasks(ws: Workspace, src: sqlite3.Connection) -> int:
    """Tasks by id; a task the file has taken further (e.g. completed) replaces ours."""
    changed = 0
    for row in fetch(src, "SELECT * FROM agent_tasks"):
        ours = ws.conn.execute("SELECT status FROM agent_tasks WHERE id = ?",
                               (row["id"],)).fetchone()
        if ours is not None and (_TASK_PROGRESS.get(row["status"], 0)
                                 <= _TASK_PROGRESS.get(ours[0], 0)):
            continue
        cols = ", ".join(row)
        ws.conn.execute(f"INSERT OR REPLACE INTO agent_tasks ({cols}) VALUES "
                        f"({', '.join('?' for _ in row)})", tuple(row.values()))
        changed += 1
    return changed


def _merge_folders(ws: Workspace, src: sqlite3.Connection) -> int:
    """Union of folders: a live folder whose path the workspace already uses is skipped."""
    added = 0
    for row in fetch(src, "SELECT * FROM folders ORDER BY path"):
        known = ws.conn.execute("SELECT 1 FROM folders WHERE id = ?", (row["id"],)).fetchone()
        if known or (row["deleted_at"] is None and folders.path_taken(ws, row["path"])):
            continue
        if row["deleted_at"] is None:
            # A parent may be missing when the file's parent has another id here: create it.
            added += len(folders.ensure(ws, row["path"].rsplit("/", 1)[0] or "/"))
        cols = ", ".join(row)
        ws.conn.execute(f"INSERT INTO folders ({cols}) VALUES ({', '.join('?' for _ in row)})",
                        tuple(row.values()))
        added += 1
    return added


def merge_into(ws: Workspace, src: sqlite3.Connection,
               summary: ImportSummary) -> tuple[MergeCounts, list[MergeConflict]]:
    """Merge ``src`` (a rebuilt import at the latest schema) into ``ws`` in one transaction.

    The merged tree is held to the engine's invariants before the transaction commits; a
    file whose folders cannot coexist with the workspace's (a document of one side where the
    other has a folder with content) is refused as a whole.
    """
    try:
        return _merge(ws, src, summary)
    except Conflict as exc:
        raise InvalidImport(f"The file cannot be merged into this workspace: {exc.message} "
                            "Nothing was imported.", reason="merge_conflict") from exc


def _merge(ws: Workspace, src: sqlite3.Connection,
           summary: ImportSummary) -> tuple[MergeCounts, list[MergeConflict]]:
    counts = MergeCounts()
    conflicts: list[MergeConflict] = []
    with ws.transaction():
        for table in _BY_KEY_BEFORE:
            counts.rows_added[table] = _insert_missing(ws, src, table)
        counts.folders_added = _merge_folders(ws, src)
        incoming = fetch(src, "SELECT * FROM artifacts ORDER BY created_at, id")
        with search_index.reindexing(ws, [row["id"] for row in incoming]):
            for theirs in incoming:
                exists = ws.conn.execute("SELECT 1 FROM artifacts WHERE id = ?",
                                         (theirs["id"],)).fetchone()
                if exists is None:
                    insert_new(ws, src, theirs, counts)
                else:
                    conflict = merge_existing(ws, src, theirs, counts)
                    if conflict is not None:
                        conflicts.append(conflict)
        link_index.refresh(ws.conn, [row["id"] for row in incoming])
        counts.rows_added["agent_tasks"] = _merge_tasks(ws, src)
        for table in _BY_KEY_AFTER:
            counts.rows_added[table] = _insert_missing(ws, src, table)
        check_tree(ws.conn, repair=False, now=ws.clock())
        for conflict in conflicts:
            activity.log(ws, "IMPORT_CONFLICT", conflict.model_dump())
        activity.log(ws, "WORKSPACE_IMPORT", {
            "mode": "merge", "schema_version": summary.schema_version,
            "size_bytes": summary.size_bytes, "tables": summary.tables,
            "merged": counts.model_dump(), "conflicts": len(conflicts)})
    return counts, conflicts
