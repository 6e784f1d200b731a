"""Repair: copy everything readable into a fresh workspace, keeping the damaged one as a backup.

A fresh database is built by our migrations; the rows of every table are copied in rowid
ranges, and a range SQLite cannot read (a damaged page) is retried row by row, so only the
rows on damaged pages are lost. Every row is held to :mod:`pylib.rows` like an import's; a
live document whose path is already taken gets a "(recovered)" name; a version whose chain of
deltas lost a link, or whose text does not rebuild to its hash, is dropped (every version that
rebuilds is kept); the search and link indexes are rebuilt. This device's sync state is
carried over, so the copy is not sent as new changes and what the damage took comes back from
the other devices (:mod:`pylib.sync.repaired`). The result replaces the workspace in one step
(the backup API), and the bytes of the damaged file are returned for the page to offer as a
download.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pylib import activity, migrations, textstore
from pylib.blobs.replaced import carry
from pylib.care import chains
from pylib.db import Workspace
from pylib.links import index as link_index
from pylib.paths import free_name, join, name_of, parent_of
from pylib.rows import row_checker
from pylib.search import indexer as search_index
from pylib.sync import repaired
from pylib.transfer.export import export_filename
from pylib.transfer.importer import _announce_commit
from pylib.transfer.rowcheck import check_tree
from pylib.transfer.schema import reference

_RANGE = 256


def _top_rowid(conn: sqlite3.Connection, table: str) -> int:
    """The largest rowid, from the table or else from any of its indexes (each holds every
    rowid, on pages of its own: they may be intact where the table's are not)."""
    try:
        return conn.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or 0
    except sqlite3.DatabaseError:
        pass
    best = 0
    for (index,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                                 " AND tbl_name = ?", (table,)).fetchall():
        try:
            best = max(best, conn.execute(
                f'SELECT max(rowid) FROM "{table}" INDEXED BY "{index}"').fetchone()[0] or 0)
        except sqlite3.DatabaseError:
            continue
    return best or _RANGE * 64


def _read_range(conn: sqlite3.Connection, sql: str, low: int, high: int,
                rows: list[tuple]) -> int:
    """Append the readable rows with rowids in [low, high]; returns the rowids not readable
    (halving a range that fails until single rows are left)."""
    try:
        rows += conn.execute(sql, (low, high)).fetchall()
        return 0
    except sqlite3.DatabaseError:
        if low == high:
            return 1
    mid = (low + high) // 2
    return _read_range(conn, sql, low, mid, rows) + _read_range(conn, sql, mid + 1, high, rows)


def _readable_rows(conn: sqlite3.Connection, table: str, cols: str) -> tuple[list[tuple], int]:
    """``(rows, unreadable)``: every row SQLite can still read, in rowid order; the rows lost
    are counted from an intact index when there is one (a rowid on a damaged page may never
    have been used)."""
    rows: list[tuple] = []
    sql = f'SELECT {cols} FROM "{table}" WHERE rowid BETWEEN ? AND ?'
    failed = _read_range(conn, sql, 0, _top_rowid(conn, table), rows)
    expected = _indexed_count(conn, table) if failed else None
    return rows, failed if expected is None else max(0, min(failed, expected - len(rows)))


def _indexed_count(conn: sqlite3.Connection, table: str) -> int | None:
    """How many rows an intact full (not partial) index of the table lists, or ``None``."""
    try:
        names = [r[1] for r in conn.execute(f'PRAGMA index_list("{table}")') if not r[4]]
    except sqlite3.DatabaseError:
        return None
    for index in names:
        try:
            # count(rowid), not count(*): SQLite may answer count(*) from the table's own tree.
            return conn.execute(
                f'SELECT count(rowid) FROM "{table}" INDEXED BY "{index}"').fetchone()[0]
        except sqlite3.DatabaseError:
            continue
    return None


def _insert(fresh: sqlite3.Connection, table: str, columns: tuple[str, ...],
            values: tuple, renamed: list[tuple[str, str]]) -> bool:
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" for _ in columns)})'
    try:
        fresh.execute(sql, values)
        return True
    except sqlite3.IntegrityError:
        if table not in ("artifacts", "folders"):
            return False
    row = dict(zip(columns, values))
    if row.get("deleted_at") is not None:
        return False
    parent = parent_of(row["path"])
    name = free_name(name_of(row["path"]), lambda n: fresh.execute(
        "SELECT 1 FROM artifacts WHERE path = ? UNION SELECT 1 FROM folders WHERE path = ?",
        (join(parent, n), join(parent, n))).fetchone() is not None, "recovered")
    row["path"], row["name"] = join(parent, name), name
    try:
        fresh.execute(sql, tuple(row[c] for c in columns))
    except sqlite3.IntegrityError:
        return False
    renamed.append((table, row["id"]))
    return True


def _copy_table(src: sqlite3.Connection, fresh: sqlite3.Connection, table: str,
                columns: tuple[str, ...], renamed: list[tuple[str, str]]) -> dict[str, int]:
    rows, lost = _readable_rows(src, table, ", ".join(f'"{c}"' for c in columns))
    check = row_checker(table, columns)
    copied = refused = 0
    for values in rows:
        if check(values) is None and _insert(fresh, table, columns, values, renamed):
            copied += 1
        else:
            refused += 1
    return {"copied": copied, "unreadable": lost, "refused": refused}


def _drop_broken_versions(fresh: sqlite3.Connection) -> int:
    """Versions that cannot be rebuilt exactly (a chain that lost a link, damaged bytes, a
    hash that does not match) are dropped; every version that rebuilds is kept (it never
    depends on a dropped one: the walk marks those as broken too)."""
    broken = [v.version_id for artifact_id, _ in chains.documents(fresh)
              for v in chains.rebuild_all(fresh, artifact_id) if v.data is None]
    fresh.executemany("DELETE FROM artifact_versions WHERE id = ?", [(v,) for v in broken])
    return len(broken)


def rebuild_readable(ws: Workspace) -> tuple[sqlite3.Connection, dict[str, Any]]:
    """A fresh in-memory workspace holding every readable, valid row of ``ws``."""
    page_size = ws.conn.execute("PRAGMA page_size").fetchone()[0]
    fresh = sqlite3.connect(":memory:", isolation_level=None)
    textstore.register(fresh)  # the indexes below read packed text (pylib.textstore)
    fresh.execute(f"PRAGMA page_size = {int(page_size)}")
    migrations.migrate(fresh)
    fresh.execute("PRAGMA foreign_keys = ON")
    latest = reference(migrations.LATEST_VERSION)
    tables: dict[str, dict[str, int]] = {}
    renamed: list[tuple[str, str]] = []
    sync_state = repaired.readable(ws.conn)
    fresh.execute("BEGIN")
    repaired.start_copy(fresh, sync_state)
    for table in latest.tables:
        tables[table] = _copy_table(ws.conn, fresh, table, latest.columns[table], renamed)
    dropped = _drop_broken_versions(fresh)
    repaired.end_copy(fresh, sync_state)
    if sync_state is not None:
        for table, row_id in renamed:
            repaired.rename_captured(fresh, table, row_id)
    check_tree(fresh, repair=True, now=ws.clock())  # what it changes is sent as changes
    search_index.rebuild(fresh)
    fresh.execute("COMMIT")
    link_index.rebuild(fresh)
    lost = sum(t["unreadable"] + t["refused"] for t in tables.values()) + dropped
    return fresh, {"tables": tables, "versions_dropped": dropped, "rows_lost": lost,
                   "sync": repaired.status(sync_state)}


def repair(ws: Workspace) -> dict[str, Any]:
    """Replace the workspace with everything readable in it; returns the report with
    ``backup`` (the damaged file's bytes) and ``backup_name``."""
    backup = bytes(ws.conn.serialize())
    fresh, report = rebuild_readable(ws)
    try:
        staged = Workspace(fresh, ":memory:", clock=ws.clock)
        with staged.transaction():
            activity.log(staged, "WORKSPACE_REPAIR", {
                "rows_lost": report["rows_lost"], "versions_dropped": report["versions_dropped"],
                "backup_size_bytes": len(backup)})
            try:  # what this device holds, as a replace-import keeps it (pylib.blobs.replaced)
                carry(ws.conn, fresh)
            except sqlite3.DatabaseError:
                pass  # those rows are unreadable too: the files are read from S3 as before
        fresh.backup(ws.conn)
    finally:
        fresh.close()
    _announce_commit(ws)
    name = export_filename(ws.clock()).replace("workspace-", "workspace-damaged-")
    return {**report, "backup": backup, "backup_name": name}
