"""Keeping the keyword index current: in the same transaction as every change it reflects.

Invariant: every ``artifacts`` row (live, trashed or a purged tombstone) has one
``search_map`` row, and the FTS5 index holds exactly what ``search_source`` shows for it
(checked by :func:`check`). Trashed rows stay indexed — queries join the live rows — so
trashing, restoring and folder renames or moves (which change paths, never names) cost
nothing here; only a change of name or content, a new row or a deleted row does.

An external-content index can only drop a document's entry given the values it indexed, so a
write is wrapped: :func:`reindexing` removes the entries while the old values are still in
the rows, lets the write run, then indexes the rows as they are now.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pylib import rows
from pylib.content import as_text
from pylib.db import Workspace

# What the index is made of: derived from the artifacts, never imported (rebuilt instead).
# Listed in pylib.rows, next to the rules of the tables whose rows are imported (which also
# lists the link index's tables among all derived ones).
DERIVED_TABLES = rows.SEARCH_TABLES
DERIVED_VIEWS = rows.DERIVED_VIEWS

_UNINDEX = ("INSERT INTO search (search, rowid, name, body)"
            " SELECT 'delete', docid, name, body FROM search_source WHERE docid = ?")
_INDEX = ("INSERT INTO search (rowid, name, body)"
          " SELECT docid, name, body FROM search_source WHERE docid = ?")
_CONTENT = ("SELECT coalesce(a.content, p.data) FROM artifacts a"
            " LEFT JOIN pending_uploads p ON p.artifact_id = a.id WHERE a.id = ?")


def _conn(target: Workspace | sqlite3.Connection) -> sqlite3.Connection:
    return target.conn if isinstance(target, Workspace) else target


def _docid(conn: sqlite3.Connection, artifact_id: str) -> int | None:
    row = conn.execute("SELECT docid FROM search_map WHERE artifact_id = ?",
                       (artifact_id,)).fetchone()
    return row[0] if row else None


def unindex(target: Workspace | sqlite3.Connection, artifact_ids: Iterable[str]) -> None:
    """Drop the index entries of these artifacts (call while their rows still hold the
    values that were indexed); their ``search_map`` rows stay for :func:`index`."""
    conn = _conn(target)
    for artifact_id in artifact_ids:
        docid = _docid(conn, artifact_id)
        if docid is not None:
            conn.execute(_UNINDEX, (docid,))


def index(target: Workspace | sqlite3.Connection, artifact_ids: Iterable[str]) -> None:
    """(Re)index these artifacts as their rows are now; a vanished row loses its map row.

    Their entries must not be in the index (new rows, or :func:`unindex` first).
    """
    conn = _conn(target)
    for artifact_id in artifact_ids:
        row = conn.execute(_CONTENT, (artifact_id,)).fetchone()
        if row is None:
            conn.execute("DELETE FROM search_map WHERE artifact_id = ?", (artifact_id,))
            continue
        # A new docid each time: docid order is the order documents were last indexed, which
        # lets FTS5 list a query's newest matches without ranking all of them.
        conn.execute("DELETE FROM search_map WHERE artifact_id = ?", (artifact_id,))
        docid = conn.execute(
            "INSERT INTO search_map (artifact_id, has_body) VALUES (?, ?) RETURNING docid",
            (artifact_id, int(as_text(row[0]) is not None))).fetchone()[0]
        conn.execute(_INDEX, (docid,))


@contextmanager
def reindexing(target: Workspace | sqlite3.Connection,
               artifact_ids: Iterable[str]) -> Iterator[None]:
    """Wrap a write that changes these artifacts' names or content, or deletes them.

    Use it inside the write's transaction: a rollback undoes the index change with the rest.
    """
    ids = list(dict.fromkeys(artifact_ids))
    unindex(target, ids)
    yield
    index(target, ids)


def rebuild(target: Workspace | sqlite3.Connection) -> int:
    """Rebuild the whole index from the artifacts (import, repair); returns the row count.

    Runs inside the caller's transaction if one is open.
    """
    conn = _conn(target)
    conn.create_function("quire_is_text", 1, lambda d: int(as_text(d) is not None),
                         deterministic=True)
    try:
        conn.execute("DELETE FROM search_map")
        count = conn.execute(
            "INSERT INTO search_map (artifact_id, has_body)"
            " SELECT a.id, quire_is_text(coalesce(a.content, p.data))"
            " FROM artifacts a LEFT JOIN pending_uploads p ON p.artifact_id = a.id"
            " ORDER BY a.updated_at, a.id").rowcount
    finally:
        conn.create_function("quire_is_text", 1, None)
    conn.execute("INSERT INTO search (search) VALUES ('rebuild')")
    return count


def check(target: Workspace | sqlite3.Connection) -> list[str]:
    """Problems with the index (empty when it is exactly current): artifacts without a map
    row, map rows without an artifact, entries that differ from the rows (FTS5's own
    ``integrity-check`` against the content)."""
    conn = _conn(target)
    problems = [f"not indexed: {i}" for (i,) in conn.execute(
        "SELECT id FROM artifacts WHERE id NOT IN (SELECT artifact_id FROM search_map)")]
    problems += [f"indexed but gone: {i}" for (i,) in conn.execute(
        "SELECT artifact_id FROM search_map WHERE artifact_id NOT IN (SELECT id FROM artifacts)")]
    try:
        conn.execute("INSERT INTO search (search, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        problems.append(f"index differs from the content: {exc}")
    return problems
