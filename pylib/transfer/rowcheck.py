"""Every row of a file against :mod:`pylib.rows`, and the folder tree across rows.

:func:`check_rows` reads each of our tables once (never a content BLOB: only its length) and
refuses the file at the first row that breaks a rule, naming table, row, column and rule.
:func:`check_tree` holds the live tree to the engine's invariants: a live path names one thing,
nothing lives below a document, and every live item's parent folder exists — missing parent
folders are created (as migration 0004 and merge do), anything else is refused.
Both raise :class:`~pylib.errors.InvalidImport` with ``reason`` ``bad_row`` / ``bad_tree``.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Iterator

from pylib import rows
from pylib.clock import new_id
from pylib.errors import InvalidImport
from pylib.paths import ancestors, name_of

_BATCH = 500


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(table: str, columns: tuple[str, ...]) -> tuple[str, list[bool]]:
    """The scan query: BLOBs of ``bytes`` columns come back as their length only."""
    parts, measured = [], []
    for column in columns:
        rule = rows.RULES[table].get(column)
        q = _quote(column)
        if rule is not None and rule.kind == "bytes":
            parts += [f"iif(typeof({q}) = 'blob', length({q}), {q})", f"typeof({q}) = 'blob'"]
            measured.append(True)
        else:
            parts.append(q)
            measured.append(False)
    return f"SELECT {', '.join(parts)} FROM {_quote(table)} ORDER BY rowid", measured


def _records(conn: sqlite3.Connection, table: str,
             columns: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    sql, measured = _select(table, columns)
    cursor = conn.execute(sql)
    if not any(measured):
        while batch := cursor.fetchmany(_BATCH):
            yield from batch
        return
    while batch := cursor.fetchmany(_BATCH):
        for raw in batch:
            values, i = [], 0
            for is_bytes in measured:
                if is_bytes:
                    values.append(rows.BlobLength(raw[i]) if raw[i + 1] else raw[i])
                    i += 2
                else:
                    values.append(raw[i])
                    i += 1
            yield tuple(values)


def refuse_row(table: str, row: dict[str, Any], column: str, problem: str) -> InvalidImport:
    """The refusal of a file for one bad row (naming table, row id, column and rule)."""
    row_id = row.get(rows.ROW_ID[table])
    shown = repr(row_id)[:80]
    return InvalidImport(
        f"The file's table {table!r}, row {shown}, column {column!r}: {problem.rstrip('.')}. "
        "Nothing was imported.", reason="bad_row", table=table, row=shown, column=column, rule=problem)


def find_bad_text(conn: sqlite3.Connection, table: str, columns: tuple[str, ...]) -> None:
    """Name the first text value of ``table`` that is not valid UTF-8 (the slow path, taken
    only after a fast scan met one). BLOBs are not text and are never loaded here."""
    texts = ", ".join(f"iif(typeof({q}) = 'text', {q}, NULL)" for q in map(_quote, columns))
    previous = conn.text_factory
    conn.text_factory = bytes
    try:
        for raw in conn.execute(f"SELECT {texts} FROM {_quote(table)} ORDER BY rowid"):
            for column, value in zip(columns, raw):
                try:
                    if value is not None:
                        value.decode("utf-8")
                except UnicodeDecodeError:
                    row = {k: (v.decode("utf-8", "replace") if v is not None else v)
                           for k, v in zip(columns, raw)}
                    raise refuse_row(table, row, column, "text that is not valid UTF-8") from None
    finally:
        conn.text_factory = previous


def check_rows(conn: sqlite3.Connection, columns: dict[str, tuple[str, ...]]) -> None:
    """Check every row of the tables in ``columns`` ({table: column names}) against the rules."""
    for table, names in columns.items():
        check = rows.row_checker(table, names)
        try:
            for values in _records(conn, table, names):
                found = check(values)
                if found is not None:
                    raise refuse_row(table, dict(zip(names, values)), *found)
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc).lower():
                raise
            find_bad_text(conn, table, names)
            raise


def _live_paths(conn: sqlite3.Connection, table: str) -> list[str]:
    return [p for (p,) in conn.execute(
        f"SELECT path FROM {table} WHERE deleted_at IS NULL ORDER BY path")]


def check_tree(conn: sqlite3.Connection, *, repair: bool, now: int) -> list[str]:
    """Hold the live tree to the engine's invariants (see the module docstring).

    ``repair``: create missing parent folders (with timestamp ``now``) instead of refusing.
    Returns the folders created. ``conn`` must be at the latest schema.
    """
    documents = set(_live_paths(conn, "artifacts"))
    folders = set(_live_paths(conn, "folders"))
    missing: list[str] = []
    for path in sorted(documents | folders):
        if path in documents and path in folders:
            raise _tree_problem(f"{path!r} is both a document and a folder")
        for above in ancestors(path):
            if above in documents:
                raise _tree_problem(f"{path!r} lies inside the document {above!r}")
            if above not in folders:
                folders.add(above)
                missing.append(above)
    if missing and not repair:
        raise _tree_problem(f"the folder {missing[0]!r} is missing")
    for path in missing:
        conn.execute("INSERT INTO folders (id, path, name, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, ?)", (new_id(now), path, name_of(path), now, now))
    return missing


def _tree_problem(problem: str) -> InvalidImport:
    return InvalidImport(f"The file's folder tree is not consistent: {problem}. Nothing was "
                         "imported.", reason="bad_tree", rule=problem)
