"""What a workspace's schema must look like, version by version, and the check against it.

The reference for version N is built by running our own migrations 1..N on an empty
in-memory database, so it can never drift from what Quire actually writes. An imported file's
``sqlite_master`` must contain exactly those objects: no trigger, view, virtual table or index
of its own, no missing or extra table, no different column list. The file's DDL is only ever
read as text, never executed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from pylib import migrations
from pylib.search import indexer as search_index
from pylib.errors import InvalidImport

# Planner statistics that `ANALYZE` (e.g. in the sqlite3 shell) adds. They hold numbers only,
# are never read or copied by the import, and refusing them would only puzzle people.
TOLERATED = frozenset({"sqlite_stat1", "sqlite_stat4"})


@dataclass(frozen=True)
class Reference:
    """The schema of one version: objects by (type, name) and each table's columns."""

    version: int
    objects: dict[tuple[str, str], tuple[str, str]]
    columns: dict[str, tuple[str, ...]]
    # table -> ((column, declared type, required), ...); required = NOT NULL or primary key
    declared: dict[str, tuple[tuple[str, str, bool], ...]]

    @property
    def tables(self) -> list[str]:
        """Our tables in creation order (parents before the tables that refer to them)."""
        return list(self.columns)


_references: dict[int, Reference] = {}


def normalize_sql(sql: str | None) -> str:
    """Drop comments and insignificant whitespace outside quotes, so equal DDL compares equal."""
    if sql is None:
        return ""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`[":
            close = "]" if ch == "[" else ch
            end = sql.find(close, i + 1)
            end = n if end < 0 else end + 1
            out.append(sql[i:end])
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        else:
            out.append(ch)
            i += 1
    words = " ".join("".join(out).split())
    for mark in "(),":
        words = words.replace(f" {mark}", mark).replace(f"{mark} ", mark)
    return words


def table_columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    """Column names of ``table``, including hidden and generated ones (table_xinfo)."""
    rows = conn.execute("SELECT name, hidden FROM pragma_table_xinfo(?)", (table,)).fetchall()
    return tuple(name if not hidden else f"{name} (hidden {hidden})" for name, hidden in rows)


def reference(version: int) -> Reference:
    """The schema our migrations produce at ``version`` (built once, then cached)."""
    if version in _references:
        return _references[version]
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrations.migrate(conn, steps=migrations.STEPS[:version])
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        objects = {(t, n): (tbl, normalize_sql(sql)) for t, n, tbl, sql in rows}
        # The search index is derived: its DDL is checked, its rows are never read or copied.
        columns = {n: table_columns(conn, n) for t, n, _, _ in rows
                   if t == "table" and n not in search_index.DERIVED_TABLES}
        declared = {table: tuple(
            (name, str(decl).upper(), bool(notnull or pk)) for name, decl, notnull, pk in
            conn.execute('SELECT name, type, "notnull", pk FROM pragma_table_xinfo(?)', (table,)))
            for table in columns}
    finally:
        conn.close()
    ref = Reference(version, objects, columns, declared)
    _references[version] = ref
    return ref


def check_schema(conn: sqlite3.Connection, version: int) -> Reference:
    """Compare the file's ``sqlite_master`` with our schema at ``version``; raise if different.

    Reads only ``sqlite_master`` and table_xinfo; must run before any of the file's tables is
    queried. Raises :class:`InvalidImport` naming the first difference found.
    """
    ref = reference(version)
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    seen: set[tuple[str, str]] = set()
    for kind, name, tbl_name, sql in rows:
        kind, name = str(kind), str(name)
        if kind == "view" and name in search_index.DERIVED_VIEWS and ref.objects.get(
                (kind, name)) == (str(tbl_name), normalize_sql(sql)):
            seen.add((kind, name))  # Ours, word for word; only the engine's index reads it.
            continue
        if kind in ("trigger", "view"):
            raise InvalidImport(
                f"The file contains a {kind} ({name!r}) that Quire never creates; it was "
                f"refused so that nothing in it can run.", reason=f"hostile_{kind}", name=name)
        if kind == "table" and name in TOLERATED:
            continue
        expected = ref.objects.get((kind, name))
        if expected is None:
            label = "table" if kind == "table" else kind
            raise InvalidImport(f"The file contains an unknown {label} ({name!r}).",
                                reason=f"unknown_{label}", name=name)
        if expected != (str(tbl_name), normalize_sql(sql)):
            _explain_difference(conn, kind, name, ref)
        seen.add((kind, name))
    _check_missing(ref, seen)
    for table in ref.tables:
        if table_columns(conn, table) != ref.columns[table]:
            _explain_difference(conn, "table", table, ref)
    return ref


def _explain_difference(conn: sqlite3.Connection, kind: str, name: str, ref: Reference) -> None:
    if kind != "table":
        raise InvalidImport(f"The file's {kind} {name!r} is not the one Quire creates.",
                            reason=f"altered_{kind}", name=name)
    try:
        found = table_columns(conn, name)
    except sqlite3.DatabaseError:
        found = ()
    expected = ref.columns[name]
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    detail = "; ".join(part for part in (
        f"missing columns: {', '.join(missing)}" if missing else "",
        f"unexpected columns: {', '.join(extra)}" if extra else "",
    ) if part) or "its definition differs"
    raise InvalidImport(f"The file's table {name!r} does not match schema version "
                        f"{ref.version} ({detail}).", reason="wrong_columns", table=name)


def _check_missing(ref: Reference, seen: set[tuple[str, str]]) -> None:
    for kind, name in ref.objects:
        if (kind, name) not in seen:
            label = "table" if kind == "table" else kind
            raise InvalidImport(f"The file is missing the {label} {name!r}.",
                                reason=f"missing_{label}", name=name)
