"""quire migrate / quire check, through pylib.cli.main and add_subcommands/run."""

import argparse
import hashlib
import json
import sqlite3

from pylib import api, cli, migrations


def _workspace(tmp_path, name="w.sqlite"):
    path = str(tmp_path / name)
    api.open_workspace(path, synchronous="OFF")
    try:
        art = api.dispatch("artifacts.create", {"path": "/a/b.md", "content": "hello"})
        api.dispatch("artifacts.update", {"id": art["id"], "content": "hello again"})
        api.dispatch("tasks.enqueue", {"task_type": "t", "input": {}})
        api.dispatch("citations.record", {"source_artifact_id": art["id"],
                                          "citing_run_id": "r", "weight": 0.5})
    finally:
        api.close_workspace()
    return path


def _v1(tmp_path):
    path = str(tmp_path / "old.sqlite")
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:1])
    conn.execute("INSERT INTO artifacts (id, path, name, content, created_at, updated_at)"
                 " VALUES ('x', '/n/x.md', 'x.md', 'text', 1, 1)")
    conn.close()
    return path


def _digest(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def test_check_healthy_workspace(tmp_path, capsys):
    path = _workspace(tmp_path)
    before = _digest(path)
    assert cli.main(["check", path]) == 0
    out = capsys.readouterr().out
    assert "integrity:" in out and " ok" in out
    assert f"version {migrations.LATEST_VERSION} (current)" in out
    assert "artifacts:" in out and "agent tasks:" in out and "PENDING 1" in out
    assert _digest(path) == before  # read-only


def test_check_json(tmp_path, capsys):
    path = _workspace(tmp_path)
    assert cli.main(["check", "--json", path]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["integrity"] == ["ok"]
    assert report["counts"]["artifacts"] == 1 and report["counts"]["versions"] == 2
    assert report["counts"]["citations"] == 1 and report["tasks"] == {"PENDING": 1}


def test_check_old_file_suggests_migrate(tmp_path, capsys):
    path = _v1(tmp_path)
    assert cli.main(["check", path]) == 0
    assert "version 1 (older; run `quire migrate`)" in capsys.readouterr().out


def test_check_unusable_files(tmp_path, capsys):
    assert cli.main(["check", str(tmp_path / "missing.sqlite")]) == 2
    assert "no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"hello world" * 100)
    assert cli.main(["check", str(junk)]) == 2
    assert "not a SQLite database" in capsys.readouterr().err


def test_check_corrupted_file_fails(tmp_path, capsys):
    path = _workspace(tmp_path)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'artifacts'").fetchone()
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((root[0] - 1) * page_size)
        fh.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff" * 64)
    assert cli.main(["check", path]) in (1, 2)
    captured = capsys.readouterr()
    assert "error" in captured.err or "integrity:" in captured.out


def _dump(path):
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump()), conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_migrate_keeps_a_backup(tmp_path, capsys):
    path = _v1(tmp_path)
    before = _dump(path)
    assert cli.main(["migrate", path]) == 0
    out = capsys.readouterr().out
    assert f"from schema version 1 to {migrations.LATEST_VERSION}" in out
    assert path + ".v1.bak" in out
    assert _dump(path + ".v1.bak") == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
    assert conn.execute("SELECT path FROM folders").fetchall() == [("/n",)]
    conn.close()
    assert cli.main(["migrate", path]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_migrate_without_backup(tmp_path, capsys):
    path = _v1(tmp_path)
    assert cli.main(["migrate", "--no-backup", path]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.sqlite"]


def test_migrate_refuses_newer_file_untouched(tmp_path, capsys):
    path = str(tmp_path / "new.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE artifacts (id TEXT)")
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    before = _digest(path)
    assert cli.main(["migrate", path]) == 2
    assert "understands up to" in capsys.readouterr().err
    assert _digest(path) == before
    assert cli.main(["check", path]) == 2


def test_subcommands_plug_into_another_parser(tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="quire")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve")
    cli.add_subcommands(sub)
    args = parser.parse_args(["check", _workspace(tmp_path)])
    assert args.engine_command == "check"
    assert cli.run(args) == 0


def test_check_runs_the_engines_checks_and_names_what_is_damaged(tmp_path, capsys):
    """The file passes SQLite's checks, but a version no longer rebuilds and a document's
    bytes no longer match their hash: `quire check` says so, as Check workspace would."""
    path = _workspace(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE artifact_versions SET hash = ? WHERE seq = 1", ("0" * 64,))
    conn.execute("UPDATE artifacts SET content = CAST('edited elsewhere' AS BLOB),"
                 " content_codec = NULL WHERE path = '/a/b.md'")
    conn.commit()
    conn.close()
    assert cli.main(["check", path]) == 1
    out = capsys.readouterr().out
    assert "engine checks:" in out and "problem(s)" in out
    assert "the content does not match its recorded hash" in out
    assert "problem (history):" in out
    assert cli.main(["check", "--json", path]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert {p["check"] for p in report["engine_problems"]} >= {"blobs", "history"}


def test_check_of_a_sound_workspace_reports_the_engine_checks_ok(tmp_path, capsys):
    assert cli.main(["check", _workspace(tmp_path)]) == 0
    assert "engine checks:     ok" in capsys.readouterr().out
