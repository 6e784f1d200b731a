"""Snapshot parts of format 2 carry texts as their stored zstd frames (pylib/sync/snapshot.py):
they round-trip, a device that merges gets the plain texts, a part of format 1 (older
versions) still reads, a newer format is held, a tampered part is refused."""

from __future__ import annotations

import os

import pytest

from pylib import artifacts, compress, platform, textstore, versions
from pylib.sync import codec, snapshot
from pylib.sync.codec import Packed
from pylib.sync.errors import Refused, UpdateRequired

from sync_devices import check_invariants, drive, synced_state

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")

TEXT = "a note about tapirs and their long noses, written out at length.\n" * 120


def _parts(store):
    return sorted(k for k in store.objects if k.startswith("sync/snapshots/"))


def _compacted(a, **options):
    doc = artifacts.create(a.ws, "/tapirs.md", TEXT)
    artifacts.update(a.ws, doc.id, TEXT + "an older version stays plain\n")
    artifacts.update(a.ws, doc.id, TEXT + "the newest\n")
    drive(a.engine.sync())
    assert drive(a.engine.compact(part_bytes=2048, **options))
    return doc


def test_packed_values_round_trip_and_equal_frames_are_held_once():
    frame = compress.pack(TEXT.encode())
    body = {"rows": [{"v": Packed(frame)}, {"v": Packed(frame)}, {"v": b"raw", "n": 1}]}
    encoded = codec.encode_body(body)
    assert codec.decode_body(encoded, packed=True) == body
    assert len(encoded) < len(frame) + 200  # the frame once
    plain = codec.decode_body(encoded)  # a reader of format 1 sees no text in it
    assert plain["rows"][0]["v"] == {"$z": 0}
    assert Packed(frame).plain() == TEXT.encode() and Packed(b"not zstd").plain() is None


def test_a_new_device_stores_the_frames_and_a_merging_device_the_texts(devices):
    a, b, c = devices
    doc = _compacted(a)
    headers = [codec.read_header(a.engine.store.objects[k])[0] for k in _parts(a.engine.store)]
    assert {h["format"] for h in headers} == {snapshot.FORMAT}
    drive(b.engine.pull())  # fresh: taken whole
    stored = b.ws.conn.execute("SELECT content, content_codec FROM artifacts WHERE id = ?",
                               (doc.id,)).fetchone()
    theirs = a.ws.conn.execute("SELECT content FROM artifacts WHERE id = ?", (doc.id,)).fetchone()
    assert stored == (theirs[0], textstore.ZSTD)  # the writer's frame, as it is
    newest = b.ws.conn.execute("SELECT storage, content FROM artifact_versions WHERE artifact_id"
                               " = ? ORDER BY seq DESC LIMIT 1", (doc.id,)).fetchone()
    assert newest == ("zstd", theirs[0])  # the same frame, once in the part
    artifacts.create(c.ws, "/mine.md", "c's own note before its first pull\n")
    drive(c.engine.pull())  # not fresh: the merge, with plain texts
    for device in (b, c):
        assert artifacts.get(device.ws, doc.id).text == TEXT + "the newest\n"
        texts = [versions.content_of(device.ws, v["id"])[1]
                 for v in versions.list_versions(device.ws, doc.id)]
        assert texts == [versions.content_of(a.ws, v["id"])[1]
                         for v in versions.list_versions(a.ws, doc.id)]
        check_invariants(device.ws)
    drive(c.engine.sync())
    drive(a.engine.pull())
    drive(b.engine.pull())
    assert synced_state(a.ws) == synced_state(b.ws) == synced_state(c.ws)


def test_a_text_stored_with_a_dictionary_travels_packed_without_it(devices):
    a, b, _ = devices
    doc = artifacts.create(a.ws, "/small.md", TEXT[:2000])
    samples = [f"note {i}: {TEXT[i:i + 900]}".encode() for i in range(60)]
    trained = compress.train(samples, 4096)
    with a.ws.transaction():
        a.ws.conn.execute("INSERT INTO text_dicts (id, dict, samples, created_at) VALUES"
                          " (?, ?, 60, 0)", (trained.dict_id, trained.dict_content))
        stored, dict_codec = textstore.encode(a.ws.conn, TEXT[:2000].encode(), "markdown")
        assert dict_codec == trained.dict_id
        a.ws.conn.execute("UPDATE artifacts SET content = ?, content_codec = ? WHERE id = ?",
                          (stored, dict_codec, doc.id))
    drive(a.engine.sync())
    assert drive(a.engine.compact())
    drive(b.engine.pull())
    assert b.ws.conn.execute("SELECT content_codec FROM artifacts WHERE id = ?",
                             (doc.id,)).fetchone()[0] == textstore.ZSTD
    assert artifacts.get(b.ws, doc.id).text == TEXT[:2000]
    assert synced_state(a.ws) == synced_state(b.ws)


def test_a_snapshot_of_format_1_still_reads(devices):
    a, b, _ = devices
    doc = _compacted(a, packed=False)
    headers = [codec.read_header(a.engine.store.objects[k])[0] for k in _parts(a.engine.store)]
    assert not any("format" in h for h in headers)
    drive(b.engine.pull())
    assert artifacts.get(b.ws, doc.id).text == TEXT + "the newest\n"
    assert synced_state(a.ws) == synced_state(b.ws)


def _reseal(a, key, header, body):
    a.engine.store.objects[key] = drive(codec.seal(a.key, key, header, body))


def test_a_part_of_a_newer_format_is_held_with_nothing_applied(devices):
    a, b, _ = devices
    _compacted(a)
    key = _parts(a.engine.store)[0]
    header, _, _ = codec.read_header(a.engine.store.objects[key])
    _, body = drive(codec.open_sealed(a.key, key, a.engine.store.objects[key], {}, packed=True))
    _reseal(a, key, {**header, "format": snapshot.FORMAT + 1}, body)
    with pytest.raises(UpdateRequired):
        drive(b.engine.pull())
    assert artifacts.list_tree(b.ws)["artifacts"] == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "swap", "missing", "unnamed"])
def test_a_tampered_swapped_or_missing_part_of_format_2_is_refused(devices, damage):
    a, b, _ = devices
    _compacted(a)
    store = a.engine.store
    keys = _parts(store)
    assert len(keys) > 2
    if damage == "flip":
        body = store.objects[keys[1]]
        store.objects[keys[1]] = body[:-30] + bytes([body[-30] ^ 1]) + body[-29:]
    elif damage == "truncate":
        store.objects[keys[1]] = store.objects[keys[1]][:-100]
    elif damage == "swap":
        store.objects[keys[0]], store.objects[keys[1]] = store.objects[keys[1]], store.objects[keys[0]]
    elif damage == "missing":
        del store.objects[keys[1]]
    else:  # format 2 under the name format 1 reads: refused as malformed
        header, _, _ = codec.read_header(store.objects[keys[1]])
        _, body = drive(codec.open_sealed(a.key, keys[1], store.objects[keys[1]], {}, packed=True))
        _reseal(a, keys[1], {k: v for k, v in header.items() if k != "format"}, body)
    with pytest.raises(Refused):
        drive(b.engine.pull())
    assert artifacts.list_tree(b.ws)["artifacts"] == []
    assert b.ws.conn.execute("SELECT count(*) FROM artifact_versions").fetchone()[0] == 0


def test_an_unknown_format_in_a_segment_header_is_held_too(devices):
    a, b, _ = devices
    artifacts.create(a.ws, "/n.md", "text\n")
    drive(a.engine.sync())
    (key,) = [k for k in a.engine.store.objects if k.startswith("sync/segments/")]
    header, _, _ = codec.read_header(a.engine.store.objects[key])
    _, body = drive(codec.open_sealed(a.key, key, a.engine.store.objects[key], {}))
    _reseal(a, key, {**header, "format": 99}, body)
    with pytest.raises(UpdateRequired):
        drive(b.engine.pull())
    assert os.path.exists(b.path) and artifacts.list_tree(b.ws)["artifacts"] == []
