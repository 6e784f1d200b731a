"""Delta-stored versions survive export, import (replace and merge) and schema upgrades."""

import random
import sqlite3

from pylib import artifacts, db, migrations, versions
from pylib.content import digest
from pylib.transfer import export_workspace, import_workspace


def _ws(path):
    return db.open_workspace(str(path), synchronous="OFF")


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    text = "".join(f"- line {i} of the note, {rng.random():.5f}\n" for i in range(2000))
    out = [text]
    for i in range(n):
        at = rng.randrange(len(text))
        text = text[:at] + f" edit {seed}.{i} " + text[at:]
        out.append(text)
    return out


def _with_history(ws, path, texts):
    art = artifacts.create(ws, path, texts[0])
    for t in texts[1:]:
        artifacts.update(ws, art.id, t)
    return art


def _all_texts(ws, art_id):
    history = reversed(versions.list_versions(ws, art_id, limit=500))
    return [versions.get(ws, v["id"]).text for v in history]


def _storage(ws):
    return dict(ws.conn.execute(
        "SELECT storage, count(*) FROM artifact_versions GROUP BY storage").fetchall())


def test_replace_import_carries_delta_versions_exactly(tmp_path):
    src = _ws(tmp_path / "a.sqlite")
    texts = _texts(1, 20)
    art = _with_history(src, "/n.txt", texts)
    assert _storage(src).get("delta") == 20
    dst = _ws(tmp_path / "b.sqlite")
    import_workspace(dst, export_workspace(src), "replace")
    assert _all_texts(dst, art.id) == texts
    rows = "SELECT id, seq, storage, base_id, content, hash FROM artifact_versions ORDER BY id"
    assert dst.conn.execute(rows).fetchall() == src.conn.execute(rows).fetchall()
    artifacts.update(dst, art.id, texts[-1] + "after import")
    assert _all_texts(dst, art.id) == texts + [texts[-1] + "after import"]


def test_merge_carries_both_sides_delta_histories(tmp_path):
    ours = _ws(tmp_path / "ours.sqlite")
    shared = _texts(2, 5)
    art = _with_history(ours, "/n.txt", shared)
    theirs = _ws(tmp_path / "theirs.sqlite")
    import_workspace(theirs, export_workspace(ours), "replace")
    mine = [shared[-1] + f"mine {i}\n" for i in range(4)]
    yours = [shared[-1] + f"yours {i}\n" for i in range(6)]
    for t in mine:
        artifacts.update(ours, art.id, t)
    for t in yours:
        artifacts.update(theirs, art.id, t)
    other = _with_history(theirs, "/only-theirs.txt", _texts(3, 8))

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert len(result.conflicts) == 1
    texts = _all_texts(ours, art.id)
    assert texts[: len(shared) + len(mine)] == shared + mine
    assert set(yours) <= set(texts) and texts[-1] == artifacts.get(ours, art.id).text
    assert _all_texts(ours, other.id) == _texts(3, 8)
    # Every stored version still matches its hash, whatever form it is stored in.
    for vid, hash_ in ours.conn.execute("SELECT id, hash FROM artifact_versions"):
        assert versions.get(ours, vid).hash == hash_
    # A second merge of the same file adds nothing and breaks nothing.
    again = import_workspace(ours, export_workspace(theirs), "merge")
    assert again.merged.versions_added == 0 and _all_texts(ours, art.id) == texts


def _old_workspace(path, big_text: bytes):
    """A workspace as schema 9 left it: full-copy versions, a big note parked as a file."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrations.migrate(conn, steps=[s for s in migrations.STEPS if s.version <= 9])
    conn.execute("INSERT INTO artifacts (id, path, name, mime_type, kind, content, size_bytes,"
                 " hash, created_at, updated_at, metadata) VALUES ('n1', '/n.md', 'n.md',"
                 " 'text/markdown', 'markdown', NULL, ?, ?, 1, 2, '{\"pending_upload\": true}')",
                 (len(big_text), digest(big_text)))
    conn.execute("INSERT INTO pending_uploads VALUES ('n1', ?, ?, ?, 2)",
                 (big_text, len(big_text), digest(big_text)))
    for seq, body in enumerate([b"v1 text", b"v2 text"], start=1):
        conn.execute("INSERT INTO artifact_versions (id, artifact_id, seq, content, size_bytes,"
                     " hash, created_at, reason) VALUES (?, 'n1', ?, ?, ?, ?, ?, 'update')",
                     (f"v{seq}", seq, body, len(body), digest(body), seq))
    conn.execute("INSERT INTO artifact_versions (id, artifact_id, seq, content, size_bytes,"
                 " hash, created_at, reason) VALUES ('v3', 'n1', 3, NULL, ?, ?, 3, 'update')",
                 (len(big_text), digest(big_text)))
    conn.close()


def test_migration_0011_upgrades_an_old_workspace(tmp_path):
    big = ("# parked\n" + "text of a big note\n" * 120_000).encode()
    _old_workspace(tmp_path / "old.sqlite", big)
    ws = _ws(tmp_path / "old.sqlite")
    assert ws.schema_version() == migrations.LATEST_VERSION
    note = artifacts.get(ws, "n1")
    assert note.text == big.decode() and not note.pending_upload and note.metadata == {}
    assert ws.conn.execute("SELECT count(*) FROM pending_uploads").fetchone()[0] == 0
    assert _storage(ws) == {"full": 3}
    assert _all_texts(ws, "n1") == ["v1 text", "v2 text", big.decode()]
    artifacts.update(ws, "n1", big.decode() + "typed after the upgrade")
    assert _storage(ws) == {"full": 3, "delta": 1}
    assert _all_texts(ws, "n1")[2:] == [big.decode(), big.decode() + "typed after the upgrade"]
    assert artifacts.restore_version(ws, "v1").text == "v1 text"
