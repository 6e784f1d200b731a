"""Keyword search: an FTS5 index over every artifact's name and text, filled for what exists.

``search`` is an external-content FTS5 table: it stores only the inverted index (with one
for 2-character prefixes: longer prefixes are cheap to expand without one, and each prefix
index roughly adds a third to the index and to the work of a save), and reads
names and text (for ``snippet()``/``highlight()`` and ``rebuild``) through the view
``search_source`` from the artifacts themselves, so the workspace does not hold its text twice.
``search_map`` gives each artifact a stable integer ``docid`` (the artifacts' own rowid is not
stable: VACUUM and the import's rebuild renumber it) and records whether its content is text;
binary files are indexed by name only; docids follow the order documents were last indexed
(a query matching a large share of the workspace lists the newest first). The engine keeps all three current in the same
transaction as each edit (:mod:`pylib.search.indexer`). The logic is frozen here on purpose.
"""

from __future__ import annotations

import sqlite3

DDL = (
    """CREATE TABLE search_map (
  docid INTEGER PRIMARY KEY,
  artifact_id TEXT NOT NULL UNIQUE,
  has_body INTEGER NOT NULL          -- 1 when the content is UTF-8 text without NUL
)""",
    """CREATE VIEW search_source AS
SELECT m.docid AS docid, a.name AS name,
       CASE WHEN m.has_body THEN CAST(coalesce(a.content, p.data) AS TEXT) END AS body
FROM search_map m
JOIN artifacts a ON a.id = m.artifact_id
LEFT JOIN pending_uploads p ON p.artifact_id = a.id""",
    """CREATE VIRTUAL TABLE search USING fts5(
  name, body,
  content = 'search_source', content_rowid = 'docid',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2'
)""",
    # "Newest first" for a query that matches much of the workspace: walk live artifacts by
    # date and test each for a match, reading this index only (the rows' content lies in the
    # way of the columns after it).
    """CREATE INDEX idx_artifacts_recent ON artifacts(updated_at, id, kind, path, deleted_at)
  WHERE deleted_at IS NULL""",
)


def _is_text(data: bytes | str | None) -> int:
    if data is None:
        return 0
    if isinstance(data, str):
        return 1
    if b"\x00" in data:
        return 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return 0
    return 1


def apply(conn: sqlite3.Connection) -> None:
    for statement in DDL:
        conn.execute(statement)
    conn.create_function("quire_0012_is_text", 1, _is_text, deterministic=True)
    try:
        conn.execute(
            "INSERT INTO search_map (artifact_id, has_body)"
            " SELECT a.id, quire_0012_is_text(coalesce(a.content, p.data))"
            " FROM artifacts a LEFT JOIN pending_uploads p ON p.artifact_id = a.id"
            " ORDER BY a.updated_at, a.id")
    finally:
        conn.create_function("quire_0012_is_text", 1, None)
    conn.execute("INSERT INTO search (search) VALUES ('rebuild')")
