"""A snapshot's image (pylib/sync/image.py): a new device copies the database the snapshot
makes instead of inserting its rows — the same workspace as a take, its own local state kept;
every other device, and any image that does not fit, goes through the records as before."""

from __future__ import annotations

import pytest

from pylib import artifacts, platform, search, versions
from pylib.links import queries
from pylib.sync import adopt as adopt_module, image, imageparts, meta
from pylib.sync.engine import SyncEngine
from pylib.sync.errors import Refused, UpdateRequired

from sync_devices import check_invariants, drive, settle, synced_state

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


@pytest.fixture
def taken(monkeypatch):
    """Images for every snapshot (tests are small); what each image take answered, and
    how many takes went through the records."""
    monkeypatch.setattr(image, "MIN_BYTES", 0)
    seen: dict[str, list[bool]] = {"image": [], "records": []}
    real_take, real_adopt = image.take, adopt_module.adopt

    def take(ws, data, cursors):
        seen["image"].append(real_take(ws, data, cursors))
        return seen["image"][-1]

    def adopt(ws, records):
        answer = real_adopt(ws, records)
        if ws.path != ":memory:":  # not the writer making its image
            seen["records"].append(answer)
        return answer

    monkeypatch.setattr(image, "take", take)
    monkeypatch.setattr(adopt_module, "adopt", adopt)
    return seen


def _workspace(ws):
    plan = artifacts.create(ws, "/work/plan.md", "# Plan\nship the [[Notes]] #release\n")
    artifacts.update(ws, plan.id, "# Plan\nship the [[Notes]] soon #release\n")
    notes = artifacts.create(ws, "/work/deep/Notes.md", "notes about zebras " * 400)
    return plan, notes


def _compacted(a):
    drive(a.engine.sync())
    assert drive(a.engine.compact())


def _image_keys(store):
    return sorted(k for k in store.objects if "/image/" in k)


def test_a_new_device_copies_the_image_and_keeps_its_own_state(devices, taken):
    a, b, c = devices
    plan, notes = _workspace(a.ws)
    _compacted(a)
    own_device = b.engine.device
    assert search.search(b.ws, "zebras")["hits"] == []  # the index was open here before
    with b.ws.transaction():
        meta.put(b.ws.conn, "mine", "kept")
        b.ws.conn.execute("INSERT INTO care_settings (key, value) VALUES ('mine', '7')")
    applied = drive(b.engine.pull())
    assert taken == {"image": [True], "records": []} and applied > 0
    assert synced_state(b.ws) == synced_state(a.ws)
    check_invariants(b.ws)
    assert b.engine.device == own_device == b.ws.conn.execute(
        "SELECT device FROM sync_clock").fetchone()[0]
    assert meta.get(b.ws.conn, "mine") == "kept"
    assert b.ws.conn.execute("SELECT value FROM care_settings").fetchall() == [("7",)]
    assert meta.get(b.ws.conn, "cursors") == {a.engine.device: 1}
    assert [h["id"] for h in search.search(b.ws, "zebras")["hits"]] == [notes.id]
    assert [x["source"]["id"] for x in queries.backlinks(b.ws.conn, notes.id)] == [plan.id]
    assert len(versions.list_versions(b.ws, plan.id)) == 2
    assert b.engine.waiting() == 0
    while b.engine.finish():  # its texts packed after, as after a take
        pass
    assert b.ws.conn.execute("SELECT count(*) FROM artifacts WHERE content_codec IS NULL"
                             " AND length(content) > 1000").fetchone()[0] == 0
    # It goes on like any device, search included (the copied index takes new writes).
    artifacts.update(b.ws, notes.id, "notes about okapis\n")
    artifacts.create(c.ws, "/c.md", "from c\n")
    drive(settle(devices))
    states = [synced_state(d.ws) for d in devices]
    assert states[0] == states[1] == states[2]
    assert [h["id"] for h in search.search(b.ws, "okapis")["hits"]] == [notes.id]
    assert search.search(b.ws, "zebras")["hits"] == []
    for device in devices:
        check_invariants(device.ws)
    b.reopen()  # what was copied is in the file
    assert synced_state(b.ws) == states[0]


def test_segments_after_the_image_merge_on_top_and_a_new_compaction_replaces_it(devices, taken):
    a, b, c = devices
    plan, _ = _workspace(a.ws)
    drive(settle([a, b]))
    _compacted(a)
    first = _image_keys(a.engine.store)
    artifacts.update(b.ws, plan.id, "# Plan\nlater, from b\n")
    drive(b.engine.sync())
    drive(c.engine.pull())
    assert taken["image"] == [True]
    assert artifacts.get(c.ws, plan.id).text == "# Plan\nlater, from b\n"
    assert drive(b.engine.compact())
    second = _image_keys(a.engine.store)
    assert first and second and not set(first) & set(second)  # the old image is deleted


def test_a_device_with_rows_of_its_own_merges_the_records(devices, taken):
    a, b, _ = devices
    _workspace(a.ws)
    _compacted(a)
    artifacts.create(b.ws, "/mine.md", "written here first\n")
    drive(b.engine.pull())
    assert taken == {"image": [], "records": []}  # the merge
    drive(settle(devices))
    assert synced_state(a.ws) == synced_state(b.ws)


def test_an_image_of_another_schema_sql_is_not_copied(devices, taken):
    a, b, _ = devices
    _workspace(a.ws)
    _compacted(a)
    b.ws.conn.execute("CREATE INDEX extra_index ON artifacts(size_bytes)")
    drive(b.engine.pull())
    assert taken == {"image": [False], "records": [True]}  # the records, taken whole
    assert synced_state(b.ws) == synced_state(a.ws)
    check_invariants(b.ws)


def test_an_image_of_a_newer_schema_is_held(devices, taken):
    a, b, _ = devices
    _workspace(a.ws)
    newer = SyncEngine(a.ws, a.engine.store, a.key, schema_version=10_000)
    drive(newer.sync())
    assert drive(newer.compact())
    with pytest.raises(UpdateRequired):
        drive(b.engine.pull())
    assert artifacts.list_tree(b.ws)["artifacts"] == [] and taken["image"] == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "swap", "drop"])
def test_a_damaged_image_part_is_refused_and_nothing_is_applied(devices, taken, monkeypatch,
                                                                damage):
    monkeypatch.setattr(imageparts, "PART_BYTES", 4096)  # several parts
    a, b, _ = devices
    _workspace(a.ws)
    artifacts.create(a.ws, "/big.md", "".join(f"line {i} of many\n" for i in range(4000)))
    _compacted(a)
    store = a.engine.store
    keys = _image_keys(store)
    assert len(keys) > 2
    if damage == "flip":
        data = bytearray(store.objects[keys[1]])
        data[-5] ^= 1
        store.objects[keys[1]] = bytes(data)
    elif damage == "truncate":
        store.objects[keys[-1]] = store.objects[keys[-1]][:-40]
    elif damage == "swap":
        store.objects[keys[0]], store.objects[keys[1]] = store.objects[keys[1]], store.objects[keys[0]]
    else:
        del store.objects[keys[1]]
    before = synced_state(b.ws)
    with pytest.raises(Refused):
        drive(b.engine.pull())
    assert synced_state(b.ws) == before and taken["image"] == []
    assert adopt_module.is_fresh(b.ws.conn)


def test_a_small_snapshot_has_no_image(devices, monkeypatch):
    a, _, _ = devices
    monkeypatch.setattr(image, "MIN_BYTES", 1 << 20)
    _workspace(a.ws)
    _compacted(a)
    assert _image_keys(a.engine.store) == []


def test_parts_unpack_in_order_while_others_arrive_under_an_event_loop(devices, taken,
                                                                      monkeypatch):
    import asyncio

    monkeypatch.setattr(imageparts, "PART_BYTES", 4096)  # many parts, a few at once
    a, b, _ = devices
    _workspace(a.ws)
    artifacts.create(a.ws, "/big.md", "".join(f"line {i} of many\n" for i in range(4000)))
    _compacted(a)
    assert len(_image_keys(a.engine.store)) > 4
    asyncio.run(b.engine.pull())  # each unpacked in a thread as the next ones are read
    assert taken["image"] == [True]
    assert synced_state(b.ws) == synced_state(a.ws)
    check_invariants(b.ws)
