"""A snapshot carries the writer's keyword and link indexes, so a new device need not build them.

Derived tables are never synced change by change (:mod:`pylib.sync.tables`): every device
keeps them in step with its synced rows. But building them for a whole workspace is most of
what a new device does — the keyword index tokenises every text, the link index parses every
note — while the device that writes a snapshot already holds both, in step with the rows it
puts in it. So compaction adds those tables' rows to the snapshot, as records of the table
:data:`KIND` (sealed, padded and authenticated like every other record), and a new device
that takes the snapshot whole (:mod:`pylib.sync.adopt`) inserts them as they are.

They are taken only when they are sure to be what a rebuild would give:

* the writer's and the reader's tables are made by the same schema (:func:`fingerprint`: the
  SQL of every table and index involved, the tokenizer included — any other version builds
  them itself);
* every table of the group arrived, and the index covers exactly the rows taken (every
  artifact in the keyword index, every live one named in the link index);
* the writer held no upload still pending (its text would be indexed there, not here) and
  had built its own link index (a device whose first pull left it for later sends none).

Otherwise the group is built here as before. A device with rows of its own merges the
snapshot and skips these records (an older version skips them too: no synced table has the
name, and their clocks are older than any real write).
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any, Iterator

from pylib.db import Workspace
from pylib.sync import meta

KIND = "~derived"
SEARCH = ("search_map", "search_data", "search_idx", "search_docsize", "search_config")
LINKS = ("link_names", "links", "note_tags", "tag_counts")
GROUPS = {"search": SEARCH, "links": LINKS}
CHUNK_BYTES = 1024 * 1024
_STAMP = ["0000000000000-00000", ""]  # older than every real write: never the latest clock
LINKS_DUE = "links_due"  # sync_meta: the link index is still to be built (pylib.sync.adopt)


def fingerprint(conn: sqlite3.Connection) -> str:
    """A digest of the schema of every derived table shipped (and of the FTS table itself,
    whose DDL names the tokenizer): equal digests, equal tables for equal rows."""
    names = [*SEARCH, *LINKS, "search"]
    marks = ", ".join("?" * len(names))
    rows = conn.execute(
        f"SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ({marks})"
        " ORDER BY type, name", names).fetchall()
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()


def _size(row: tuple[Any, ...]) -> int:
    return 16 + sum(len(v) if isinstance(v, (bytes, str)) else 8 for v in row)


def _record(table: str, n: int, fp: str, cols: list[str], rows: list[Any]) -> dict[str, Any]:
    return {"t": KIND, "id": f"{table}/{n}", "f": {"rows": [*_STAMP, [fp, table, cols, rows],
                                                           None]}}


def _table_records(conn: sqlite3.Connection, table: str, fp: str,
                   ) -> Iterator[tuple[dict[str, Any], int]]:
    cursor = conn.execute(f"SELECT * FROM {table}")
    cols = [d[0] for d in cursor.description]
    rows: list[list[Any]] = []
    size, n = 0, 0
    for row in cursor:
        rows.append(list(row))
        size += _size(row)
        if size >= CHUNK_BYTES:
            yield _record(table, n, fp, cols, rows), size
            rows, size, n = [], 0, n + 1
    if rows or n == 0:  # an empty table still says it was sent
        yield _record(table, n, fp, cols, rows), size + 64


def records(ws: Workspace) -> Iterator[tuple[dict[str, Any], int]]:
    """``(record, approximate bytes)`` of the derived tables a snapshot carries."""
    conn = ws.conn
    if conn.execute("SELECT 1 FROM pending_uploads LIMIT 1").fetchone() is not None:
        return
    fp = fingerprint(conn)
    groups = [SEARCH] if meta.get(conn, LINKS_DUE, False) else [SEARCH, LINKS]
    for tables in groups:
        for table in tables:
            yield from _table_records(conn, table, fp)


def split_off(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(synced records, derived records)``."""
    synced = [r for r in records if r.get("t") != KIND]
    return synced, [r for r in records if r.get("t") == KIND]


def _by_table(conn: sqlite3.Connection, found: list[dict[str, Any]],
              ) -> dict[str, list[tuple[list[str], list[Any]]]]:
    fp = fingerprint(conn)
    out: dict[str, list[tuple[list[str], list[Any]]]] = {}
    for record in found:
        try:
            their_fp, table, cols, rows = record["f"]["rows"][2]
        except (KeyError, TypeError, ValueError):
            continue
        if their_fp == fp and isinstance(cols, list) and isinstance(rows, list):
            out.setdefault(table, []).append((cols, rows))
    return out


def _covers(conn: sqlite3.Connection, group: str) -> bool:
    """The index just inserted names exactly the rows it must (else it is built here)."""
    if group == "search":
        sql = ("SELECT (SELECT count(*) FROM search_map) = (SELECT count(*) FROM artifacts)"
               " AND NOT EXISTS (SELECT 1 FROM search_map m LEFT JOIN artifacts a"
               " ON a.id = m.artifact_id WHERE a.id IS NULL)")
    else:
        sql = ("SELECT (SELECT count(*) FROM link_names) ="
               " (SELECT count(*) FROM artifacts WHERE deleted_at IS NULL)"
               " AND NOT EXISTS (SELECT 1 FROM link_names n LEFT JOIN artifacts a"
               " ON a.id = n.artifact_id AND a.deleted_at IS NULL WHERE a.id IS NULL)")
    return bool(conn.execute(sql).fetchone()[0])


def _insert(conn: sqlite3.Connection, table: str,
            chunks: list[tuple[list[str], list[Any]]]) -> None:
    conn.execute(f"DELETE FROM {table}")
    for cols, rows in chunks:
        if rows:
            conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES"
                             f" ({', '.join('?' * len(cols))})", rows)


def _new_fts(conn: sqlite3.Connection) -> None:
    """Drop the FTS5 table and make it again from its own SQL. FTS5 keeps the index's
    structure in memory per connection and reads it again only after another connection
    writes: rows put straight into its tables by this one would go unseen (searches miss,
    and the next write breaks the index). A table made anew has nothing in memory."""
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'search'").fetchone()[0]
    conn.execute("DROP TABLE search")
    conn.execute(ddl)


def take(conn: sqlite3.Connection, found: list[dict[str, Any]]) -> set[str]:
    """Insert the derived groups of ``found`` that fit this workspace (inside the caller's
    transaction, after the synced rows); returns the groups taken (``search``, ``links``).
    A group not taken is left as it was, to be built by the caller."""
    by_table = _by_table(conn, found) if found else {}
    taken = set()
    for group, tables in GROUPS.items():
        if not all(t in by_table for t in tables):
            continue
        conn.execute(f"SAVEPOINT derived_{group}")
        try:
            if group == "search":
                _new_fts(conn)
            for table in tables:
                _insert(conn, table, by_table[table])
            ok = _covers(conn, group)
        except sqlite3.Error:
            ok = False
        if ok:
            taken.add(group)
        else:
            conn.execute(f"ROLLBACK TO derived_{group}")
        conn.execute(f"RELEASE derived_{group}")
    return taken
