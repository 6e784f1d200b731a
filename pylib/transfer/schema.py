"""What a workspace's schema must look like, version by version, and the check against it.

The reference for version N is built by running our own migrations 1..N on an empty
in-memory database, so it can never drift from what Quire actually writes. An imported file's
``sqlite_master`` must contain exactly those objects (no trigger, view, virtual table or index
of its own, no missing or extra table), and every table and index must be what SQLite itself
reports for ours: ``pragma table_list`` (kind, strict, without rowid), ``table_xinfo`` (every
column with its type, NOT NULL, default, key and hidden flag), ``foreign_key_list``,
``index_list`` and ``index_xinfo``. What no pragma reports (CHECK constraints, partial-index
conditions, collations) is compared as DDL tokens split the way SQLite's tokenizer splits them —
only ASCII whitespace separates tokens, so a U+00A0 inside a definition is part of an
identifier, as it is for SQLite. The file's DDL is only ever parsed by SQLite, never executed.

The keyword index (:mod:`pylib.search`) is the one exception to "no view or virtual table":
its view ``search_source`` and its FTS5 table ``search`` are accepted when their DDL is ours
token for token (SQLite's pragmas report nothing of a view's query or of FTS5's options), its
ordinary tables (``search_map`` and FTS5's shadow tables) are compared by the pragmas like any
other. Their rows are never read or copied (they are not in :attr:`Reference.columns`): the
import rebuilds the index from the artifacts.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from pylib import migrations
from pylib.errors import InvalidImport
from pylib.rows import DERIVED_TABLES, DERIVED_VIEWS

# Planner statistics that `ANALYZE` (e.g. in the sqlite3 shell) adds. They hold numbers only,
# are never read or copied by the import, and refusing them would only puzzle people — but
# only in exactly the form SQLite creates them (not, say, as a virtual table of that name).
TOLERATED = {
    "sqlite_stat1": "CREATE TABLE sqlite_stat1(tbl,idx,stat)",
    "sqlite_stat4": "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)",
}
# SQLite's whitespace (sqlite3Isspace): ASCII only.
_SQL_SPACE = re.compile(r"[ \t\n\f\r]+")


@dataclass(frozen=True)
class Reference:
    """The schema of one version: objects, DDL tokens and what the pragmas report.

    ``columns``: the tables whose rows a file carries (never the derived index's);
    ``pragmas``: every ordinary table, the index's included (not its FTS5 virtual table).
    """

    version: int
    objects: dict[tuple[str, str], tuple[str, str]]
    columns: dict[str, tuple[str, ...]]
    pragmas: dict[str, tuple]

    @property
    def tables(self) -> list[str]:
        """Our synced tables in creation order (parents before the tables that refer to them)."""
        return list(self.columns)


_references: dict[int, Reference] = {}


def normalize_sql(sql: str | None) -> str:
    """Drop comments and the whitespace SQLite ignores outside quotes, so equal DDL compares
    equal and only equal DDL does."""
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
            out.append(_SQL_SPACE.sub(" ", ch))
            i += 1
    words = _SQL_SPACE.sub(" ", "".join(out)).strip()
    for mark in "(),":
        words = words.replace(f" {mark}", mark).replace(f"{mark} ", mark)
    return words


def _pragmas(conn: sqlite3.Connection, tables: list[str]) -> dict[str, tuple]:
    """What SQLite reports about each table and its indexes (names come from our reference)."""
    report: dict[str, tuple] = {}
    for table in tables:
        kind = conn.execute('SELECT type, ncol, wr, strict FROM pragma_table_list(?)',
                            (table,)).fetchall()
        xinfo = conn.execute("SELECT * FROM pragma_table_xinfo(?)", (table,)).fetchall()
        fks = sorted(row[1:] for row in conn.execute(
            "SELECT * FROM pragma_foreign_key_list(?)", (table,)))
        indexes = sorted(row[1:] for row in conn.execute(
            "SELECT * FROM pragma_index_list(?)", (table,)))
        keys = tuple((row[0], tuple(conn.execute("SELECT * FROM pragma_index_xinfo(?)",
                                                 (row[0],)).fetchall())) for row in indexes)
        report[table] = (tuple(kind), tuple(xinfo), tuple(fks), tuple(indexes), keys)
    return report


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
        migrations.migrate(conn, steps=migrations.steps_to(version))
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        objects = {(t, n): (tbl, normalize_sql(sql)) for t, n, tbl, sql in rows}
        ordinary = [n for t, n, _, sql in rows
                    if t == "table" and not normalize_sql(sql).startswith("CREATE VIRTUAL")]
        columns = {n: table_columns(conn, n) for n in ordinary if n not in DERIVED_TABLES}
        pragmas = _pragmas(conn, ordinary)
    finally:
        conn.close()
    ref = Reference(version, objects, columns, pragmas)
    _references[version] = ref
    return ref


def _check_object(kind: str, name: str, tbl_name: str, sql: str | None,
                  ref: Reference) -> bool:
    """Check one ``sqlite_master`` row; False for a tolerated statistics table."""
    if _is_our_index_object(kind, name, tbl_name, sql, ref):
        return True
    if kind in ("trigger", "view"):
        raise InvalidImport(
            f"The file contains a {kind} ({name!r}) that Quire never creates; it was "
            f"refused so that nothing in it can run.", reason=f"hostile_{kind}", name=name)
    if kind == "table" and name in TOLERATED:
        if normalize_sql(sql) != TOLERATED[name]:
            raise InvalidImport(f"The file's table {name!r} is not the one SQLite's ANALYZE "
                                "creates.", reason="altered_table", name=name)
        return False
    expected = ref.objects.get((kind, name))
    if expected is None:
        label = "table" if kind == "table" else kind
        raise InvalidImport(f"The file contains an unknown {label} ({name!r}).",
                            reason=f"unknown_{label}", name=name)
    if normalize_sql(sql).startswith("CREATE VIRTUAL TABLE"):
        raise InvalidImport(f"The file's table {name!r} is a virtual table; Quire's is not.",
                            reason="altered_table", name=name)
    if expected[0] != tbl_name:
        raise InvalidImport(f"The file's {kind} {name!r} belongs to another table.",
                            reason=f"altered_{kind}", name=name)
    return True


def _is_our_index_object(kind: str, name: str, tbl_name: str, sql: str | None,
                         ref: Reference) -> bool:
    """The search index's view or FTS5 table, exactly as our migrations create it.

    Compared as DDL tokens (ASCII whitespace only): no pragma reports a view's query or FTS5's
    options, and anything else of that name falls through to be refused as a view or a
    virtual table Quire never creates.
    """
    if kind == "trigger":
        # Only sync's change capture (migration 0018), on its own table; its DDL is compared
        # token for token with the other objects' (check_schema), so a column renamed in a
        # table is reported as the table's difference, not as the trigger it rewrote.
        return ref.objects.get((kind, name), (None,))[0] == tbl_name
    derived = name in DERIVED_VIEWS if kind == "view" else (
        kind == "table" and name in DERIVED_TABLES and name not in ref.pragmas)
    return derived and ref.objects.get((kind, name)) == (tbl_name, normalize_sql(sql))


def check_schema(conn: sqlite3.Connection, version: int) -> Reference:
    """Compare the file's schema with ours at ``version``; raise if different.

    Reads only ``sqlite_master`` and pragmas; must run before any of the file's tables is
    queried. Raises :class:`InvalidImport` naming the first difference found.
    """
    ref = reference(version)
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    seen: dict[tuple[str, str], str | None] = {}
    for kind, name, tbl_name, sql in rows:
        kind, name = str(kind), str(name)
        if _check_object(kind, name, str(tbl_name), sql, ref):
            seen[(kind, name)] = sql
    _check_missing(ref, set(seen))
    for key, sql in seen.items():
        if normalize_sql(sql) != ref.objects[key][1]:
            _explain_difference(conn, *key, ref)
    found = _pragmas(conn, list(ref.pragmas))
    for table in ref.pragmas:
        if found[table] != ref.pragmas[table] or (
                table in ref.columns and table_columns(conn, table) != ref.columns[table]):
            _explain_difference(conn, "table", table, ref)
    return ref


def _explain_difference(conn: sqlite3.Connection, kind: str, name: str, ref: Reference) -> None:
    if kind != "table" or name not in ref.columns:
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
