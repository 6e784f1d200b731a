"""Every entry point that takes a file agrees with the import: validate, replace, merge,
`quire check` and `quire migrate` refuse the same files, and a refusal changes nothing."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper module next to this file

import badfiles  # noqa: E402

from pylib import activity, api, artifacts, cli, migrations, tasks  # noqa: E402
from pylib.errors import QuireError  # noqa: E402
from pylib.transfer import export_workspace, import_workspace, validate_import  # noqa: E402

# Files the CLI sees with its default size limit: all but those built for a smaller limit.
CLI_KINDS = sorted(k for k, (build, _, _) in badfiles.BAD_FILES.items() if k != "over_max_bytes")


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    ws = badfiles.make_workspace(tmp_path_factory.mktemp("good"))
    data = export_workspace(ws)
    ws.close()
    return data


@pytest.mark.parametrize("kind", CLI_KINDS)
def test_check_and_migrate_refuse_what_import_refuses(tmp_path, good, kind, capsys):
    build, code, reason = badfiles.BAD_FILES[kind]
    bad, _ = build(good, tmp_path)
    with pytest.raises(QuireError) as refused:
        validate_import(bad)
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "bad.sqlite"
    path.write_bytes(bad)

    assert cli.main(["check", str(path)]) != 0
    assert cli.main(["migrate", str(path)]) != 0
    err = capsys.readouterr().err
    assert refused.value.message in err and "The file was not changed." in err
    # Nothing next to the file: no -wal, -shm, journal or backup; the bytes are as they were.
    assert [p.name for p in folder.iterdir()] == ["bad.sqlite"]
    assert path.read_bytes() == bad


def test_check_json_names_the_first_problem(tmp_path, good, capsys):
    bad, _ = badfiles.BAD_FILES["value_weight_1e308"][0](good, tmp_path)
    path = tmp_path / "w.sqlite"
    path.write_bytes(bad)
    assert cli.main(["check", "--json", str(path)]) == 1
    report = __import__("json").loads(capsys.readouterr().out)
    details = report["error"]["details"]
    assert report["ok"] is False and details["reason"] == "bad_row"
    assert (details["table"], details["column"]) == ("citations", "weight")
    assert "1e+308" in details["rule"]


def test_check_does_not_run_a_view_over_an_infinite_query(tmp_path, good):
    """A view named `artifacts` over an endless recursive CTE: refused at once, never run."""
    bad, _ = badfiles.BAD_FILES["view_named_artifacts_over_infinite_cte"][0](good, tmp_path)
    path = tmp_path / "w.sqlite"
    path.write_bytes(bad)
    assert cli.main(["check", str(path)]) == 1  # returning at all proves it did not run


def test_check_of_a_wal_file_creates_nothing_next_to_it(tmp_path):
    folder = tmp_path / "wal"
    folder.mkdir()
    path = folder / "w.sqlite"
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode = WAL")
    migrations.migrate(conn)
    conn.close()  # the last connection checkpoints and removes -wal/-shm; the header stays WAL
    assert [p.name for p in folder.iterdir()] == ["w.sqlite"]
    before = path.read_bytes()
    assert before[18:20] == b"\x02\x02"
    assert cli.main(["check", str(path)]) == 1
    assert cli.main(["migrate", str(path)]) == 1
    assert [p.name for p in folder.iterdir()] == ["w.sqlite"] and path.read_bytes() == before


def test_migrate_refuses_a_version_one_file_with_a_trigger_which_never_fires(tmp_path, capsys):
    data = badfiles.v1_with_trigger(tmp_path)
    path = tmp_path / "old.sqlite"
    path.write_bytes(data)
    assert cli.main(["migrate", str(path)]) == 1
    assert "trigger" in capsys.readouterr().err
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("old")] == ["old.sqlite"]
    conn = sqlite3.connect(str(path))
    assert conn.execute("SELECT count(*) FROM sync_state").fetchone()[0] == 0
    assert conn.execute("SELECT metadata FROM artifacts").fetchall() == [("{}",)]
    conn.close()


def test_migrate_result_is_what_the_import_builds(tmp_path):
    data = badfiles.older_schema_file(tmp_path)
    path = tmp_path / "old.sqlite"
    path.write_bytes(data)
    assert cli.main(["migrate", "--no-backup", str(path)]) == 0
    migrated = path.read_bytes()
    summary, old = validate_import(migrated), validate_import(data)
    assert summary.schema_version == migrations.LATEST_VERSION and not summary.migrated
    assert {t: summary.tables[t] for t in old.tables} == old.tables
    assert summary.tables["folders"] == 1 and summary.tables["artifact_versions"] == 1
    assert cli.main(["check", str(path)]) == 0


def test_missing_parent_folders_are_created_by_every_entry_point(tmp_path, good):
    """Decision: a document whose parent folders have no rows gets them (as migration 0004
    and merge do); nothing is lost and the tree is whole afterwards."""
    orphan = badfiles.edit(good, tmp_path, "UPDATE artifacts SET path = '/deep/er/live.py'"
                                           " WHERE path = '/code/live.py'")
    validate_import(orphan)
    ws = badfiles.make_workspace(tmp_path, "target.sqlite", tag="other")
    import_workspace(ws, orphan, "replace")
    tree = artifacts.list_tree(ws)
    assert {"/deep", "/deep/er"} <= set(tree["folders"])
    assert "/deep/er/live.py" in {a["path"] for a in tree["artifacts"]}


def test_merge_refuses_a_file_whose_folder_is_a_document_here(tmp_path):
    """The workspace has a document where the file has a folder with content: refused, no
    IndexError, nothing changed."""
    ws = badfiles.make_workspace(tmp_path)
    other = badfiles.make_workspace(tmp_path, "other.sqlite", tag="other")
    artifacts.create(other, "/clash/inside.md", "x")
    artifacts.create(ws, "/clash", "I am a document")
    data, before = export_workspace(other), export_workspace(ws)
    with pytest.raises(QuireError) as refused:
        import_workspace(ws, data, "merge")
    assert refused.value.code == "invalid_import"
    assert refused.value.details["reason"] == "merge_conflict"
    assert export_workspace(ws) == before


def test_merge_renames_within_the_path_limit_or_refuses(tmp_path):
    """A long path that is taken: " (imported)" must not push it past the path limit."""
    ws = badfiles.make_workspace(tmp_path)
    other = badfiles.make_workspace(tmp_path, "other.sqlite", tag="other")
    long_path = "/" + "/".join(["f" * 200] * 4) + "/" + "n" * 216 + ".md"
    assert len(long_path) == 1024
    artifacts.create(other, long_path, "theirs")
    artifacts.create(ws, long_path, "ours")
    before = export_workspace(ws)
    with pytest.raises(QuireError) as refused:
        import_workspace(ws, export_workspace(other), "merge")
    assert refused.value.details["reason"] == "merge_conflict"
    assert export_workspace(ws) == before


def test_reads_survive_json_that_should_never_have_been_stored(tmp_path):
    """Rows written behind the engine's back (not by an import): reads show them as missing
    instead of failing with RecursionError."""
    api.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    try:
        ws = api.current()
        doc = artifacts.create(ws, "/a.md", "x")
        task = tasks.enqueue(ws, "t", {})
        deep = "[" * 200_000 + "]" * 200_000
        with ws.transaction() as conn:
            conn.execute("UPDATE artifacts SET metadata = ?", (deep,))
            conn.execute("UPDATE agent_tasks SET input = ?, output = ?", (deep, "{bad"))
            conn.execute("UPDATE action_log SET payload = ?", (deep,))
        assert api.dispatch("artifacts.get", {"id": doc.id})["metadata"] == {}
        got = api.dispatch("tasks.get", {"id": task.id})
        assert got["input"] is None and got["output"] is None
        assert api.dispatch("tasks.list", {})[0]["id"] == task.id
        assert all(a["payload"] == {} for a in api.dispatch("activity.list", {})["items"])
        assert activity.list_actions(ws).items
    finally:
        api.close_workspace()


def test_rows_an_upgrade_creates_are_held_to_the_rules_too(tmp_path):
    """Migration 0004 renames a duplicate "n...n.md" to "n...n (2).md": past the name limit
    here, so the upgraded file is refused rather than imported with a bad path."""
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:1])
    name = "n" * 252 + ".md"
    for i in range(2):
        conn.execute("INSERT INTO artifacts (id, path, name, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, ?)", (f"i{i}", "/" + name, name, i, i))
    conn.close()
    with pytest.raises(QuireError) as refused:
        validate_import(path.read_bytes())
    assert refused.value.details["reason"] == "bad_row"
    assert refused.value.details["row"] == "'i1'"
    assert cli.main(["check", str(path)]) == 1
