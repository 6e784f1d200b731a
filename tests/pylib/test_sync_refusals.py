"""Bad objects are refused and nothing of them is applied: a tampered, truncated, misplaced
or foreign segment, a missing one, a manifest replayed from the past; changes written by a
newer schema are held, not applied, until this Quire is updated."""

from __future__ import annotations

import os

import pytest

from pylib import artifacts, platform
from pylib.sync import codec
from pylib.sync.engine import SyncEngine
from pylib.sync.errors import Refused, UpdateRequired
from pylib.sync.manifest import KEY
from pylib.sync.store import MemoryStore

from sync_devices import drive, memory_device, synced_state

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


@pytest.fixture
def pair():
    store, key = MemoryStore(), os.urandom(32)
    a, b = memory_device(store, key), memory_device(store, key)
    artifacts.create(a.ws, "/n.md", "secret words\n")
    drive(a.engine.sync())
    yield store, a, b
    a.close()
    b.close()


def _segment_keys(store):
    return [k for k in store.objects if k.startswith("sync/segments/")]


def _refused(b, store, expected=Refused):
    before = synced_state(b.ws)
    with pytest.raises(expected):
        drive(b.engine.pull())
    assert synced_state(b.ws) == before and artifacts.list_tree(b.ws)["artifacts"] == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "header", "empty"])
def test_a_damaged_segment_is_refused_whole(pair, damage):
    store, _, b = pair
    key = _segment_keys(store)[0]
    data = bytearray(store.objects[key])
    if damage == "flip":
        data[-5] ^= 1
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "header":
        data = data.replace(b'"schema":', b'"schemb":')
    else:
        data = bytearray()
    store.objects[key] = bytes(data)
    _refused(b, store)


def test_a_segment_moved_to_another_key_or_of_another_workspace_is_refused(pair):
    store, a, b = pair
    key = _segment_keys(store)[0]
    artifacts.create(a.ws, "/m.md", "more\n")
    drive(a.engine.sync())
    first, second = sorted(_segment_keys(store))
    store.objects[first], store.objects[second] = store.objects[second], store.objects[first]
    _refused(b, store)
    other = MemoryStore()
    stranger = memory_device(other, os.urandom(32))
    artifacts.create(stranger.ws, "/n.md", "not yours\n")
    drive(stranger.engine.sync())
    foreign = memory_device(other, b.key)  # the right key, another workspace's objects
    with pytest.raises(Refused):
        drive(foreign.engine.pull())
    stranger.close()
    foreign.close()
    assert key


def test_a_missing_segment_is_refused(pair):
    store, _, b = pair
    del store.objects[_segment_keys(store)[0]]
    _refused(b, store)


def test_a_manifest_replayed_from_the_past_is_refused(pair):
    store, a, b = pair
    old = store.objects[KEY]
    drive(b.engine.pull())
    artifacts.create(a.ws, "/later.md", "x\n")
    drive(a.engine.sync())
    drive(b.engine.pull())
    state = synced_state(b.ws)
    store.objects[KEY] = old
    with pytest.raises(Refused):
        drive(b.engine.pull())
    assert synced_state(b.ws) == state


def test_changes_of_a_newer_schema_are_held_then_applied_after_the_update(pair):
    store, a, b = pair
    newer = SyncEngine(a.ws, store, a.key, schema_version=10_000)
    artifacts.create(a.ws, "/future.md", "from a newer Quire\n")
    drive(newer.sync())
    older = SyncEngine(b.ws, store, b.key)
    with pytest.raises(UpdateRequired):
        drive(older.pull())
    assert artifacts.list_tree(b.ws)["artifacts"] == []  # held: nothing applied, nothing lost
    updated = SyncEngine(b.ws, store, b.key, schema_version=10_000)
    drive(updated.pull())
    assert sorted(x["path"] for x in artifacts.list_tree(b.ws)["artifacts"]) == [
        "/future.md", "/n.md"]


def test_no_object_holds_the_plaintext(pair):
    store, _, _ = pair
    assert store.objects and not any(b"secret words" in v for v in store.objects.values())
    header, _, _ = codec.read_header(store.objects[_segment_keys(store)[0]])
    assert set(header) == {"kind", "ws", "dev", "num", "schema"}
