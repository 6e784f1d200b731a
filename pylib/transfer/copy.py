"""Rebuild an imported file's rows inside a database that Quire created itself.

The new database gets its schema from our migrations (up to the file's version), receives the
rows column by column (names from our reference schema), and is then migrated to the latest
version. So no DDL, trigger or default from the file is ever used, and an older file is
upgraded by exactly the code that upgrades a workspace.
"""

from __future__ import annotations

import sqlite3

from pylib import migrations
from pylib.search import indexer as search_index
from pylib.transfer.validate import Inspected

_BATCH = 500


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_rows(src: sqlite3.Connection, dst: sqlite3.Connection, table: str,
              columns: tuple[str, ...]) -> int:
    """Copy every row of ``table`` from ``src`` to ``dst`` in batches; returns the row count."""
    cols = ", ".join(_quote(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    insert = f"INSERT INTO {_quote(table)} ({cols}) VALUES ({marks})"
    cursor = src.execute(f"SELECT {cols} FROM {_quote(table)} ORDER BY rowid")
    total = 0
    while True:
        rows = cursor.fetchmany(_BATCH)
        if not rows:
            return total
        dst.executemany(insert, rows)
        total += len(rows)


def fresh_tables(conn: sqlite3.Connection) -> set[str]:
    return {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def rebuild(found: Inspected, page_size: int | None = None) -> sqlite3.Connection:
    """A new in-memory database at the latest schema holding the file's rows.

    ``page_size``: match the live workspace so the result can be backed up onto it (SQLite
    refuses a page-size change on a WAL database). The caller closes the connection.
    """
    fresh = sqlite3.connect(":memory:", isolation_level=None)
    try:
        if page_size:
            fresh.execute(f"PRAGMA page_size = {int(page_size)}")
        migrations.migrate(fresh, steps=migrations.STEPS[:found.reference.version])
        fresh.execute("PRAGMA foreign_keys = ON")
        fresh.execute("BEGIN")
        for table in found.reference.tables:
            copy_rows(found.conn, fresh, table, found.reference.columns[table])
        if "search_map" in fresh_tables(fresh):
            # The search index is never copied from a file (it is not trusted): rebuilt here.
            search_index.rebuild(fresh)
        fresh.execute("COMMIT")
        migrations.migrate(fresh)
    except BaseException:
        fresh.close()
        raise
    return fresh
