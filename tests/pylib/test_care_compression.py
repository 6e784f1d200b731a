"""zstd for history: round trips, the upgrade of an uncompressed workspace, and a damaged
compressed value reported for its one version while listings keep working."""

import random
import sqlite3

import pytest

from pylib import artifacts, compress, db, migrations, versions
from pylib.errors import VersionCorrupt

from oldschema import downgrade

WORDS = ("the", "meeting", "notes", "project", "quire", "design", "review", "budget", "next",
         "steps", "owner", "deadline", "open", "question", "decision", "draft")


def _note(rng, lines=80):
    out = []
    for i in range(lines):
        if i % 12 == 0:
            out.append(f"## {' '.join(rng.choices(WORDS, k=3)).title()}")
        out.append("- " + " ".join(rng.choices(WORDS, k=rng.randint(6, 14))) + ".")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("size", [0, 1, 100, 100_000])
def test_pack_round_trips(size):
    data = random.Random(size).randbytes(size)
    assert compress.unpack(compress.pack(data)) == data
    text = _note(random.Random(size)).encode()
    assert compress.unpack(compress.pack(text)) == text


def test_damaged_frames_raise_a_domain_error():
    packed = compress.pack(b"hello " * 100)
    with pytest.raises(compress.CompressedDataError):
        compress.unpack(packed[:-3])
    conn = sqlite3.connect(":memory:")
    compress.register_sql(conn)
    assert conn.execute("SELECT CAST(quire_unzstd(?) AS TEXT)", (packed,)).fetchone()[0] == "hello " * 100
    assert conn.execute("SELECT quire_unzstd(?)", (b"nope",)).fetchone()[0] is None


def _workspace_with_history(tmp_path, docs=6, saves=10):
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    rng = random.Random(4)
    ids = []
    for d in range(docs):
        text = _note(rng)
        art = artifacts.create(ws, f"/notes/{d}.md", text)
        for _ in range(saves):
            lines = text.splitlines()
            lines.insert(rng.randrange(len(lines)), "- " + " ".join(rng.choices(WORDS, k=9)))
            text = "\n".join(lines) + "\n"
            artifacts.update(ws, art.id, text)
        ids.append(art.id)
    return ws, ids


def _all_texts(ws, ids):
    return {v["id"]: versions.get(ws, v["id"]).text
            for i in ids for v in versions.list_versions(ws, i, 500)}


def test_the_upgrade_compresses_old_full_copies_and_keeps_every_text(tmp_path):
    ws, ids = _workspace_with_history(tmp_path)
    texts = _all_texts(ws, ids)
    # As an old workspace held them: every version a plain full copy, schema version 15.
    with ws.transaction():
        for vid, text in texts.items():
            ws.conn.execute("UPDATE artifact_versions SET storage = 'full', base_id = NULL,"
                            " content = ? WHERE id = ?", (text.encode(), vid))
    downgrade(ws.conn, 15)
    raw_old = ws.conn.execute(
        "SELECT sum(length(content)) FROM artifact_versions v WHERE seq < (SELECT max(seq)"
        " FROM artifact_versions w WHERE w.artifact_id = v.artifact_id)").fetchone()[0]
    ws.close()
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    assert ws.schema_version() == migrations.LATEST_VERSION
    kinds = dict(ws.conn.execute("SELECT storage, count(*) FROM artifact_versions GROUP BY storage"))
    assert kinds["full"] == len(ids) and set(kinds) <= {"full", "delta", "zstd"}
    assert kinds.get("delta", 0) + kinds.get("zstd", 0) == len(texts) - len(ids)
    stored_old = ws.conn.execute(
        "SELECT sum(length(content)) FROM artifact_versions WHERE storage != 'full'").fetchone()[0]
    assert stored_old <= 0.4 * raw_old  # at least 60% smaller
    assert _all_texts(ws, ids) == texts


def test_new_history_uses_zstd_keyframes_and_every_version_rebuilds(tmp_path):
    ws, ids = _workspace_with_history(tmp_path, docs=2, saves=200)
    kinds = {k for (k,) in ws.conn.execute("SELECT DISTINCT storage FROM artifact_versions")}
    assert "zstd" in kinds and "zlib" not in kinds
    for vid, text in _all_texts(ws, ids).items():
        assert versions.get(ws, vid).text == text


def test_a_damaged_compressed_version_fails_alone(tmp_path):
    ws, ids = _workspace_with_history(tmp_path, docs=2, saves=3)
    with ws.transaction():
        ws.conn.execute("UPDATE artifact_versions SET storage = 'zstd', base_id = NULL,"
                        " content = X'28B52FFD00' WHERE artifact_id = ? AND seq = 1", (ids[0],))
    bad = versions.list_versions(ws, ids[0], 500)
    with pytest.raises(VersionCorrupt):
        versions.get(ws, bad[-1]["id"])
    assert versions.get(ws, bad[0]["id"]).text  # the others of that document still open
    assert len(artifacts.tree_json(ws).parse()["artifacts"]) == 2
    assert all(versions.get(ws, v["id"]).text for v in versions.list_versions(ws, ids[1], 500))


def test_the_upgrade_leaves_a_damaged_row_as_it_was(tmp_path):
    ws, ids = _workspace_with_history(tmp_path, docs=1, saves=6)
    texts = _all_texts(ws, ids)
    rows = [r[0] for r in ws.conn.execute(
        "SELECT id FROM artifact_versions ORDER BY seq DESC")]
    with ws.transaction():
        for vid in rows:
            ws.conn.execute("UPDATE artifact_versions SET storage = 'full', base_id = NULL,"
                            " content = ? WHERE id = ?", (texts[vid].encode(), vid))
        ws.conn.execute("UPDATE artifact_versions SET storage = 'zlib', content = X'78DA00'"
                        " WHERE id = ?", (rows[3],))
    downgrade(ws.conn, 15)
    ws.close()
    ws = db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    assert ws.conn.execute("SELECT storage, hex(content) FROM artifact_versions WHERE id = ?",
                           (rows[3],)).fetchone() == ("zlib", "78DA00")
    for vid in rows:
        if vid == rows[3]:
            with pytest.raises(VersionCorrupt):
                versions.get(ws, vid)
        else:
            assert versions.get(ws, vid).text == texts[vid]
