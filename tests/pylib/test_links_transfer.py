"""The link index is derived: imports and upgrades rebuild it and never trust a file's copy."""

import sqlite3

import pytest

from pylib import artifacts, db, migrations, tags
from pylib.errors import InvalidImport
from pylib.links import index, queries
from pylib.transfer import export_workspace, import_workspace, validate_import

from oldschema import downgrade_file

_INDEX = ("SELECT 'l', source_id, kind, target, heading, mode, name_key, coalesce(path_key, ''),"
          " coalesce(target_id, '') FROM links UNION ALL"
          " SELECT 't', artifact_id, tag_key, tag, direct, '', '', '', '' FROM note_tags UNION ALL"
          " SELECT 'n', artifact_id, name_key, path_key, '', '', '', '', '' FROM link_names"
          " UNION ALL SELECT 'c', tag_key, tag, notes, direct, '', '', '', '' FROM tag_counts"
          " ORDER BY 1, 2, 3, 4, 5")


def _ws(tmp_path, name):
    return db.open_workspace(str(tmp_path / name), synchronous="OFF")


def _snapshot(conn):
    return conn.execute(_INDEX).fetchall()


def _fresh_index(conn):
    """What a rebuild from the text gives, on a copy (the connection is left as it was)."""
    copy = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(copy)
    index.rebuild(copy)
    try:
        return _snapshot(copy)
    finally:
        copy.close()


def _notes(ws):
    plan = artifacts.create(ws, "/work/Plan.md", "# Plan #project")
    src = artifacts.create(ws, "/notes/a.md", "We follow [[Plan]] and [b](../b.md). #area/sub")
    return plan, src


def _tampered(data: bytes, plan_id: str) -> bytes:
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    conn.execute("INSERT INTO links VALUES ('forged', 'wiki', 'x', '', 'name', 'x', NULL, ?, '[]')",
                 (plan_id,))
    conn.execute("UPDATE links SET target_id = 'nobody'")
    conn.execute("INSERT INTO note_tags VALUES ('forged', 'evil', 'evil', 1)")
    conn.execute("DELETE FROM link_names")
    conn.commit()
    out = conn.serialize()
    conn.close()
    return out


def test_replace_rebuilds_the_index_and_ignores_the_files_copy(tmp_path):
    source = _ws(tmp_path, "source.sqlite")
    plan, src = _notes(source)
    data = _tampered(export_workspace(source), plan.id)
    assert validate_import(data).tables.get("links") is None  # derived: not counted
    ws = _ws(tmp_path, "live.sqlite")
    import_workspace(ws, data, "replace")
    assert _snapshot(ws.conn) == _fresh_index(ws.conn) and _snapshot(ws.conn)
    [row] = queries.backlinks(ws.conn, plan.id)
    assert row["source"]["id"] == src.id
    assert "evil" not in [t["tag"] for t in tags.list_tags(ws)]


def test_merge_resolves_links_across_both_sides(tmp_path):
    ws = _ws(tmp_path, "live.sqlite")
    waiting = artifacts.create(ws, "/mine.md", "Waiting for [[Plan]] and [[Mine too]].")
    other = _ws(tmp_path, "other.sqlite")
    plan, src = _notes(other)
    artifacts.create(other, "/x/links back.md", "to [[mine]]")
    import_workspace(ws, _tampered(export_workspace(other), plan.id), "merge")
    assert {b["source"]["id"] for b in queries.backlinks(ws.conn, plan.id)} == {waiting.id, src.id}
    back = queries.backlinks(ws.conn, waiting.id)
    assert [b["source"]["path"] for b in back] == ["/x/links back.md"]
    assert _snapshot(ws.conn) == _fresh_index(ws.conn)


def test_a_file_with_an_altered_index_table_is_refused(tmp_path):
    source = _ws(tmp_path, "source.sqlite")
    _notes(source)
    conn = sqlite3.connect(":memory:")
    conn.deserialize(export_workspace(source))
    conn.execute("DROP INDEX idx_links_name")
    conn.commit()
    with pytest.raises(InvalidImport):
        validate_import(conn.serialize())


def _as_version_12(path):
    """The workspace as the release before the link index left it (keyword index included)."""
    downgrade_file(path, 12)


def test_the_upgrade_builds_the_index_of_an_existing_workspace(tmp_path):
    ws = _ws(tmp_path, "old.sqlite")
    plan, src = _notes(ws)
    ws.close()
    _as_version_12(str(tmp_path / "old.sqlite"))
    ws = _ws(tmp_path, "old.sqlite")
    assert ws.schema_version() == migrations.LATEST_VERSION
    assert [b["source"]["id"] for b in queries.backlinks(ws.conn, plan.id)] == [src.id]
    data = export_workspace(ws)
    ws.close()
    _as_version_12(str(tmp_path / "old.sqlite"))  # and an old file, imported
    live = _ws(tmp_path, "live.sqlite")
    import_workspace(live, (tmp_path / "old.sqlite").read_bytes(), "replace")
    assert _snapshot(live.conn) == _fresh_index(live.conn) and data


def test_an_emptied_index_is_rebuilt_on_open(tmp_path):
    ws = _ws(tmp_path, "w.sqlite")
    _notes(ws)
    before = _snapshot(ws.conn)
    for table in index.DERIVED_TABLES:
        ws.conn.execute(f"DELETE FROM {table}")
    ws.close()
    ws = _ws(tmp_path, "w.sqlite")
    assert _snapshot(ws.conn) == before
