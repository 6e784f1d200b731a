"""Rebuild an imported file's rows inside a database that Quire created itself.

The new database gets its schema from our migrations (up to the file's version), receives the
rows column by column (names from our reference schema), and is then migrated to the latest
version. So no DDL, trigger or default from the file is ever used, and an older file is
upgraded by exactly the code that upgrades a workspace. Every row is held to :mod:`pylib.rows`
on its way in (before any migration runs on it), an upgraded file's rows once more after the
upgrade (migration 0004 renames and creates rows), and the folder tree of the result to the
engine's invariants (missing parent folders are created). The keyword index (the derived
tables of :mod:`pylib.search`) is never copied from the file: it is rebuilt from the copied
rows at the end, so nothing the file holds in it is ever read or trusted.
"""

from __future__ import annotations

import sqlite3

from pylib import migrations, textstore
from pylib.clock import now_ms
from pylib.rows import row_checker
from pylib.links import index as link_index
from pylib.search import indexer as search_index
from pylib.transfer.rowcheck import check_rows, check_tree, find_bad_text, refuse_row
from pylib.transfer.schema import reference
from pylib.transfer.validate import Inspected

_BATCH = 500


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_rows(src: sqlite3.Connection, dst: sqlite3.Connection, table: str,
              columns: tuple[str, ...]) -> int:
    """Copy every row of ``table`` from ``src`` to ``dst`` in batches; returns the row count.

    Each batch is held to :mod:`pylib.rows` before it is inserted (the copy reads every row
    anyway, so checking here costs no second scan): the first row that breaks a rule refuses
    the file (:class:`~pylib.errors.InvalidImport`, reason ``bad_row``).
    """
    cols = ", ".join(_quote(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    insert = f"INSERT INTO {_quote(table)} ({cols}) VALUES ({marks})"
    check = row_checker(table, columns)
    cursor = src.execute(f"SELECT {cols} FROM {_quote(table)} ORDER BY rowid")
    total = 0
    try:
        while batch := cursor.fetchmany(_BATCH):
            for values in batch:
                found = check(values)
                if found is not None:
                    raise refuse_row(table, dict(zip(columns, values)), *found)
            dst.executemany(insert, batch)
            total += len(batch)
    except sqlite3.OperationalError as exc:
        if "decode" in str(exc).lower():
            find_bad_text(src, table, columns)  # raises, naming the row and column
        raise
    return total


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def rebuild(found: Inspected, page_size: int | None = None,
            now: int | None = None) -> sqlite3.Connection:
    """A new in-memory database at the latest schema holding the file's rows.

    ``page_size``: match the live workspace so the result can be backed up onto it (SQLite
    refuses a page-size change on a WAL database). ``now``: the time of folders created for
    the tree (Unix ms). Raises :class:`~pylib.errors.InvalidImport` for rows or a tree that
    break the rules. The caller closes the connection.
    """
    fresh = sqlite3.connect(":memory:", isolation_level=None)
    textstore.register(fresh)  # the indexes below read packed text (pylib.textstore)
    try:
        if page_size:
            fresh.execute(f"PRAGMA page_size = {int(page_size)}")
        migrations.migrate(fresh, steps=migrations.steps_to(found.reference.version))
        fresh.execute("PRAGMA foreign_keys = ON")
        fresh.execute("BEGIN")
        for table in found.reference.tables:
            copy_rows(found.conn, fresh, table, found.reference.columns[table])
        fresh.execute("COMMIT")
        # A file from before the index gets it from the migration that adds it, built from
        # the copied rows; a file that had one gets an empty one from our DDL: rebuilt below.
        migrated_index = search_index.DERIVED_TABLES.isdisjoint(_tables(fresh))
        migrations.migrate(fresh)
        latest = reference(migrations.LATEST_VERSION)
        if found.reference.version < latest.version:
            check_rows(fresh, {t: latest.columns[t] for t in latest.tables})
        fresh.execute("BEGIN")
        check_tree(fresh, repair=True, now=now_ms() if now is None else now)
        if not migrated_index:
            search_index.rebuild(fresh)
        fresh.execute("COMMIT")
        # Derived from the notes' text: built by our parser, never taken from the file.
        link_index.rebuild(fresh)
    except BaseException:
        fresh.close()
        raise
    return fresh
