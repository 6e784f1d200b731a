"""Migrations: all or nothing, a copy kept and restored, newer files refused untouched."""

import hashlib
import os
import sqlite3

import pytest

from pylib import db, migrations
from pylib.errors import MigrationFailed, NotAWorkspace, SchemaTooNew


def _seed_v1(path):
    """A version-1 file as the seed app wrote it: no hashes, a duplicate path."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:1])
    rows = [
        ("a1", "/docs/notes.md", "notes.md", "text/markdown", b"# Notes", 1000),
        ("a2", "/docs/notes.md", "notes.md", "text/markdown", b"# Other", 2000),
        ("a3", "/pics/deep/cat.png", "cat.png", "image/png", b"\x89PNG\x00", 3000),
        ("a4", "/top.txt", "top.txt", None, "plain text", 4000),
    ]
    for rid, path_, name, mime, content, ts in rows:
        conn.execute(
            "INSERT INTO artifacts (id, path, name, mime_type, content, size_bytes, created_at,"
            " updated_at, metadata) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, '{}')",
            (rid, path_, name, mime, content, ts, ts))
    conn.execute("INSERT INTO action_log VALUES ('l1', 1000, 'ARTIFACT_CREATE', '{}', 0)")
    conn.close()


def _digest(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def _dump(path):
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump()), conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_version_one_file_migrates_to_latest_keeping_data(tmp_path):
    path = str(tmp_path / "old.sqlite")
    _seed_v1(path)
    ws = db.open_workspace(path)
    assert ws.schema_version() == migrations.LATEST_VERSION
    rows = dict(ws.conn.execute("SELECT id, path FROM artifacts"))
    assert rows["a1"] == "/docs/notes.md"
    assert rows["a2"] == "/docs/notes (2).md"  # the later duplicate is renamed
    kinds = dict(ws.conn.execute("SELECT id, kind FROM artifacts"))
    assert kinds == {"a1": "markdown", "a2": "markdown", "a3": "image", "a4": "text"}
    h, size = ws.conn.execute("SELECT hash, size_bytes FROM artifacts WHERE id='a1'").fetchone()
    assert h == hashlib.sha256(b"# Notes").hexdigest() and size == 7
    folders = [p for (p,) in ws.conn.execute("SELECT path FROM folders ORDER BY path")]
    assert folders == ["/docs", "/pics", "/pics/deep"]
    seqs = ws.conn.execute("SELECT count(*) FROM artifact_versions WHERE seq = 1").fetchone()[0]
    assert seqs == 4
    assert ws.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert ws.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_each_step_commits_with_its_version_bump(tmp_path):
    path = str(tmp_path / "w.sqlite")
    conn = sqlite3.connect(path, isolation_level=None)
    report = migrations.migrate(conn)
    assert report.from_version == 0 and report.to_version == migrations.LATEST_VERSION
    assert list(report.applied) == [s.name for s in migrations.STEPS]
    again = migrations.migrate(conn)
    assert again.applied == () and again.from_version == migrations.LATEST_VERSION


def _failing_step(version):
    def apply(conn):
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        conn.execute("INSERT INTO artifacts (id, path, name, created_at, updated_at)"
                     " VALUES ('zz', '/zz', 'zz', 1, 1)")
        raise RuntimeError("boom")
    return migrations.Migration(version, f"{version:04d}_broken", apply=apply)


def test_failing_step_rolls_back_and_restores_the_pre_migration_copy(tmp_path):
    path = str(tmp_path / "old.sqlite")
    _seed_v1(path)
    before = _dump(path)
    steps = [*migrations.STEPS, _failing_step(migrations.LATEST_VERSION + 1)]
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(MigrationFailed) as info:
        migrations.migrate(conn, steps=steps)
    conn.close()
    assert info.value.code == "migration_failed"
    assert "broken" in info.value.message
    # Steps 2..8 had committed before the failure; the copy undid them too.
    assert _dump(path) == before
    assert before[1] == 1


def test_failing_sql_step_leaves_no_partial_schema(tmp_path):
    path = str(tmp_path / "w.sqlite")
    migrations.create_fresh(path).close()
    before = _dump(path)
    bad = migrations.Migration(migrations.LATEST_VERSION + 1, "0099_bad",
                               sql="CREATE TABLE extra (x);\nTHIS IS NOT SQL;\n")
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(MigrationFailed):
        migrations.migrate(conn, steps=[*migrations.STEPS, bad])
    assert not conn.in_transaction
    conn.close()
    assert _dump(path) == before


def test_backup_path_keeps_the_old_file(tmp_path):
    path, backup = str(tmp_path / "old.sqlite"), str(tmp_path / "old.bak")
    _seed_v1(path)
    before = _dump(path)
    ws = db.open_workspace(path, backup_path=backup)
    ws.close()
    assert _dump(backup) == before
    assert _dump(path)[1] == migrations.LATEST_VERSION


def test_newer_database_is_refused_and_never_touched(tmp_path):
    path = str(tmp_path / "future.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE artifacts (id TEXT)")
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 5}")
    conn.commit()
    conn.close()
    digest, mtime = _digest(path), os.stat(path).st_mtime_ns
    with pytest.raises(SchemaTooNew) as info:
        db.open_workspace(path, journal_mode="WAL")
    assert info.value.code == "schema_too_new"
    assert str(migrations.LATEST_VERSION + 5) in info.value.message
    assert _digest(path) == digest and os.stat(path).st_mtime_ns == mtime
    assert sorted(os.listdir(tmp_path)) == ["future.sqlite"]  # no -wal/-journal left behind


def test_non_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is not a database at all" * 10)
    with pytest.raises(NotAWorkspace):
        db.open_workspace(str(path))
    assert path.read_bytes() == b"this is not a database at all" * 10


def test_foreign_sqlite_file_without_version_is_refused(tmp_path):
    path = str(tmp_path / "other.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(NotAWorkspace):
        db.open_workspace(path)
    assert _digest(path) == before


def _old_rename(paths):
    """Migration 0004's renaming as first released (counting from 2 for every duplicate)."""
    taken, seen, out = set(paths), set(), []
    for path in paths:
        if path not in seen:
            seen.add(path)
            out.append(path)
            continue
        folder, name = path.rsplit("/", 1)
        stem, ext = (name[:name.rfind(".")], name[name.rfind("."):]) if "." in name else (name, "")
        n = 2
        while f"{folder}/{stem} ({n}){ext}" in taken:
            n += 1
        new = f"{folder}/{stem} ({n}){ext}"
        taken.add(new)
        seen.add(new)
        out.append(new)
    return out


def test_thousands_of_duplicates_are_renamed_quickly_and_as_before():
    """A hostile version-1 file of one path repeated must not hang an import (the rename
    search resumes instead of starting from 2), and the names are the ones 0004 always gave."""
    import time
    paths = ["/d/a.md"] * 3000 + ["/d/a (3).md", "/d/a (7).md"] + ["/d/a.md"] * 5 + ["/e"] * 3
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:1])
    conn.executemany("INSERT INTO artifacts (id, path, name, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, 0)",
                     [(f"{i:05d}", p, p.rsplit("/", 1)[1], i) for i, p in enumerate(paths)])
    started = time.monotonic()
    migrations.migrate(conn, steps=migrations.STEPS[:4])
    assert time.monotonic() - started < 20
    got = [p for (p,) in conn.execute("SELECT path FROM artifacts ORDER BY id")]
    assert got == _old_rename(paths)


def test_a_text_kept_for_sync_as_it_was_stored_packed_is_read_plain_after_the_upgrade(tmp_path):
    from pylib import compress
    from pylib.content import digest
    from pylib.sync import kept

    path = str(tmp_path / "kept.sqlite")
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, steps=migrations.steps_to(34))
    text = b"a text stored packed, as an older Quire kept it for sync\n" * 20
    conn.execute("INSERT INTO sync_meta (key, value) VALUES ('counter', '1')")  # it syncs
    conn.execute(
        "INSERT INTO artifacts (id, path, name, mime_type, content, content_codec, size_bytes,"
        " hash, created_at, updated_at, metadata) VALUES ('d1', '/d.md', 'd.md', 'text/markdown',"
        " ?, 0, ?, ?, 1, 1, '{}')", (compress.pack(text), len(text), digest(text)))
    conn.execute("DELETE FROM artifacts WHERE id = 'd1'")  # emptied from the trash
    assert conn.execute("SELECT content FROM sync_kept").fetchone()[0] != text  # packed
    conn.close()
    ws = db.open_workspace(path)
    assert kept.last_of(ws.conn, "d1") == [digest(text), text]
    ws.close()
