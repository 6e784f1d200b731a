"""Rebuild an imported file's rows inside a database that Quire created itself.

The new database gets its schema from our migrations (up to the file's version), receives the
rows column by column (names from our reference schema), and is then migrated to the latest
version. So no DDL, trigger or default from the file is ever used, and an older file is
upgraded by exactly the code that upgrades a workspace. An upgraded file's rows are held to
:mod:`pylib.rows` again (migration 0004 renames and creates rows), and the folder tree of the
result to the engine's invariants (missing parent folders are created).
"""

from __future__ import annotations

import sqlite3

from pylib import migrations
from pylib.clock import now_ms
from pylib.transfer.rowcheck import check_rows, check_tree
from pylib.transfer.schema import reference
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


def rebuild(found: Inspected, page_size: int | None = None,
            now: int | None = None) -> sqlite3.Connection:
    """A new in-memory database at the latest schema holding the file's rows.

    ``page_size``: match the live workspace so the result can be backed up onto it (SQLite
    refuses a page-size change on a WAL database). ``now``: the time of folders created for
    the tree (Unix ms). Raises :class:`~pylib.errors.InvalidImport` for rows or a tree that
    break the rules. The caller closes the connection.
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
        fresh.execute("COMMIT")
        migrations.migrate(fresh)
        latest = reference(migrations.LATEST_VERSION)
        if found.reference.version < latest.version:
            check_rows(fresh, {t: latest.columns[t] for t in latest.tables})
        fresh.execute("BEGIN")
        check_tree(fresh, repair=True, now=now_ms() if now is None else now)
        fresh.execute("COMMIT")
    except BaseException:
        fresh.close()
        raise
    return fresh
