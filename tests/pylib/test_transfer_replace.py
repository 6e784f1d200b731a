"""Import in replace mode: the workspace becomes the file, the old one comes back as a backup."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import badfiles  # noqa: E402

from pylib import artifacts, migrations, versions  # noqa: E402
from pylib.errors import QuireError  # noqa: E402
from pylib.transfer import export_workspace, import_workspace, validate_import  # noqa: E402


def _without_import_log(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    out = dict(rows)
    out["action_log"] = [r for r in rows["action_log"] if r[2] != "WORKSPACE_IMPORT"]
    return out


@pytest.mark.parametrize("journal_mode", [None, "WAL", "MEMORY"])
def test_replace_round_trip(tmp_path, journal_mode):
    source = badfiles.make_workspace(tmp_path, "source.sqlite", tag="source")
    live = badfiles.make_workspace(tmp_path, journal_mode=journal_mode)
    before = export_workspace(live)
    hooks = []
    live.on_commit.append(lambda ws: hooks.append(ws.commits))

    result = import_workspace(live, export_workspace(source), "replace")

    assert result.mode == "replace"
    assert result.summary.tables["artifacts"] == 3
    assert result.backup == before
    assert result.backup_name.startswith("workspace-backup-")
    rows = badfiles.table_contents(live.conn)
    assert _without_import_log(rows) == badfiles.table_contents(source.conn)
    logged = [r for r in rows["action_log"] if r[2] == "WORKSPACE_IMPORT"]
    assert len(logged) == 1 and '"mode":"replace"' in logged[0][3]
    assert hooks == [live.commits]
    assert live.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    if journal_mode == "WAL":
        assert live.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # The engine keeps working on the replaced workspace.
    doc = artifacts.create(live, "/after/import.md", "still works")
    assert artifacts.get(live, doc.id).text == "still works"


def test_backup_restores_the_previous_workspace(tmp_path):
    source = badfiles.make_workspace(tmp_path, "source.sqlite", tag="source")
    live = badfiles.make_workspace(tmp_path)
    original = badfiles.table_contents(live.conn)
    backup = import_workspace(live, export_workspace(source), "replace").backup
    assert validate_import(backup).tables["artifacts"] == 3

    import_workspace(live, backup, "replace")

    restored = badfiles.table_contents(live.conn)
    assert restored["artifacts"] == original["artifacts"]
    assert restored["artifact_versions"] == original["artifact_versions"]
    assert restored["citations"] == original["citations"]
    assert len(restored["action_log"]) == len(original["action_log"]) + 1


def test_export_import_export_keeps_content(tmp_path):
    source = badfiles.make_workspace(tmp_path, "source.sqlite", tag="source")
    first = export_workspace(source)
    live = badfiles.make_workspace(tmp_path)
    import_workspace(live, first, "replace")
    second = export_workspace(live)

    a, b = (sqlite3.connect(":memory:") for _ in range(2))
    a.deserialize(first)
    b.deserialize(second)
    assert _without_import_log(badfiles.table_contents(b)) == badfiles.table_contents(a)
    assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_older_schema_file_is_migrated_on_import(tmp_path):
    old = badfiles.older_schema_file(tmp_path)
    summary = validate_import(old)
    assert summary.schema_version == 1 and summary.migrated
    assert summary.tables == {"artifacts": 1, "action_log": 1, "agent_tasks": 0,
                              "citations": 1, "sync_state": 0}
    live = badfiles.make_workspace(tmp_path)

    import_workspace(live, old, "replace")

    assert live.schema_version() == migrations.LATEST_VERSION
    doc = artifacts.get(live, "old-1")
    assert doc.text == "# old" and doc.kind == "markdown" and doc.hash  # filled by migration
    assert [v["reason"] for v in versions.list_versions(live, "old-1")] == ["initial"]
    folders = {p for (p,) in live.conn.execute("SELECT path FROM folders")}
    assert folders == {"/docs"}
    assert live.conn.execute("SELECT count(*) FROM citations").fetchone()[0] == 1


def test_older_schema_merge(tmp_path):
    live = badfiles.make_workspace(tmp_path)
    result = import_workspace(live, badfiles.older_schema_file(tmp_path), "merge")
    assert result.merged.artifacts_added == 1
    assert artifacts.get(live, "old-1").path == "/docs/old.md"


def test_replace_with_a_raw_connection(tmp_path):
    source = badfiles.make_workspace(tmp_path, "source.sqlite", tag="source")
    live = badfiles.make_workspace(tmp_path)
    import_workspace(live.conn, export_workspace(source), "replace")
    paths = {p for (p,) in live.conn.execute("SELECT path FROM artifacts")}
    assert "/notes/source-ideas.md" in paths and "/notes/live-ideas.md" not in paths


def test_import_refuses_unknown_mode_and_open_transaction(tmp_path):
    live = badfiles.make_workspace(tmp_path)
    data = export_workspace(live)
    with pytest.raises(QuireError) as bad_mode:
        import_workspace(live, data, "overwrite")
    assert bad_mode.value.code == "invalid_params"
    with live.transaction():
        with pytest.raises(QuireError) as busy:
            import_workspace(live, data, "replace")
    assert busy.value.code == "invalid_state"
