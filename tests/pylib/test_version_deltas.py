"""Versions stored as deltas: exact rebuilds, bounded chains, damage kept to one version."""

import random
import zlib

import pytest

from pylib import artifacts, db, deltas, storage, version_store, versions
from pylib.errors import VersionCorrupt


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def _edit(rng: random.Random, text: str) -> str:
    """One save's worth of change: typing, deleting, replacing, moving or a scattered edit."""
    choice = rng.randrange(6)
    at = rng.randrange(len(text) + 1)
    if choice == 0:
        return text[:at] + f"typed {rng.random():.6f} " + text[at:]
    if choice == 1:
        return text[:at] + text[at + rng.randrange(1, 400):]
    if choice == 2:
        return text.replace("beta", "béta", rng.randrange(1, 5))
    if choice == 3:
        lines = text.split("\n")
        if len(lines) > 3:
            i, j = sorted(rng.sample(range(len(lines)), 2))
            lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if choice == 4:
        return text[: len(text) // 3] + "\n# New section\n" + text[len(text) // 3:] + "\nend"
    return text + "\n" + "x" * rng.randrange(0, 50)


def _corpus(rng: random.Random, size: int) -> str:
    words = ["alpha", "beta", "gamma", "note", "quire", "**bold**", "[link](a.md)", "- [ ]"]
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 14)))
        out.append(line)
        n += len(line) + 1
    return "\n".join(out)


def _history(ws, art_id):
    return list(reversed(versions.list_versions(ws, art_id, limit=500)))


def test_delta_round_trips_on_samples():
    rng = random.Random(7)
    base = _corpus(rng, 20_000).encode()
    cases = [b"", base, base[:100], base + base, b"\x00\xff" * 50, base[::-1]]
    for target in cases:
        for source in (b"", base, b"other"):
            assert deltas.apply(source, deltas.encode(source, target)) == target
    small = deltas.encode(base, base[:5000] + b"inserted" + base[5000:])
    assert len(small) < 40


def test_every_version_of_a_random_history_restores_byte_exact(tmp_path):
    rng = random.Random(13)
    ws = _ws(tmp_path)
    texts = [_corpus(rng, 30_000)]
    art = artifacts.create(ws, "/n.txt", texts[0])
    for _ in range(60):
        texts.append(_edit(rng, texts[-1]))
        artifacts.update(ws, art.id, texts[-1])
    history = _history(ws, art.id)
    stored = dict(ws.conn.execute(
        "SELECT storage, count(*) FROM artifact_versions GROUP BY storage").fetchall())
    assert stored["full"] == 1 and stored["delta"] >= 40
    # The storage breakdown counts what versions take, not the size of their texts.
    usage = storage.stats(ws).versions
    assert usage.count == len(history) and usage.bytes < sum(v["size_bytes"] for v in history) / 8
    expected = [t for i, t in enumerate(texts) if i == 0 or t != texts[i - 1]]
    assert [versions.get(ws, v["id"]).text for v in history] == expected
    back = artifacts.restore_version(ws, history[3]["id"])
    assert back.text == expected[3] and versions.get(ws, history[3]["id"]).text == expected[3]


def test_chains_end_in_keyframes(tmp_path, monkeypatch):
    monkeypatch.setattr(version_store, "MAX_CHAIN", 5)
    ws = _ws(tmp_path)
    text = _corpus(random.Random(1), 20_000)
    art = artifacts.create(ws, "/n.txt", text)
    for i in range(12):
        artifacts.update(ws, art.id, text + f"\nedit {i}")
    rows = ws.conn.execute("SELECT storage FROM artifact_versions ORDER BY seq").fetchall()
    kinds = [r[0] for r in rows]
    assert kinds[-1] == "full" and "zstd" in kinds
    runs = "".join("d" if k == "delta" else "K" for k in kinds[:-1]).split("K")
    assert max(len(r) for r in runs) < 5
    for v in _history(ws, art.id):
        assert versions.get(ws, v["id"]).hash == v["hash"]
    # A whole rewrite costs no more than a compressed copy of the text it replaced.
    monkeypatch.setattr(version_store, "MAX_CHAIN", 256)
    rewrite = _corpus(random.Random(2), 20_000)
    artifacts.update(ws, art.id, rewrite)
    artifacts.update(ws, art.id, "short")
    size = ws.conn.execute("SELECT length(content) FROM artifact_versions ORDER BY seq DESC"
                           " LIMIT 1 OFFSET 1").fetchone()[0]
    assert size <= len(zlib.compress(rewrite.encode(), 6)) + 64


def test_a_damaged_delta_fails_that_version_only(tmp_path):
    ws = _ws(tmp_path)
    text = _corpus(random.Random(3), 10_000)
    art = artifacts.create(ws, "/n.txt", text)
    for i in range(4):
        artifacts.update(ws, art.id, text + f"\n{i}")
    history = _history(ws, art.id)
    victim = history[1]["id"]
    before = [versions.get(ws, v["id"]).text for v in history]
    for damage in (b"QD1\x01garbage", b"not a delta", b"QD1\x00\x05\x0a\x00"):
        ws.conn.execute("UPDATE artifact_versions SET content = ? WHERE id = ?", (damage, victim))
        with pytest.raises(VersionCorrupt) as info:
            versions.get(ws, victim)
        assert info.value.code == "version_corrupt"
        assert len(versions.list_versions(ws, art.id)) == 5
        for v, text_before in zip(history[2:], before[2:]):  # newer versions do not need it
            assert versions.get(ws, v["id"]).text == text_before
    with pytest.raises(VersionCorrupt):
        artifacts.restore_version(ws, victim)
    assert artifacts.get(ws, art.id).text == before[-1]


def test_a_delta_that_rebuilds_the_wrong_text_is_caught_by_the_hash(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/n.txt", "a" * 4000)
    artifacts.update(ws, art.id, "a" * 4000 + "b")
    old = _history(ws, art.id)[0]
    wrong = deltas.encode(b"a" * 4000 + b"b", b"c" * 4000)
    ws.conn.execute("UPDATE artifact_versions SET content = ? WHERE id = ?", (wrong, old["id"]))
    with pytest.raises(VersionCorrupt, match="hash"):
        versions.get(ws, old["id"])


def test_a_base_link_loop_or_gap_is_reported_not_followed(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.create(ws, "/n.txt", "x" * 3000)
    for i in range(3):
        artifacts.update(ws, art.id, "x" * 3000 + str(i))
    a, b = (v["id"] for v in _history(ws, art.id)[:2])
    ws.conn.execute("UPDATE artifact_versions SET base_id = ? WHERE id = ?", (a, b))
    ws.conn.execute("UPDATE artifact_versions SET base_id = ? WHERE id = ?", (b, a))
    with pytest.raises(VersionCorrupt):
        versions.get(ws, a)
    ws.conn.execute("UPDATE artifact_versions SET base_id = 'gone' WHERE id = ?", (a,))
    with pytest.raises(VersionCorrupt):
        versions.get(ws, a)


def _packed_newest(ws, path, text):
    """A document whose only version is a zstd frame, as a taken snapshot stores it."""
    from pylib import compress

    doc = artifacts.create(ws, path, text)
    (vid,) = ws.conn.execute("SELECT id FROM artifact_versions WHERE artifact_id = ?", (doc.id,)).fetchone()
    ws.conn.execute("UPDATE artifact_versions SET storage = 'zstd', content = ? WHERE id = ?",
                    (compress.pack(text.encode()), vid))
    return doc, vid


def test_a_newest_version_packed_as_a_snapshot_brings_it_becomes_a_delta(tmp_path):
    # A device that took a snapshot holds each newest version as a zstd frame; its first save
    # must cost what changed, as after any other save, not leave that whole copy behind.
    ws = _ws(tmp_path)
    text = "".join(f"line {i}: the plan for the week, beta and gamma\n" for i in range(3000))
    doc, vid = _packed_newest(ws, "/notes/plan.md", text)
    artifacts.update(ws, doc.id, text.replace("line 7:", "line 7 (edited):"))
    stored, size = ws.conn.execute("SELECT storage, length(content) FROM artifact_versions"
                                   " WHERE id = ?", (vid,)).fetchone()
    assert stored == "delta" and size < 200, (stored, size)
    assert versions.get(ws, vid).text == text
    # Without the text the save had, the frame is unpacked to encode the delta.
    other, other_vid = _packed_newest(ws, "/notes/other.md", text)
    with ws.transaction():
        version_store.supersede(ws, other.id, "a-later-version", text.replace("line 9:", "9:").encode())
    stored, size = ws.conn.execute("SELECT storage, length(content) FROM artifact_versions"
                                   " WHERE id = ?", (other_vid,)).fetchone()
    assert stored == "delta" and size < 200, (stored, size)
