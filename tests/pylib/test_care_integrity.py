"""Integrity checks find each kind of damage; repair keeps everything readable."""

import sqlite3

from pylib import artifacts, db, versions
from pylib.care import integrity, repair, settings


def _ws(tmp_path, name="w.sqlite"):
    return db.open_workspace(str(tmp_path / name), synchronous="OFF")


def _filled(tmp_path, n=60):
    ws = _ws(tmp_path)
    docs = []
    for i in range(n):
        doc = artifacts.create(ws, f"/notes/n{i:03}.md", f"# Note {i}\n" + "some words\n" * 200)
        artifacts.update(ws, doc.id, f"# Note {i}\n" + "some words\n" * 200 + "edited\n")
        docs.append(doc)
    return ws, docs


def test_a_healthy_workspace_passes_and_the_result_is_stored(tmp_path):
    ws, _ = _filled(tmp_path, 5)
    result = integrity.check(ws)
    assert result["ok"] and result["problems"] == []
    assert set(result["checks"]) == {"quick_check", "foreign_keys", "live_paths", "versions",
                                     "history", "blobs"}
    stored = integrity.last(ws)
    assert stored["ok"] and stored["at"] == result["at"]


def test_each_invariant_is_reported(tmp_path):
    ws, docs = _filled(tmp_path, 4)
    conn = ws.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DROP INDEX IF EXISTS idx_artifacts_live_path")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                                " AND tbl_name = 'artifacts' AND sql LIKE '%UNIQUE%'").fetchall():
        conn.execute(f"DROP INDEX {name}")
    conn.execute("UPDATE artifacts SET path = '/notes/n000.md', name = 'n000.md' WHERE id = ?",
                 (docs[1].id,))
    conn.execute("UPDATE artifacts SET content = 'tampered', content_codec = NULL WHERE id = ?",
                 (docs[2].id,))
    assert conn.execute("SELECT content_codec FROM artifacts WHERE id = ?",
                        (docs[3].id,)).fetchone()[0] is not None  # packed: damage its frame
    conn.execute("UPDATE artifacts SET content = substr(content, 1, 12) WHERE id = ?",
                 (docs[3].id,))
    newest = conn.execute("SELECT id FROM artifact_versions WHERE artifact_id = ? ORDER BY seq"
                          " DESC LIMIT 1", (docs[0].id,)).fetchone()[0]
    conn.execute("UPDATE artifact_versions SET base_id = 'nowhere' WHERE artifact_id = ?"
                 " AND storage = 'delta'", (docs[0].id,))
    conn.execute("INSERT INTO artifact_versions (id, artifact_id, seq, size_bytes, created_at,"
                 " reason) VALUES ('v-orphan', 'no-such-doc', 1, 0, 1, 'create')")
    # A current text that no version holds (its version re-labelled as a conflict's).
    conn.execute("UPDATE artifact_versions SET reason = 'conflict' WHERE id = ?", (newest,))
    result = integrity.check(ws)
    kinds = {(p["check"], p["message"]) for p in result["problems"]}
    assert not result["ok"]
    assert any(c == "live_paths" for c, _ in kinds)
    assert ("blobs", "the content does not match its recorded hash") in kinds
    damaged = [p for p in result["problems"] if p.get("artifact_id") == docs[3].id]
    assert [p["check"] for p in damaged] == ["blobs"]
    assert damaged[0]["message"].startswith("the stored text of this document is damaged")
    assert ("versions", "a version is stored against a version that is missing") in kinds
    assert ("versions", "a version belongs to no document") in kinds
    assert [p["artifact_id"] for p in result["problems"]
            if p["message"] == "no version holds the current content"] == [docs[0].id]
    assert any(c == "foreign_keys" for c, _ in kinds)
    assert newest


def _damage_pages(path, table):
    """Overwrite two leaf pages of a table's B-tree with garbage (on disk)."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with open(path, "r+b") as fh:
        data = bytearray(fh.read())
        start = (root - 1) * page_size
        assert data[start] == 0x05  # an interior table page: its cells point at the leaves
        first_cell = int.from_bytes(data[start + 12:start + 14], "big")
        leaves = [int.from_bytes(data[start + first_cell:start + first_cell + 4], "big"),
                  int.from_bytes(data[start + 8:start + 12], "big")]
        for page in leaves:
            at = (page - 1) * page_size
            data[at:at + page_size] = bytes([0xA5]) * page_size
        fh.seek(0)
        fh.write(data)


def test_repair_copies_everything_readable_and_keeps_a_backup(tmp_path):
    ws, docs = _filled(tmp_path, 80)
    settings.set_retention(ws, {"versions": "last", "keep_last": 9})
    path = ws.path
    ws.close()
    _damage_pages(path, "artifacts")
    ws = db.Workspace(db.connect(path), path)
    found = integrity.check(ws, record=False)
    assert not found["ok"]
    damaged = open(path, "rb").read()
    report = repair.repair(ws)
    assert report["backup"] == damaged and report["backup_name"].startswith("workspace-damaged-")
    assert report["sync"] == "none"  # never synced: what the damage took cannot come back
    assert integrity.check(ws)["ok"]
    left = {r[0] for r in ws.conn.execute("SELECT id FROM artifacts")}
    assert 0 < len(left) < 80
    # Counted from an intact index (exact in CPython); at worst the rowids on damaged pages.
    assert 80 - len(left) <= report["tables"]["artifacts"]["unreadable"] <= 80 - len(left) + 2
    assert report["tables"]["artifacts"]["copied"] == len(left)
    for doc in docs:
        if doc.id in left:
            assert artifacts.get(ws, doc.id).text.endswith("edited\n")
            for v in versions.list_versions(ws, doc.id):
                versions.get(ws, v["id"])  # every kept version rebuilds
    assert settings.retention(ws).keep_last == 9
    # The repaired file opens as a workspace again.
    ws.close()
    assert db.open_workspace(path).conn.execute("SELECT count(*) FROM artifacts").fetchone()[0] == len(left)


def _history_of(ws, path, saves):
    doc = artifacts.create(ws, path, "start\n" + "a line of the note\n" * 30)
    for i in range(saves):
        artifacts.update(ws, doc.id, f"save {i}\n" + "a line of the note\n" * 30 + "more\n" * i)
    return doc, ws.conn.execute("SELECT id, storage FROM artifact_versions WHERE artifact_id = ?"
                                " ORDER BY seq", (doc.id,)).fetchall()


def test_the_check_rebuilds_every_version_and_names_a_broken_chain(tmp_path):
    ws = _ws(tmp_path)
    doc, rows = _history_of(ws, "/notes/plan.md", 6)
    _history_of(ws, "/notes/fine.md", 6)
    assert [s for _, s in rows[:-1]] == ["delta"] * 6
    assert integrity.check(ws, record=False)["ok"]
    # The delta of version 4 is damaged: it and the versions stored behind it (1-3) cannot be
    # rebuilt; 5-7 still can. Only the history check can see it (every link exists).
    ws.conn.execute("UPDATE artifact_versions SET content = X'0102030405' WHERE id = ?",
                    (rows[3][0],))
    result = integrity.check(ws, record=False)
    problems = [p for p in result["problems"] if p["check"] == "history"]
    assert [p["version"] for p in problems] == [4, 3, 2, 1]
    assert {p["artifact_id"] for p in result["problems"]} == {doc.id}
    assert problems[0]["message"].startswith("Version 4 of /notes/plan.md (saved ")
    assert problems[0]["message"].endswith("cannot be rebuilt: its stored changes are damaged.")
    assert "stored against version 4, which cannot be rebuilt" in problems[1]["message"]
    # A keyframe whose bytes rebuild to other text is caught by its hash.
    ws.conn.execute("UPDATE artifact_versions SET storage = 'full', content = 'other text'"
                    " WHERE id = ?", (rows[3][0],))
    result = integrity.check(ws, record=False)
    first = [p for p in result["problems"] if p["check"] == "history"][0]
    assert first["version"] == 4 and "does not match its recorded hash" in first["message"]


def test_repair_keeps_the_versions_that_rebuild_and_drops_the_rest(tmp_path):
    ws = _ws(tmp_path)
    doc, rows = _history_of(ws, "/notes/plan.md", 6)
    ws.conn.execute("UPDATE artifact_versions SET content = X'0102030405' WHERE id = ?",
                    (rows[3][0],))
    report = repair.repair(ws)
    assert report["versions_dropped"] == 4
    kept = [v["id"] for v in versions.list_versions(ws, doc.id)]
    assert sorted(kept) == sorted(r[0] for r in rows[4:])
    assert [versions.get(ws, v).text is not None for v in kept] == [True] * 3
    assert integrity.check(ws)["ok"]


def test_the_care_status_still_answers_on_a_damaged_workspace(tmp_path):
    # The storage view reads the status before the check runs: it must show, not fail.
    from pylib.care import service

    ws, _ = _filled(tmp_path, 80)
    path = ws.path
    ws.close()
    _damage_pages(path, "artifacts")
    ws = db.Workspace(db.connect(path), path)
    status = service.status(ws)
    assert "dictionary" not in status["due"] and "retention" in status
    assert not integrity.check(ws, record=False)["ok"]
    ws.close()


def test_a_large_file_versions_pass_the_check_and_survive_a_repair(tmp_path):
    # A file over the inline limit keeps only size and hash in history (its bytes live in
    # S3): that is by design, neither a problem to report nor a version to drop.
    ws = _ws(tmp_path)
    big = artifacts.upload(ws, "/files/scan.bin", b"\x00\x01" * (1024 * 1024))
    artifacts.set_content(ws, big.id, b"\x02\x03" * (1024 * 1024))
    small = artifacts.upload(ws, "/files/small.bin", b"\x00\x07" * 100)
    before = [v["id"] for v in versions.list_versions(ws, big.id)]
    assert len(before) == 2
    result = integrity.check(ws, record=False)
    assert [p for p in result["problems"] if p["check"] == "history"] == []
    assert repair.repair(ws)["versions_dropped"] == 0
    assert [v["id"] for v in versions.list_versions(ws, big.id)] == before
    # A small file's version without its content is damage, and is still reported.
    ws.conn.execute("UPDATE artifact_versions SET content = NULL WHERE artifact_id = ?",
                    (small.id,))
    problems = [p for p in integrity.check(ws, record=False)["problems"]
                if p["check"] == "history"]
    assert [p["artifact_id"] for p in problems] == [small.id]
    assert problems[0]["message"].endswith("has no stored content.")
