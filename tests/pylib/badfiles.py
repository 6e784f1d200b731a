"""Workspaces with sample content, and the bad files an import must refuse.

Plain functions over real SQLite files (no pytest fixtures), so the tests that use them also
run inside Pyodide. Every bad file is derived from a good export of a real workspace.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable

from pylib import artifacts, citations, db, folders, migrations, search, tasks, trash
from pylib.transfer import export_workspace

PAGE_SIZE_OFFSET = 16


_templates: dict[str, bytes] = {}


def _fill(ws: db.Workspace, tag: str) -> None:
    doc = artifacts.create(ws, f"/notes/{tag}-ideas.md", f"# Ideas from {tag}\n\n- one\n")
    artifacts.update(ws, doc.id, f"# Ideas from {tag}\n\n- one\n- two\n")
    artifacts.create(ws, f"/code/{tag}.py", "print('hello')\n")
    gone = artifacts.create(ws, f"/{tag}-scratch.txt", "scratch")
    trash.trash_artifact(ws, gone.id)
    folders.create(ws, f"/empty-{tag}")
    tasks.enqueue(ws, "summarize", {"artifact_id": doc.id})
    citations.record(ws, doc.id, f"run-{tag}", 0.5, "quoted")
    with ws.transaction() as conn:
        conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)", (f"seen-{tag}", "1"))


def make_workspace(tmp_path: Path, name: str = "live.sqlite", journal_mode: str | None = None,
                   tag: str = "live") -> db.Workspace:
    """A workspace with folders, edited documents, a trashed one, a task, a citation.

    Built once per ``tag`` and copied, since creating and migrating a file costs many fsyncs.
    """
    if tag not in _templates:
        source = db.open_workspace(":memory:")
        _fill(source, tag)
        _templates[tag] = export_workspace(source)
        source.close()
    path = tmp_path / name
    path.write_bytes(_templates[tag])
    ws = db.open_workspace(str(path), journal_mode=journal_mode)
    # Test files need no durability against power loss; skipping fsync keeps the suite fast.
    ws.conn.execute("PRAGMA synchronous = OFF")
    return ws


def table_contents(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, keyed by table name.

    The search index is derived: its FTS5 pages differ byte for byte between an index built
    edit by edit and one rebuilt at once, so it is compared by what it indexes (artifact and
    whether its text is in), and checked for being current with :func:`pylib.search.check`.
    """
    names = [n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if n not in search.DERIVED_TABLES]
    contents = {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names}
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_map'").fetchone():
        contents["search_map"] = sorted(conn.execute(
            "SELECT artifact_id, has_body FROM search_map").fetchall())
        assert search.check(conn) == [], search.check(conn)
    return contents


def edit(data: bytes, tmp_path: Path, *statements: str) -> bytes:
    """Apply SQL to a copy of an export with plain sqlite3 and return the new bytes."""
    path = tmp_path / "edited.sqlite"
    path.write_bytes(data)
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()
    return path.read_bytes()


def _page_of(data: bytes, tmp_path: Path, table: str) -> int:
    path = tmp_path / "probe.sqlite"
    path.write_bytes(data)
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                            (table,)).fetchone()[0]
    finally:
        conn.close()


def _page_size(data: bytes) -> int:
    raw = int.from_bytes(data[PAGE_SIZE_OFFSET:PAGE_SIZE_OFFSET + 2], "big")
    return 65536 if raw == 1 else raw


def _patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new):]


def corrupt_page(data: bytes, tmp_path: Path, table: str = "artifacts") -> bytes:
    """Scribble over the cell pointers of a table's root page."""
    size = _page_size(data)
    start = (_page_of(data, tmp_path, table) - 1) * size
    return _patch(data, start + 8, b"\xff\x7f" * 32)


def older_schema_file(tmp_path: Path) -> bytes:
    """A schema-version-1 file (the seed schema) as an older Quire would have written it."""
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:1])
    conn.execute("INSERT INTO artifacts (id, path, name, mime_type, content, created_at,"
                 " updated_at, metadata) VALUES ('old-1', '/docs/old.md', 'old.md',"
                 " 'text/markdown', X'23206f6c64', 1000, 2000, '{}')")
    conn.execute("INSERT INTO action_log (id, timestamp, action_type, payload) VALUES"
                 " ('act-1', 1000, 'ARTIFACT_CREATE', '{}')")
    conn.execute("INSERT INTO citations (id, source_artifact_id, citing_run_id, weight,"
                 " created_at) VALUES ('cit-1', 'old-1', 'run-old', 1.0, 3000)")
    conn.close()
    return path.read_bytes()


# name -> (build(good_bytes, tmp_path) -> (bad_bytes, max_bytes or None), code, reason)
Builder = Callable[[bytes, Path], tuple[bytes, "int | None"]]
BAD_FILES: dict[str, tuple[Builder, str, str | None]] = {
    "empty": (lambda d, t: (b"", None), "invalid_import", "empty"),
    "not_sqlite": (lambda d, t: (b"PK\x03\x04 this is a zip, not a database" * 40, None),
                   "invalid_import", "not_sqlite"),
    "garbage_after_magic": (lambda d, t: (d[:16] + bytes(range(256)) * 64, None),
                            "invalid_import", None),
    "truncated_mid_page": (lambda d, t: (d[:len(d) - 1000], None), "invalid_import", "truncated"),
    "truncated_whole_pages": (lambda d, t: (d[:len(d) - 2 * _page_size(d)], None),
                              "invalid_import", "truncated"),
    "corrupted_page": (lambda d, t: (corrupt_page(d, t), None), "invalid_import", "corrupt"),
    "corrupted_schema_page": (lambda d, t: (_patch(d, 100, b"\x0d\xff\xff" * 40), None),
                              "invalid_import", "corrupt"),
    "schema_too_new": (lambda d, t: (edit(d, t, f"PRAGMA user_version = "
                                              f"{migrations.LATEST_VERSION + 1}"), None),
                       "schema_too_new", None),
    "no_schema_version": (lambda d, t: (edit(d, t, "PRAGMA user_version = 0"), None),
                          "invalid_import", "not_a_workspace"),
    "unknown_table": (lambda d, t: (edit(d, t, "CREATE TABLE evil (x)"), None),
                      "invalid_import", "unknown_table"),
    "missing_table": (lambda d, t: (edit(d, t, "DROP TABLE sync_state"), None),
                      "invalid_import", "missing_table"),
    "hostile_trigger": (lambda d, t: (edit(d, t, "CREATE TRIGGER t AFTER INSERT ON artifacts "
                                                 "BEGIN DELETE FROM artifacts; END"), None),
                        "invalid_import", "hostile_trigger"),
    "hostile_view": (lambda d, t: (edit(d, t, "CREATE VIEW v AS SELECT load_extension('x')"),
                                   None), "invalid_import", "hostile_view"),
    "altered_search_view": (lambda d, t: (edit(
        d, t, "DROP VIEW search_source",
        "CREATE VIEW search_source AS SELECT rowid AS docid, name, name AS body FROM artifacts"),
        None), "invalid_import", "hostile_view"),
    "virtual_table": (lambda d, t: (edit(d, t, "CREATE VIRTUAL TABLE ft USING fts5(body)"),
                                    None), "invalid_import", "unknown_table"),
    "extra_index": (lambda d, t: (edit(d, t, "CREATE INDEX idx_evil ON artifacts(name)"), None),
                    "invalid_import", "unknown_index"),
    "extra_column": (lambda d, t: (edit(d, t, "ALTER TABLE artifacts ADD COLUMN evil TEXT"),
                                   None), "invalid_import", "wrong_columns"),
    "renamed_column": (lambda d, t: (edit(d, t, "ALTER TABLE citations RENAME COLUMN reason "
                                                "TO why"), None), "invalid_import", "wrong_columns"),
    "over_max_bytes": (lambda d, t: (d, len(d) - 1), "invalid_import", "too_large"),
    "absurd_page_count": (lambda d, t: (_patch(d, 28, (2**31).to_bytes(4, "big")), None),
                          "invalid_import", "too_large"),
    "bad_page_size": (lambda d, t: (_patch(d, PAGE_SIZE_OFFSET, (1000).to_bytes(2, "big")),
                                    None), "invalid_import", "bad_page_size"),
    "wal_header": (lambda d, t: (_patch(d, 18, b"\x02\x02"), None), "invalid_import", "wal_mode"),
    "text_in_timestamp": (lambda d, t: (edit(d, t, "UPDATE artifacts SET created_at = 'soon'"),
                                        None), "invalid_import", "wrong_types"),
    "null_primary_key": (lambda d, t: (edit(d, t, "INSERT INTO sync_state VALUES (NULL, 'x')"),
                                       None), "invalid_import", "wrong_types"),
    "dangling_citation": (lambda d, t: (edit(d, t, "INSERT INTO citations (id, "
                                               "source_artifact_id, citing_run_id, weight, "
                                               "created_at) VALUES ('c', 'nope', 'r', 1, 1)"),
                                        None), "invalid_import", "dangling_references"),
}
