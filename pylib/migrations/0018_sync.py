"""Sync: change capture for the synced tables, in the same transaction as each change.

``sync_changes`` is the device's outbox. Triggers on every synced table append one row per
changed row: the table, the row's id (a UUID, never a rowid), the columns that changed
(``["*"]`` for an insert, ``["-"]`` for a delete), for an artifact the content hash it was
changed from (the base a text merge starts from), this device's id, its next sequence number
and a hybrid logical clock (``wall ms`` + counter, as zero-padded text so it sorts).

The clock lives in ``sync_clock`` (one row): the triggers advance it in SQL, so every write
path — the engine's, the import's, a later migration's — is captured with no hook in Python.
``applying`` is set while remote changes are applied, so they are not captured again.
``sync_rows`` keeps, per synced row and field, the clock of the write that set it: pull
compares incoming writes against it (last writer wins per field). ``sync_meta`` holds the
device's sync progress (never copied with the file: an imported copy starts afresh).

Derived tables (search, links, vectors) are not synced: they are rebuilt from synced data.
The logic is frozen here on purpose.
"""

from __future__ import annotations

import sqlite3

# table -> (columns compared on UPDATE, whether UPDATE is captured at all). Versions and the
# action log are written once: their UPDATEs (delta re-encoding, the `synced` flag) are how
# this device stores them, not changes.
_TABLES = {
    "artifacts": (("path", "name", "mime_type", "kind", "hash", "size_bytes", "s3_key",
                   "created_at", "updated_at", "metadata", "deleted_at", "trash_id"), True),
    "folders": (("path", "name", "created_at", "updated_at", "deleted_at", "trash_id"), True),
    "trash": (("kind", "path", "name", "deleted_at"), True),
    "agent_tasks": (("status", "task_type", "input", "output", "created_at", "started_at",
                     "completed_at", "error"), True),
    "citations": (("source_artifact_id", "citing_run_id", "weight", "reason", "created_at"),
                  True),
    "artifact_versions": ((), False),
    "action_log": ((), False),
}

DDL = (
    """CREATE TABLE sync_clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  device TEXT NOT NULL,
  wall INTEGER NOT NULL,
  counter INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  applying INTEGER NOT NULL DEFAULT 0
)""",
    """INSERT INTO sync_clock (id, device, wall, counter, seq)
  VALUES (1, lower(hex(randomblob(16))), 0, 0, 0)""",
    """CREATE TABLE sync_changes (
  seq INTEGER PRIMARY KEY,               -- this device's sequence number
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  fields TEXT NOT NULL,                  -- JSON array of columns; ["*"] insert, ["-"] delete
  base TEXT,                             -- artifacts: the content hash it was changed from
  hlc TEXT NOT NULL,                     -- hybrid logical clock: 13-digit ms '-' 5-digit counter
  device TEXT NOT NULL
)""",
    "CREATE INDEX idx_sync_changes_row ON sync_changes(tbl, row_id)",
    """CREATE TABLE sync_meta (
  key TEXT PRIMARY KEY,                  -- cursors, what was pushed, the manifest last seen
  value TEXT NOT NULL
)""",
    """CREATE TABLE sync_rows (
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  clocks TEXT NOT NULL,                  -- JSON {field: "hlc device"} of the winning writes
  PRIMARY KEY (tbl, row_id)
) WITHOUT ROWID""",
)

# Wall clock in ms inside SQL ('now' is fixed for one statement).
_NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
_TICK = (f"UPDATE sync_clock SET counter = CASE WHEN {_NOW} > wall THEN 0 ELSE counter + 1 END,"
         f" wall = max(wall, {_NOW}), seq = seq + 1;")
_RECORD = ("INSERT INTO sync_changes (seq, tbl, row_id, fields, base, hlc, device)"
           " SELECT seq, '{table}', {row}, {fields}, {base},"
           " printf('%013d-%05d', wall, counter), device FROM sync_clock{where};")
_WHEN = "WHEN (SELECT applying FROM sync_clock) = 0"


def _changed_fields(columns: tuple[str, ...]) -> str:
    # Only innocuous functions may run in a trigger under trusted_schema=OFF (the engine's
    # setting): no json_group_array, so the JSON array is built as text.
    parts = " || ".join(
        f"CASE WHEN OLD.{c} IS NOT NEW.{c} THEN '\"{c}\",' ELSE '' END" for c in columns)
    return f"'[' || rtrim({parts}, ',') || ']'"


def _triggers(table: str, columns: tuple[str, ...], updates: bool) -> list[str]:
    key = "id"
    base_old = "OLD.hash" if table == "artifacts" else "NULL"
    out = [
        f"CREATE TRIGGER sync_{table}_insert AFTER INSERT ON {table} {_WHEN} BEGIN {_TICK} "
        + _RECORD.format(table=table, row=f"NEW.{key}", fields="'[\"*\"]'", base="NULL",
                         where="") + " END",
        f"CREATE TRIGGER sync_{table}_delete AFTER DELETE ON {table} {_WHEN} BEGIN {_TICK} "
        + _RECORD.format(table=table, row=f"OLD.{key}", fields="'[\"-\"]'", base=base_old,
                         where="") + " END",
    ]
    if updates:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        out.append(
            f"CREATE TRIGGER sync_{table}_update AFTER UPDATE ON {table}"
            f" WHEN (SELECT applying FROM sync_clock) = 0 AND ({changed}) BEGIN {_TICK} "
            + _RECORD.format(table=table, row=f"NEW.{key}", fields=_changed_fields(columns),
                             base=base_old, where="") + " END")
    return out


def _capture_existing(conn: sqlite3.Connection) -> None:
    """Rows written before this step are changes not yet pushed, like any new row."""
    for table in _TABLES:
        conn.execute(f"UPDATE sync_clock SET counter = 0, wall = {_NOW}")
        conn.execute(
            "INSERT INTO sync_changes (seq, tbl, row_id, fields, base, hlc, device)"
            f" SELECT (SELECT seq FROM sync_clock) + row_number() OVER (ORDER BY t.id), ?, t.id,"
            " '[\"*\"]', NULL, printf('%013d-%05d', c.wall, c.counter), c.device"
            f" FROM {table} t, sync_clock c", (table,))
        conn.execute("UPDATE sync_clock SET seq = coalesce((SELECT max(seq) FROM sync_changes), 0)")


def apply(conn: sqlite3.Connection) -> None:
    for statement in DDL:
        conn.execute(statement)
    _capture_existing(conn)
    for table, (columns, updates) in _TABLES.items():
        for statement in _triggers(table, columns, updates):
            conn.execute(statement)
