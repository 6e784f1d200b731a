"""Workspaces with sample content, and the bad files an import must refuse.

Plain functions over real SQLite files (no pytest fixtures), so the tests that use them also
run inside Pyodide. Every bad file is derived from a good export of a real workspace.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Callable

from pylib import artifacts, citations, db, folders, migrations, rows, search, tasks, trash
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
        if n not in search.DERIVED_TABLES and n not in rows.SYNC_TABLES]
    contents = {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names}
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_map'").fetchone():
        contents["search_map"] = sorted(conn.execute(
            "SELECT artifact_id, has_body FROM search_map").fetchall())
        assert search.check(conn) == [], search.check(conn)
    return contents


def edit(data: bytes, tmp_path: Path, *statements: str | tuple[str, tuple]) -> bytes:
    """Apply SQL (text, or text and parameters) to a copy of an export with plain sqlite3 and
    return the new bytes."""
    path = tmp_path / "edited.sqlite"
    path.write_bytes(data)
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        for sql in statements:
            conn.execute(*((sql,) if isinstance(sql, str) else sql))
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


def _search_view_sql() -> str:
    conn = migrations.create_fresh()
    try:
        return conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'search_source'").fetchone()[0]
    finally:
        conn.close()


def schema_file(tmp_path: Path, version: int) -> bytes:
    """A file at schema ``version`` (by our own migrations) holding one document."""
    path = tmp_path / f"v{version}.sqlite"
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrations.migrate(conn, steps=migrations.steps_to(version))
    conn.execute("INSERT INTO folders (id, path, name, created_at, updated_at)"
                 " VALUES ('f1', '/docs', 'docs', 1000, 1000)")
    conn.execute("INSERT INTO artifacts (id, path, name, mime_type, content, size_bytes, hash,"
                 " created_at, updated_at, metadata, kind) VALUES ('a1', '/docs/tapir.md',"
                 " 'tapir.md', 'text/markdown', CAST('a shy tapir' AS BLOB), 11, ?, 1000,"
                 " 2000, '{}', 'markdown')", (hashlib.sha256(b"a shy tapir").hexdigest(),))
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_map'").fetchone():
        search.rebuild(conn)  # as the engine's own write would have left it
    conn.close()
    return path.read_bytes()


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
    "altered_search_fts": (lambda d, t: (edit(
        d, t, "DROP TABLE search", "CREATE VIRTUAL TABLE search USING fts5(name, body,"
        " content = 'search_source', content_rowid = 'docid')"), None),
        "invalid_import", "altered_table"),
    "search_map_extra_column": (lambda d, t: (edit(
        d, t, "ALTER TABLE search_map ADD COLUMN note TEXT"), None),
        "invalid_import", "altered_table"),
    "extra_search_table": (lambda d, t: (edit(d, t, "CREATE TABLE search_extra (x)"), None),
                           "invalid_import", "unknown_table"),
    # A no-break space is part of an identifier to SQLite: the column becomes "body\u00a0".
    "search_view_nbsp": (lambda d, t: (edit(d, t, "DROP VIEW search_source", _search_view_sql(
        ).replace("AS body", "AS body\u00a0")), None), "invalid_import", "hostile_view"),
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
                                        None), "invalid_import", "bad_row"),
    "null_primary_key": (lambda d, t: (edit(d, t, "INSERT INTO sync_state VALUES (NULL, 'x')"),
                                       None), "invalid_import", "bad_row"),
    "dangling_citation": (lambda d, t: (edit(d, t, "INSERT INTO citations (id, "
                                               "source_artifact_id, citing_run_id, weight, "
                                               "created_at) VALUES ('c', 'nope', 'r', 1, 1)"),
                                        None), "invalid_import", "dangling_references"),
}


# --- Families of bad rows: every one must be refused with reason "bad_row" (or "bad_tree"). ---

def _set(table: str, column: str, value: object, where: str = "") -> Builder:
    """A builder that stores ``value`` (bound as a parameter) in ``column`` of some rows."""
    sql = f"UPDATE {table} SET {column} = ? {where}"
    return lambda d, t: (edit(d, t, "PRAGMA ignore_check_constraints = ON", (sql, (value,))),
                         None)


HOSTILE_PATHS = {
    "traversal": "/../../etc/passwd", "dot": "/a/./b", "nul": "/a\x00b", "relative": "rel/no-slash",
    "empty": "", "root": "/", "control": "/a\x01b", "newline": "/a\nb", "del": "/a\x7fb",
    "bidi_override": "/invoice\u202egnp.exe", "bidi_isolate": "/a\u2066b", "nfd": "/cafe\u0301",
    "too_deep": "/" + "/".join(["d"] * 100), "empty_segment": "/a//b", "trailing_slash": "/a/",
    "backslash": "/a\\b", "leading_space": "/ a", "trailing_space": "/a ",
    "long_name": "/" + "n" * 300, "long_path": "/" + "/".join(["p" * 200] * 6),
}
# (table, row filter) whose path the family replaces: a live document, a live folder, a trash unit.
PATH_COLUMNS = {
    "artifacts": "WHERE path = '/code/live.py'", "folders": "WHERE path = '/empty-live'",
    "trash": "",
}
HOSTILE_JSON = {
    "deep_200k": "[" * 200_000 + "]" * 200_000, "deep_33": "[" * 33 + "]" * 33,
    "unclosed_200k": "{\"a\":" * 200_000, "nan": '{"a": NaN}', "infinity": "[Infinity]",
    "overflow": "[1e400]", "huge_int": "[" + "9" * 5000 + "]", "not_json": "not json",
    "lone_surrogate": '["\\ud800"]', "truncated": '{"a": [1, 2', "empty": "",
    "big": '{"a": "' + "x" * (1024 * 1024) + '"}',
}
JSON_COLUMNS = {("artifacts", "metadata"), ("action_log", "payload"), ("agent_tasks", "input"),
                ("agent_tasks", "output")}
OUT_OF_RANGE = {
    "weight_1e308": ("citations", "weight", 1e308), "weight_negative": ("citations", "weight", -0.5),
    "weight_inf": ("citations", "weight", float("inf")), "weight_text": ("citations", "weight", "heavy"),
    "timestamp_negative": ("artifacts", "created_at", -1),
    "timestamp_past_2_53": ("action_log", "timestamp", 2**62),
    "timestamp_real": ("folders", "updated_at", 1.5), "seq_zero": ("artifact_versions", "seq", 0, "WHERE seq = 2"),
    "size_negative": ("artifact_versions", "size_bytes", -5), "synced_7": ("action_log", "synced", 7),
    "kind_unknown": ("artifacts", "kind", "evil"), "status_unknown": ("agent_tasks", "status", "DONE"),
    "trash_kind_unknown": ("trash", "kind", "bucket"),
    "reason_unknown": ("artifact_versions", "reason", "because"),
    "hash_not_sha256": ("artifacts", "hash", "x" * 64),
    "mime_too_long": ("artifacts", "mime_type", "text/" + "x" * 300),
    "mime_control": ("artifacts", "mime_type", "text/plain\r\nX-Evil: 1"),
    "task_type_too_long": ("agent_tasks", "task_type", "t" * 101),
    "task_type_empty": ("agent_tasks", "task_type", ""),
    "id_empty": ("citations", "id", ""), "id_too_long": ("sync_state", "key", "k" * 201),
    "name_not_last_segment": ("artifacts", "name", "other.md"),
    # Binary content over the 1 MB file limit (documents, text of a text kind, may be larger).
    "content_binary_over_inline_limit": ("artifacts", "content", b"\x00" * (1024 * 1024 + 1)),
    "content_integer": ("artifacts", "content", 5),
}
INVALID_UTF8 = {  # column -> SQL that stores bytes that are not UTF-8 as TEXT
    "name": ("artifacts", "name", "CAST(X'ff' AS TEXT)"),
    "path": ("folders", "path", "CAST(X'2fc328' AS TEXT) WHERE path = '/empty-live'"),
    "content": ("artifacts", "content", "CAST(X'23c328' AS TEXT)"),
    "payload": ("action_log", "payload", "CAST(X'7b22223a22eda080227d' AS TEXT)"),
    "sync_value": ("sync_state", "value", "CAST(X'80' AS TEXT)"),
}


def _raw_set(table: str, column: str, expression: str) -> Builder:
    return lambda d, t: (edit(d, t, f"UPDATE {table} SET {column} = {expression}"), None)


for _name, _path in HOSTILE_PATHS.items():
    for _table, _where in PATH_COLUMNS.items():
        BAD_FILES[f"path_{_table}_{_name}"] = (_set(_table, "path", _path, _where),
                                               "invalid_import", "bad_row")
for _name, _text in HOSTILE_JSON.items():
    for _table, _column in sorted(JSON_COLUMNS):
        BAD_FILES[f"json_{_table}_{_column}_{_name}"] = (_set(_table, _column, _text),
                                                        "invalid_import", "bad_row")
for _name, (_table, _column, _value, *_where) in OUT_OF_RANGE.items():
    BAD_FILES[f"value_{_name}"] = (_set(_table, _column, _value, *_where), "invalid_import",
                                   # The file's own CHECK constraint refuses this one first.
                                   None if _name == "trash_kind_unknown" else "bad_row")
for _name, (_table, _column, _expression) in INVALID_UTF8.items():
    BAD_FILES[f"utf8_{_name}"] = (_raw_set(_table, _column, _expression),
                                  "invalid_import", "bad_row")

BAD_FILES.update({
    "metadata_not_object": (_set("artifacts", "metadata", "[1, 2]"), "invalid_import", "bad_row"),
    "value_content_text_of_a_file_kind_over_inline_limit": (lambda d, t: (edit(
        d, t, ("UPDATE artifacts SET kind = 'image', content = ? WHERE path = '/code/live.py'",
               ("x" * (1024 * 1024 + 1),))), None), "invalid_import", "bad_row"),
    "tree_document_at_folder_path": (
        lambda d, t: (edit(d, t, "UPDATE artifacts SET path = '/notes', name = 'notes'"
                                 " WHERE path = '/code/live.py'"), None),
        "invalid_import", "bad_tree"),
    "tree_inside_a_document": (
        lambda d, t: (edit(d, t, "UPDATE artifacts SET path = '/code/live.py/inner.md', name ="
                                 " 'inner.md' WHERE path = '/notes/live-ideas.md'"), None),
        "invalid_import", "bad_tree"),
})


# --- Foreign schema objects and schemas that only look like ours. ---

def _schema_edit(*statements: str) -> Builder:
    """Rewrite ``sqlite_master`` text directly, as a hostile tool could."""
    return lambda d, t: (edit(d, t, "PRAGMA writable_schema = ON", *statements), None)


_INFINITE_VIEW = ("CREATE VIEW artifacts AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL "
                  "SELECT x + 1 FROM r) SELECT x AS id FROM r")
BAD_FILES.update({
    "view_named_artifacts_over_infinite_cte": (
        lambda d, t: (edit(d, t, "DROP TABLE artifacts", _INFINITE_VIEW), None),
        "invalid_import", "hostile_view"),
    "view_that_raises": (lambda d, t: (edit(d, t, "CREATE VIEW boom AS SELECT "
                                                  "abs(-9223372036854775807 - 1)"), None),
                         "invalid_import", "hostile_view"),
    "trigger_on_update": (lambda d, t: (edit(d, t, "CREATE TRIGGER t AFTER UPDATE ON sync_state "
                                                   "BEGIN DELETE FROM artifacts; END"), None),
                          "invalid_import", "hostile_trigger"),
    "fts_shadow_tables": (lambda d, t: (edit(d, t, "CREATE VIRTUAL TABLE notes USING "
                                                   "fts5(body)"), None),
                          "invalid_import", "unknown_table"),
    "nbsp_in_not_null": (_schema_edit(
        "UPDATE sqlite_master SET sql = replace(sql, 'path TEXT NOT NULL', "
        "'path TEXT NOT' || char(160) || 'NULL') WHERE name = 'folders'"),
        "invalid_import", "wrong_columns"),
    "nbsp_in_primary_key": (_schema_edit(
        "UPDATE sqlite_master SET sql = replace(sql, 'value TEXT', 'value' || char(160) || "
        "'TEXT') WHERE name = 'sync_state'"), "invalid_import", "wrong_columns"),
    "index_made_unpartial": (_schema_edit(
        "UPDATE sqlite_master SET sql = replace(sql, ' WHERE deleted_at IS NULL', '') "
        "WHERE name = 'idx_folders_live_path'"), "invalid_import", "altered_index"),
    "check_constraint_dropped": (_schema_edit(
        "UPDATE sqlite_master SET sql = replace(sql, "
        "'CHECK (kind IN (''artifact'', ''folder''))', '') WHERE name = 'trash'"),
        "invalid_import", "wrong_columns"),
    "stat1_as_virtual_table": (_schema_edit(
        "INSERT INTO sqlite_master VALUES ('table', 'sqlite_stat1', 'sqlite_stat1', 0, "
        "'CREATE VIRTUAL TABLE sqlite_stat1 USING fts5(tbl, idx, stat)')"),
        "invalid_import", "altered_table"),
    "stat1_with_extra_column": (lambda d, t: (edit(
        d, t, "ANALYZE", "PRAGMA writable_schema = ON",
        "UPDATE sqlite_master SET sql = 'CREATE TABLE sqlite_stat1(tbl,idx,stat,evil)' "
        "WHERE name = 'sqlite_stat1'"), None), "invalid_import", None),
    "user_version_negative": (lambda d, t: (edit(d, t, "PRAGMA user_version = -1"), None),
                              "invalid_import", "not_a_workspace"),
    "table_without_rowid": (lambda d, t: (edit(
        d, t, "DROP TABLE sync_state",
        "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID"), None),
        "invalid_import", None),
    "strict_table": (lambda d, t: (edit(
        d, t, "DROP TABLE sync_state",
        "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT) STRICT"), None),
        "invalid_import", None),
})


def v1_with_trigger(tmp_path: Path) -> bytes:
    """A version-1 file whose trigger would rewrite rows if anything ever inserted into it."""
    data = older_schema_file(tmp_path)
    return edit(data, tmp_path, "CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, "
                "value TEXT)", "CREATE TRIGGER hijack AFTER INSERT ON artifacts BEGIN "
                "UPDATE artifacts SET metadata = '{\"owned\":1}'; "
                "INSERT OR REPLACE INTO sync_state VALUES ('owned', 'yes'); END")
