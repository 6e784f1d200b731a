"""A new device takes a snapshot in whole (pylib/sync/adopt.py): the same workspace a merge
would give, with the keyword and link indexes the snapshot carries; a device with rows of its
own merges."""

from __future__ import annotations

import pytest

from pylib import artifacts, folders, platform, search, trash, versions
from pylib.links import queries
from pylib.sync import adopt as adopt_module

from sync_devices import check_invariants, drive, settle, synced_state

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


@pytest.fixture
def adopted(monkeypatch):
    """What each call of :func:`adopt.adopt` answered (True: taken in whole)."""
    seen: list[bool] = []
    real = adopt_module.adopt

    def spy(ws, records, ready=None):
        seen.append(real(ws, records, ready))
        return seen[-1]

    monkeypatch.setattr(adopt_module, "adopt", spy)
    return seen


def _workspace(ws):
    """A little of everything: folders, links, versions, a trashed note, one removed for good."""
    plan = artifacts.create(ws, "/work/plan.md", "# Plan\nship the [[Notes]] #release\n")
    artifacts.update(ws, plan.id, "# Plan\nship the [[Notes]] soon #release\n")
    notes = artifacts.create(ws, "/work/deep/Notes.md", "notes about zebras\n")
    folders.create(ws, "/empty/inner")
    gone = artifacts.create(ws, "/gone.md", "soon gone\n")
    trash.trash_artifact(ws, gone.id)
    trash.empty(ws)
    binned = artifacts.create(ws, "/binned.md", "in the bin\n")
    trash.trash_artifact(ws, binned.id)
    return plan, notes


def _compacted(a):
    drive(a.engine.sync())
    assert drive(a.engine.compact(part_bytes=256))  # several parts


def test_a_fresh_device_takes_the_snapshot_whole_with_its_indexes(devices, adopted):
    a, b, _ = devices
    plan, notes = _workspace(a.ws)
    _compacted(a)
    applied = drive(b.engine.pull())
    assert adopted == [True] and applied > 0
    assert synced_state(b.ws) == synced_state(a.ws)
    check_invariants(b.ws)  # integrity, foreign keys, paths, parents, the keyword index exact
    assert [h["id"] for h in search.search(b.ws, "zebras")["hits"]] == [notes.id]
    # The link index came with the snapshot (pylib/sync/derived.py): nothing left for later.
    assert [x["source"]["id"] for x in queries.backlinks(b.ws.conn, notes.id)] == [plan.id]
    assert adopt_module.links_due(b.ws.conn) is False
    assert len(versions.list_versions(b.ws, plan.id)) == len(versions.list_versions(a.ws, plan.id))
    assert b.engine.waiting() == 0  # nothing taken in is sent back
    # It goes on like any device: an edit there reaches the others.
    artifacts.update(b.ws, plan.id, "# Plan\nshipped\n")
    drive(settle(devices))
    assert artifacts.get(a.ws, plan.id).text == "# Plan\nshipped\n"


def test_segments_after_the_snapshot_merge_on_top(devices, adopted):
    a, b, c = devices
    plan, _ = _workspace(a.ws)
    drive(settle([a, b]))
    _compacted(a)
    artifacts.update(b.ws, plan.id, "# Plan\nlater, from b\n")
    artifacts.create(b.ws, "/work/new.md", "after the snapshot\n")
    drive(b.engine.sync())
    drive(c.engine.pull())
    assert adopted == [True]
    assert artifacts.get(c.ws, plan.id).text == "# Plan\nlater, from b\n"
    drive(settle(devices))
    states = [synced_state(d.ws) for d in devices]
    assert states[1] == states[0] == states[2]
    check_invariants(c.ws)


def test_a_device_with_rows_of_its_own_merges_the_snapshot(devices, adopted):
    a, b, _ = devices
    _workspace(a.ws)
    _compacted(a)
    mine = artifacts.create(b.ws, "/work/plan.md", "written here before the first sync\n")
    drive(b.engine.pull())
    assert adopted == []  # not fresh: the merge, which keeps both at one path apart
    paths = {r["path"] for r in artifacts.list_tree(b.ws)["artifacts"]}
    assert "/work/plan.md" in paths and any("conflict" in p for p in paths)
    assert artifacts.get(b.ws, mine.id).text == "written here before the first sync\n"
    drive(settle(devices))
    assert synced_state(a.ws) == synced_state(b.ws)


def test_a_snapshot_that_lists_a_row_twice_is_merged_instead(devices):
    a, b, _ = devices
    doc = artifacts.create(a.ws, "/n.md", "text\n")
    drive(a.engine.sync())
    from pylib.sync import snapshot

    records = [r for r, _ in snapshot.records(a.ws)]
    twice = [*records, {"t": "artifacts", "id": doc.id, "x": ["0000000000001-00000", "z"]}]
    with b.ws.transaction():
        assert adopt_module.adopt(b.ws, twice) is False
    assert artifacts.list_tree(b.ws)["artifacts"] == []  # nothing changed
    with b.ws.transaction():
        assert adopt_module.adopt(b.ws, records) is True
    assert artifacts.get(b.ws, doc.id).text == "text\n"
    check_invariants(b.ws)


def test_a_round_folds_many_segments_into_a_snapshot_that_a_new_device_takes_whole(devices,
                                                                                   adopted):
    a, b, _ = devices
    a.engine.compact_after = 3
    doc = artifacts.create(a.ws, "/n.md", "start\n")
    for i in range(3):
        artifacts.update(a.ws, doc.id, f"edit {i}\n")
        drive(a.engine.sync())
    manifest = drive(a.engine.read_manifest())
    assert manifest.snapshot and not any(manifest.devices.values())  # all folded
    drive(b.engine.pull())
    assert adopted == [True] and artifacts.get(b.ws, doc.id).text == "edit 2\n"
    assert synced_state(a.ws) == synced_state(b.ws)


def test_a_compaction_deletes_the_parts_a_crashed_compaction_left(devices):
    a, b, _ = devices
    _workspace(a.ws)
    store = a.engine.store
    store.objects["sync/snapshots/0badc0ffee/00000"] = b"written, then the device went away"
    _compacted(a)
    left = {k.split("/")[2] for k in store.objects if k.startswith("sync/snapshots/")}
    assert len(left) == 1 and "0badc0ffee" not in left
    drive(b.engine.pull())
    assert synced_state(b.ws) == synced_state(a.ws)
