"""The keyword index across export, import (replace and merge) and migrations.

An export carries the index (the file is searchable in the sqlite3 shell); an import never
trusts a file's index: it is rebuilt from the imported rows. Runs in Pyodide too.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import badfiles  # noqa: E402

from pylib import artifacts, cli, db, migrations, search  # noqa: E402
from pylib.errors import InvalidImport  # noqa: E402
from pylib.transfer import export_workspace, import_workspace, validate_import  # noqa: E402


def _names(ws, query):
    assert search.check(ws) == []
    return sorted(h["name"] for h in search.search(ws, query)["hits"])


def _ws(tmp_path, name="w.sqlite"):
    return db.open_workspace(str(tmp_path / name), synchronous="OFF")


def test_an_export_carries_a_working_index(tmp_path):
    ws = _ws(tmp_path)
    artifacts.create(ws, "/guide.md", "how to install the printer")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(export_workspace(ws))
    rows = conn.execute("SELECT name FROM search WHERE search MATCH 'printer'").fetchall()
    assert rows == [("guide.md",)]
    assert search.check(conn) == []


def test_replace_rebuilds_the_index_of_the_file(tmp_path):
    source = _ws(tmp_path, "source.sqlite")
    artifacts.create(source, "/from-file.md", "zebra")
    live = _ws(tmp_path)
    artifacts.create(live, "/local.md", "giraffe")

    import_workspace(live, export_workspace(source), "replace")

    assert _names(live, "zebra") == ["from-file.md"] and _names(live, "giraffe") == []
    artifacts.create(live, "/after.md", "zebra again")  # and it keeps following edits
    assert _names(live, "zebra") == ["after.md", "from-file.md"]


def test_a_files_own_index_is_never_trusted(tmp_path):
    source = _ws(tmp_path, "source.sqlite")
    doc = artifacts.create(source, "/real.md", "truth")
    # A file whose index was tampered with: it claims words the text does not hold, maps a
    # missing artifact and has a corrupt segment.
    bad = badfiles.edit(
        export_workspace(source), tmp_path,
        "INSERT INTO search (rowid, name, body) VALUES (99, 'planted.md', 'lies')",
        f"UPDATE search_map SET has_body = 0 WHERE artifact_id = '{doc.id}'",
        "INSERT INTO search_map (docid, artifact_id, has_body) VALUES (99, 'ghost', 1)",
        "UPDATE search_data SET block = randomblob(64) WHERE id > 10")
    live = _ws(tmp_path)

    import_workspace(live, bad, "replace")

    assert _names(live, "lies") == [] and _names(live, "truth") == ["real.md"]
    assert live.conn.execute("SELECT artifact_id FROM search_map").fetchall() == [(doc.id,)]


def test_an_altered_search_view_is_refused(tmp_path):
    data = export_workspace(_ws(tmp_path, "source.sqlite"))
    bad = badfiles.edit(data, tmp_path, "DROP VIEW search_source",
                        "CREATE VIEW search_source AS SELECT 1 AS docid, 'x' AS name, 'y' AS body")
    with pytest.raises(InvalidImport) as err:
        import_workspace(_ws(tmp_path), bad, "replace")
    assert err.value.details["reason"] == "hostile_view"


def test_merge_updates_the_index(tmp_path):
    ours = _ws(tmp_path, "ours.sqlite")
    shared = artifacts.create(ours, "/shared.md", "version one")
    theirs_path = tmp_path / "theirs.sqlite"
    theirs_path.write_bytes(export_workspace(ours))
    theirs = db.open_workspace(str(theirs_path), synchronous="OFF")
    artifacts.update(theirs, shared.id, "version two with walrus")
    artifacts.create(theirs, "/new.md", "a walrus arrives")
    artifacts.rename(theirs, shared.id, "renamed.md")

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert result.merged.artifacts_added == 1 and result.merged.artifacts_updated == 1
    assert _names(ours, "walrus") == ["new.md", "renamed.md"]
    assert _names(ours, "one") == [] and _names(ours, "shared") == []


def test_merge_conflict_keeps_the_index_current(tmp_path):
    ours = _ws(tmp_path, "ours.sqlite")
    doc = artifacts.create(ours, "/c.md", "base")
    theirs_path = tmp_path / "theirs.sqlite"
    theirs_path.write_bytes(export_workspace(ours))
    theirs = db.open_workspace(str(theirs_path), synchronous="OFF")
    artifacts.update(theirs, doc.id, "their otter")
    artifacts.update(ours, doc.id, "our beaver")

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert len(result.conflicts) == 1
    kept = artifacts.get(ours, doc.id).text
    assert _names(ours, "otter" if "otter" in kept else "beaver") == ["c.md"]
    assert _names(ours, "beaver" if "otter" in kept else "otter") == []


def test_migration_indexes_an_older_workspace(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:9])
    rows = [("t1", "/notes/tapir.md", "tapir.md", b"a shy tapir", None),
            ("b1", "/img/photo.png", "photo.png", b"\x89PNG\x00tapir", None),
            ("g1", "/gone.md", "gone.md", b"tapir in the trash", 5)]
    conn.execute("INSERT INTO folders (id, path, name, created_at, updated_at)"
                 " VALUES ('f1', '/notes', 'notes', 1, 1), ('f2', '/img', 'img', 1, 1)")
    for art_id, p, name, content, deleted in rows:
        conn.execute("INSERT INTO artifacts (id, path, name, content, size_bytes, created_at,"
                     " updated_at, metadata, deleted_at) VALUES (?, ?, ?, ?, ?, 1, 1, '{}', ?)",
                     (art_id, p, name, content, len(content), deleted))
    conn.close()

    ws = db.open_workspace(str(path), synchronous="OFF")

    assert ws.schema_version() == migrations.LATEST_VERSION
    assert _names(ws, "tapir") == ["tapir.md"] and _names(ws, "photo") == ["photo.png"]
    assert dict(ws.conn.execute("SELECT artifact_id, has_body FROM search_map")) == {
        "t1": 1, "b1": 0, "g1": 1}


def test_an_older_file_is_indexed_when_imported(tmp_path):
    live = _ws(tmp_path)
    import_workspace(live, badfiles.older_schema_file(tmp_path), "replace")
    assert _names(live, "old") == ["old.md"]


def test_rebuild_repairs_an_index_made_stale_behind_the_engines_back(tmp_path):
    ws = _ws(tmp_path)
    doc = artifacts.create(ws, "/r.md", "before")
    with ws.transaction():  # a write that bypasses the engine's write paths
        ws.conn.execute("UPDATE artifacts SET content = CAST('after' AS BLOB) WHERE id = ?",
                        (doc.id,))
    assert search.check(ws) != []
    with ws.transaction():
        assert search.rebuild(ws) == 1
    assert _names(ws, "after") == ["r.md"] and _names(ws, "before") == []


def test_a_text_document_that_0011_moves_inline_is_indexed_by_0012(tmp_path):
    """0011 moves text documents parked in pending_uploads back inline, then 0012 indexes
    them: the index reads the text where 0011 left it."""
    path = tmp_path / "v9.sqlite"
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:9])
    text = ("lorem " * 200_000 + "pangolin").encode()
    conn.execute("INSERT INTO artifacts (id, path, name, mime_type, kind, size_bytes, hash,"
                 " created_at, updated_at, metadata) VALUES ('big', '/big.md', 'big.md',"
                 " 'text/markdown', 'markdown', ?, 'h', 1, 1, '{\"pending_upload\": true}')",
                 (len(text),))
    conn.execute("INSERT INTO pending_uploads VALUES ('big', ?, ?, 'h', 1)", (text, len(text)))
    conn.close()

    ws = db.open_workspace(str(path), synchronous="OFF")

    assert ws.schema_version() == migrations.LATEST_VERSION
    assert _names(ws, "pangolin") == ["big.md"]


def _has_index(data: bytes, tmp_path) -> bool:
    path = tmp_path / "probe.sqlite"
    path.write_bytes(data)
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'search%'"
                            ).fetchone()[0] > 0
    finally:
        conn.close()


@pytest.mark.parametrize("version", [11, migrations.LATEST_VERSION])
def test_check_migrate_and_import_agree_on_files_with_and_without_the_index(tmp_path, version):
    """A file of schema 11 has no search tables, one of the latest schema has them: check,
    validate, import and migrate all accept both, and each result finds the document."""
    data = badfiles.schema_file(tmp_path, version)
    assert _has_index(data, tmp_path) == (version == migrations.LATEST_VERSION)
    summary = validate_import(data)
    assert (summary.schema_version, summary.tables["artifacts"]) == (version, 1)
    path = tmp_path / "file.sqlite"
    path.write_bytes(data)
    assert cli.main(["check", str(path)]) == 0
    live = _ws(tmp_path)
    import_workspace(live, data, "replace")
    assert _names(live, "tapir") == ["tapir.md"]

    assert cli.main(["migrate", "--no-backup", str(path)]) == 0
    assert validate_import(path.read_bytes()).schema_version == migrations.LATEST_VERSION
    migrated = _ws(tmp_path, "file.sqlite")
    assert _names(migrated, "shy") == ["tapir.md"]


def test_search_tables_in_a_file_of_schema_11_are_refused_everywhere(tmp_path, capsys):
    """Schema 11 has no index: a search_map in such a file is a table Quire never made."""
    data = badfiles.edit(badfiles.schema_file(tmp_path, 11), tmp_path,
                         "CREATE TABLE search_map (docid INTEGER PRIMARY KEY,"
                         " artifact_id TEXT NOT NULL UNIQUE, has_body INTEGER NOT NULL)")
    with pytest.raises(InvalidImport) as refused:
        validate_import(data)
    assert refused.value.details["reason"] == "unknown_table"
    path = tmp_path / "file.sqlite"
    path.write_bytes(data)
    assert cli.main(["check", str(path)]) == 1 and cli.main(["migrate", str(path)]) == 1
    assert refused.value.message in capsys.readouterr().err
    assert path.read_bytes() == data
