"""Keeping the keyword index current: in the same transaction as every change it reflects.

Invariant: every ``artifacts`` row (live, trashed or a purged tombstone) has one
``search_map`` row, and the FTS5 index holds exactly what ``search_source`` shows for it
(checked by :func:`check`). Trashed rows stay indexed — queries join the live rows — so
trashing, restoring and folder renames or moves (which change paths, never names) cost
nothing here; only a change of name or content, a new row or a deleted row does.

An external-content index can only drop a document's entry given the values it indexed, so a
write is wrapped: :func:`reindexing` removes the entries while the old values are still in
the rows, lets the write run, then indexes the rows as they are now.

A document's text may be stored packed (:mod:`pylib.textstore`), which the view
``search_source`` cannot unpack (no application function runs from the schema). So the engine
gives FTS5 the values itself, from :data:`SOURCE` (the view's rows with the text unpacked):
when it indexes and unindexes, rebuilds, checks, and for snippets (:func:`page_table`, a
small index of just the hits shown, since FTS5 would read the text through the view).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pylib import rows, textstore
from pylib.content import text_of_kind
from pylib.db import Workspace

# What the index is made of: derived from the artifacts, never imported (rebuilt instead).
# Listed in pylib.rows, next to the rules of the tables whose rows are imported (which also
# lists the link index's tables among all derived ones).
DERIVED_TABLES = rows.SEARCH_TABLES
DERIVED_VIEWS = rows.DERIVED_VIEWS

_PLAIN = f"coalesce({textstore.column('a.')}, p.data)"
# What the index holds per docid: the rows of the view search_source, text unpacked.
SOURCE = (f"SELECT m.docid, a.name, CASE WHEN m.has_body THEN CAST({_PLAIN} AS TEXT) END"
          " FROM search_map m JOIN artifacts a ON a.id = m.artifact_id"
          " LEFT JOIN pending_uploads p ON p.artifact_id = a.id")
_UNINDEX = ("INSERT INTO search (search, rowid, name, body)"
            f" SELECT 'delete', * FROM ({SOURCE} WHERE m.docid = ?)")
_INDEX = f"INSERT INTO search (rowid, name, body) SELECT * FROM ({SOURCE} WHERE m.docid = ?)"
_CONTENT = (f"SELECT {_PLAIN}, a.kind FROM artifacts a"
            " LEFT JOIN pending_uploads p ON p.artifact_id = a.id WHERE a.id = ?")


def _is_text(data: bytes | str | None, kind: str | None) -> int:
    """1 if the content is indexed as text: what the page shows as text (a document, or a
    file of other kind without control characters: :func:`pylib.content.text_of_kind`)."""
    return int(text_of_kind(data, kind) is not None)


def _conn(target: Workspace | sqlite3.Connection) -> sqlite3.Connection:
    if isinstance(target, Workspace):
        return target.conn
    textstore.register(target)  # a bare connection (an import's, a test's) may lack it
    return target


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
            (artifact_id, _is_text(row[0], row[1]))).fetchone()[0]
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
    conn.create_function("quire_is_text", 2, _is_text, deterministic=True)
    try:
        conn.execute("DELETE FROM search_map")
        count = conn.execute(
            "INSERT INTO search_map (artifact_id, has_body)"
            f" SELECT a.id, quire_is_text({_PLAIN}, a.kind)"
            " FROM artifacts a LEFT JOIN pending_uploads p ON p.artifact_id = a.id"
            " ORDER BY a.updated_at, a.id").rowcount
    finally:
        conn.create_function("quire_is_text", 2, None)
    conn.execute("INSERT INTO search (search) VALUES ('delete-all')")
    conn.execute(f"INSERT INTO search (rowid, name, body) {SOURCE} ORDER BY m.docid")
    return count


def _like_search(conn: sqlite3.Connection, name: str) -> str:
    """DDL of a TEMP FTS5 table tokenizing exactly as ``search`` does, holding its own text."""
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'search'").fetchone()[0]
    ddl = re.sub(r"\bcontent(_rowid)?\s*=\s*'[^']*'\s*,?\s*", "", ddl)
    ddl = re.sub(r",\s*\)\s*$", ")", ddl.strip())
    return re.sub(r"^CREATE VIRTUAL TABLE\s+\"?search\"?", f"CREATE VIRTUAL TABLE temp.{name}",
                  ddl, flags=re.IGNORECASE)


def page_table(conn: sqlite3.Connection, docids: list[int]) -> str:
    """Fill the TEMP index ``search_page`` with just these docids' names and text (for
    ``highlight()``/``snippet()``, which would read packed text through the view); returns
    its name. The temp schema is the connection's own: nothing is written to the file."""
    found = conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'search_page'")
    if found.fetchone() is None:
        conn.execute(_like_search(conn, "search_page"))
    conn.execute("DELETE FROM temp.search_page")
    conn.execute(f"INSERT INTO temp.search_page (rowid, name, body) SELECT * FROM ({SOURCE}"
                 " WHERE m.docid IN (SELECT value FROM json_each(?)))", (json.dumps(docids),))
    return "search_page"


def _differences(conn: sqlite3.Connection) -> int:
    """Entries that differ between the index and an index built afresh from :data:`SOURCE`
    (FTS5's own ``integrity-check`` against the content would read packed text)."""
    conn.execute(_like_search(conn, "search_expected"))
    try:
        conn.execute(f"INSERT INTO temp.search_expected (rowid, name, body) {SOURCE}")
        conn.execute("CREATE VIRTUAL TABLE temp.search_have"
                     " USING fts5vocab(main, search, instance)")
        conn.execute("CREATE VIRTUAL TABLE temp.search_want"
                     " USING fts5vocab(temp, search_expected, instance)")
        have, want = "SELECT * FROM temp.search_have", "SELECT * FROM temp.search_want"
        return conn.execute(f"SELECT (SELECT count(*) FROM ({have} EXCEPT {want}))"
                            f" + (SELECT count(*) FROM ({want} EXCEPT {have}))").fetchone()[0]
    finally:
        for table in ("search_have", "search_want", "search_expected"):
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


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
        conn.execute("INSERT INTO search (search) VALUES ('integrity-check')")
        differences = _differences(conn)
    except sqlite3.DatabaseError as exc:
        problems.append(f"index differs from the content: {exc}")
    else:
        if differences:
            problems.append(f"index differs from the content: {differences} entries")
    return problems
