"""Turn a workspace back into what an older release left: every table, view, index and trigger
that a fresh schema of that version lacks is dropped, columns later steps added are dropped,
objects they redefined get their old definition back, and ``user_version`` is set, so the next
open runs the later steps again, as it would on a user's old file."""

from __future__ import annotations

import sqlite3

from pylib import migrations, textstore

_ORDER = "CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 WHEN 'index' THEN 2 ELSE 3 END"
_SCHEMA = f"SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY {_ORDER}"


def downgrade(conn: sqlite3.Connection, version: int) -> None:
    """Make the open connection ``conn`` a workspace of schema ``version``."""
    fresh = sqlite3.connect(":memory:", isolation_level=None)
    migrations.migrate(fresh, steps=migrations.steps_to(version))
    old = {name: (kind, sql) for kind, name, sql in fresh.execute(_SCHEMA)}
    columns = {name: _columns(fresh, name) for name, (kind, _) in old.items() if kind == "table"}
    fresh.close()
    if "content_codec" not in columns.get("artifacts", ["content_codec"]):
        _unpack_texts(conn)
    redefine = []
    for kind, name, sql in conn.execute(_SCHEMA).fetchall():
        if name not in old or (kind != "table" and old[name][1] != sql):
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
            if name in old and old[name][1]:
                redefine.append(old[name][1])
    for table, names in columns.items():
        for column in _columns(conn, table):
            if column not in names:
                conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    for sql in redefine:
        conn.execute(sql)
    conn.execute(f"PRAGMA user_version = {int(version)}")


def _unpack_texts(conn: sqlite3.Connection) -> None:
    """Before schema 25 every text was kept as it is (pylib.textstore)."""
    if "content_codec" not in _columns(conn, "artifacts"):
        return
    rows = conn.execute("SELECT id, content, content_codec FROM artifacts"
                        " WHERE content_codec IS NOT NULL").fetchall()
    for artifact_id, content, codec in rows:
        conn.execute("UPDATE artifacts SET content = ?, content_codec = NULL WHERE id = ?",
                     (textstore.unpack(conn, content, codec), artifact_id))


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def downgrade_file(path: str, version: int) -> None:
    """:func:`downgrade` for a closed workspace file."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        downgrade(conn, version)
    finally:
        conn.close()
