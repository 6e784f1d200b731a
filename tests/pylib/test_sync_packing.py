"""A new device stores a snapshot's texts as they came: packed as they are stored on the
device that wrote it (parts of format 2), or plain, as older versions wrote them, and packed
just after, a batch a tick (pylib/sync/packing.py): readable all along, and in the end stored
as a merge stores them."""

from __future__ import annotations

import pytest

from pylib import artifacts, platform, search, versions
from pylib.sync import adopt, packing

from sync_devices import check_invariants, drive, make_devices, synced_state
from pylib.sync.store import MemoryStore

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


@pytest.fixture
def pair(tmp_path):
    made = make_devices(tmp_path, MemoryStore(), 2)
    yield made
    for device in made:
        device.close()


def _stored(ws) -> dict[str, int | None]:
    return dict(ws.conn.execute("SELECT id, content_codec FROM artifacts"))


LONG = "a long note about pangolins, said again and again. " * 200


def _notes(ws):
    made = [artifacts.create(ws, f"/n{i}.md", f"{i} {LONG}") for i in range(12)]
    short = artifacts.create(ws, "/short.md", "short")
    artifacts.create(ws, "/bin.dat", bytes(range(256)) * 40)
    return made, short


def _version_storage(ws) -> set[str]:
    return {s for (s,) in ws.conn.execute("SELECT DISTINCT storage FROM artifact_versions")}


def test_texts_come_packed_as_stored_and_nothing_is_left_to_pack(pair):
    a, b = pair
    made, short = _notes(a.ws)
    drive(a.engine.sync())
    assert drive(a.engine.compact())
    drive(b.engine.pull())
    assert not packing.due(b.ws.conn) and not adopt.due(b.ws.conn) and b.engine.finish() is False
    assert _stored(b.ws) == _stored(a.ws)  # each text as the writer stores it
    assert _stored(b.ws)[made[0].id] == 0 and _stored(b.ws)[short.id] is None
    assert _version_storage(b.ws) == {"zstd", "full"}  # the newest versions share the frame
    assert artifacts.get(b.ws, made[3].id).text == f"3 {LONG}"
    assert versions.content_of(b.ws, versions.list_versions(b.ws, made[3].id)[0]["id"])[1] \
        == f"3 {LONG}".encode()
    assert len(search.search(b.ws, "pangolins")["hits"]) == 12
    assert synced_state(a.ws) == synced_state(b.ws)
    check_invariants(b.ws)
    artifacts.update(b.ws, made[3].id, f"3 {LONG} edited")  # a save over a zstd newest version
    drive(b.engine.sync())
    drive(a.engine.pull())
    assert artifacts.get(a.ws, made[3].id).text.endswith("edited")
    assert [v["id"] for v in versions.list_versions(b.ws, made[3].id)] == \
        [v["id"] for v in versions.list_versions(a.ws, made[3].id)]
    assert synced_state(a.ws) == synced_state(b.ws)


def test_texts_of_a_format_1_snapshot_are_packed_after_in_batches_as_a_merge_stores_them(pair):
    a, b = pair
    made, short = _notes(a.ws)
    long = LONG
    drive(a.engine.sync())
    assert drive(a.engine.compact(packed=False))  # as older versions wrote snapshots
    drive(b.engine.pull())
    assert packing.due(b.ws.conn) and adopt.due(b.ws.conn)
    assert set(_stored(b.ws).values()) == {None}  # as they came
    assert artifacts.get(b.ws, made[3].id).text == f"3 {long}"  # readable meanwhile
    assert len(search.search(b.ws, "pangolins")["hits"]) == 12
    edited = made[0]
    artifacts.update(b.ws, edited.id, "edited here before it was packed " + long)
    waiting = b.engine.waiting()
    steps = 0
    while packing.pack_some(b.ws, batch_bytes=20_000):  # a few texts per batch
        steps += 1
        if steps == 2:  # a reload half way goes on where it stopped
            b.reopen()
    assert steps > 3 and not packing.due(b.ws.conn) and not adopt.due(b.ws.conn)
    assert b.engine.finish() is False
    stored, theirs = _stored(b.ws), _stored(a.ws)
    assert stored[short.id] is None and stored[made[5].id] == 0
    assert {k: v for k, v in stored.items() if k != edited.id} == \
        {k: v for k, v in theirs.items() if k != edited.id}
    assert b.engine.waiting() == waiting and b.engine.changes_waiting() == 1  # the edit only
    drive(b.engine.sync())
    drive(a.engine.pull())
    assert synced_state(a.ws) == synced_state(b.ws)
    assert artifacts.get(a.ws, edited.id).text.startswith("edited here")
    check_invariants(b.ws)
