"""Export: a consistent single-file snapshot that plain sqlite3 opens and checks."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import badfiles  # noqa: E402

from pylib import migrations  # noqa: E402
from pylib.errors import QuireError  # noqa: E402
from pylib.transfer import export_filename, export_workspace, validate_import  # noqa: E402
from pylib.transfer.schema import reference  # noqa: E402


def test_export_filename_uses_the_date():
    assert export_filename(dt.datetime(2024, 3, 9, 23, 59)) == "workspace-2024-03-09.sqlite"
    assert export_filename(dt.date(2025, 12, 31)) == "workspace-2025-12-31.sqlite"
    # Unix milliseconds are read as UTC.
    assert export_filename(1_700_000_000_000) == "workspace-2023-11-14.sqlite"
    assert export_filename().startswith("workspace-") and export_filename().endswith(".sqlite")


@pytest.mark.parametrize("journal_mode", [None, "WAL", "MEMORY"])
def test_export_opens_with_sqlite3_and_passes_integrity_check(tmp_path, journal_mode):
    ws = badfiles.make_workspace(tmp_path, journal_mode=journal_mode)
    data = export_workspace(ws)
    assert data[18:20] == b"\x01\x01"  # rollback journal, never WAL
    path = tmp_path / export_filename(dt.date(2024, 1, 2))
    path.write_bytes(data)

    conn = sqlite3.connect(str(path))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert set(reference(migrations.LATEST_VERSION).tables) <= tables
        assert badfiles.table_contents(conn) == badfiles.table_contents(ws.conn)
    finally:
        conn.close()
    assert not (tmp_path / (path.name + "-wal")).exists()


def test_export_is_a_snapshot_of_committed_data(tmp_path):
    ws = badfiles.make_workspace(tmp_path)
    ws.conn.execute("BEGIN")
    ws.conn.execute("INSERT INTO sync_state (key, value) VALUES ('uncommitted', 'x')")
    try:
        with pytest.raises(QuireError) as busy:
            export_workspace(ws)
        assert busy.value.code == "invalid_state"
    finally:
        ws.conn.execute("ROLLBACK")
    # Another connection's open write does not leak into the snapshot either.
    other = sqlite3.connect(ws.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO sync_state (key, value) VALUES ('other', 'x')")
    try:
        data = export_workspace(ws)
    finally:
        other.execute("ROLLBACK")
        other.close()
    copy = sqlite3.connect(":memory:")
    copy.deserialize(data)
    keys = {k for (k,) in copy.execute("SELECT key FROM sync_state")}
    assert "uncommitted" not in keys and "other" not in keys and "seen-live" in keys


def test_export_accepts_a_raw_connection_and_validates(tmp_path):
    ws = badfiles.make_workspace(tmp_path)
    data = export_workspace(ws.conn)
    assert data == export_workspace(ws)
    summary = validate_import(data)
    assert summary.schema_version == migrations.LATEST_VERSION
    assert not summary.migrated
    assert summary.size_bytes == len(data)
    assert summary.tables["artifacts"] == 3
    assert summary.tables["citations"] == 1
    assert summary.tables["agent_tasks"] == 1
    assert summary.tables["artifact_versions"] == 4
    assert set(summary.tables) == set(reference(migrations.LATEST_VERSION).tables)


def test_export_tolerates_planner_statistics(tmp_path):
    """ANALYZE in the sqlite3 shell adds sqlite_stat1; such a file still imports."""
    ws = badfiles.make_workspace(tmp_path)
    analyzed = badfiles.edit(export_workspace(ws), tmp_path, "ANALYZE")
    assert validate_import(analyzed).tables["artifacts"] == 3
