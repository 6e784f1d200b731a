"""A new device takes each snapshot part as it is opened (pylib/sync/take.py), all in one
transaction: a part refused after earlier ones were inserted leaves nothing; versions split
over parts that arrive out of order are numbered as they were written; a write of the device
meanwhile takes over (the take is undone and the snapshot merged, the write kept)."""

from __future__ import annotations

import asyncio

import pytest

from pylib import artifacts, platform, search
from pylib.sync import adopt, snapshot
from pylib.sync.errors import Refused
from pylib.sync.store import ObjectStore

from sync_devices import check_invariants, drive, synced_state

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


def _parts(store):
    return sorted(k for k in store.objects if k.startswith("sync/snapshots/"))


def _history(a, versions: int = 12):
    """One note with many versions of distinct text, then a few others; compacted in small
    parts, so the versions spread over several."""
    doc = artifacts.create(a.ws, "/long.md", "version 0 " + "tapir " * 150)
    for i in range(1, versions):
        artifacts.update(a.ws, doc.id, f"version {i} " + "okapi " * (150 + i))
    for i in range(4):
        artifacts.create(a.ws, f"/other{i}.md", f"another note about zebras {i}\n")
    drive(a.engine.sync())
    assert drive(a.engine.compact(part_bytes=1024))
    assert len(_parts(a.engine.store)) > 3
    return doc


def _seqs(ws):
    return ws.conn.execute("SELECT id, seq FROM artifact_versions ORDER BY id").fetchall()


class Spy(ObjectStore):
    """The shared store; ``on_get(key)`` runs before each read, ``delay(key)`` seconds of
    waiting first (parts then finish out of their order)."""

    def __init__(self, inner, on_get=None, delay=None) -> None:
        self.inner, self.on_get, self.delay = inner, on_get, delay

    async def get(self, key, *, if_none_match=None):
        if self.delay is not None:
            await asyncio.sleep(self.delay(key))
        if self.on_get is not None:
            await self.on_get(key)
        return await self.inner.get(key, if_none_match=if_none_match)

    async def put(self, key, body, *, if_match=None, create_only=False):
        return await self.inner.put(key, body, if_match=if_match, create_only=create_only)

    async def list(self, prefix):
        return await self.inner.list(prefix)

    async def delete(self, key):
        return await self.inner.delete(key)


def test_a_bad_last_part_after_the_others_were_inserted_leaves_nothing(devices):
    a, b, _ = devices
    _history(a)
    store = a.engine.store
    last = _parts(store)[-1]
    good = store.objects[last]
    store.objects[last] = good[:-30] + bytes([good[-30] ^ 1]) + good[-29:]
    seen_before_last = []

    async def on_get(key):
        if key == last:  # the same connection sees the rows the take has inserted so far
            seen_before_last.append(
                b.ws.conn.execute("SELECT count(*) FROM artifacts").fetchone()[0])

    b.use(Spy(store, on_get))
    with pytest.raises(Refused):
        drive(b.engine.pull())
    assert seen_before_last and seen_before_last[0] > 0  # earlier parts were in
    assert not b.ws.conn.in_transaction
    assert adopt.is_fresh(b.ws.conn)  # nothing applied: no row, no clock, no cursor
    for table in ("artifact_versions", "sync_rows", "search_map", "link_names"):
        assert b.ws.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    store.objects[last] = good  # the next pull takes it all
    drive(b.engine.pull())
    assert synced_state(b.ws) == synced_state(a.ws)
    check_invariants(b.ws)


def test_versions_split_over_parts_that_arrive_in_reverse_are_numbered_as_written(devices):
    a, b, _ = devices
    _history(a)
    keys = _parts(a.engine.store)
    order = {key: i for i, key in enumerate(keys)}
    b.use(Spy(a.engine.store, delay=lambda key: 0.002 * (len(keys) - order.get(key, 0))))
    assert asyncio.run(b.engine.pull()) > 0
    assert synced_state(b.ws) == synced_state(a.ws)
    assert _seqs(b.ws) == _seqs(a.ws)  # each version's number within its document
    check_invariants(b.ws)
    assert [h["path"] for h in search.search(b.ws, "zebras")["hits"]]


def test_a_write_during_the_download_takes_over_and_outlives_a_part_refused_later(devices):
    a, b, _ = devices
    _history(a)
    store = a.engine.store
    keys = _parts(store)
    good = store.objects[keys[-1]]
    store.objects[keys[-1]] = good[:-100]  # truncated: refused once every other part is in
    halfway, write_done = asyncio.Event(), asyncio.Event()

    async def on_get(key):
        if key == keys[2]:
            halfway.set()
            await write_done.wait()

    b.use(Spy(store, on_get))

    async def scenario():
        pull = asyncio.create_task(b.engine.pull())
        await halfway.wait()
        assert b.ws.held  # the take holds its transaction across the download
        mine = artifacts.create(b.ws, "/mine.md", "written on the new device meanwhile\n")
        write_done.set()
        with pytest.raises(Refused):
            await pull
        return mine

    mine = asyncio.run(scenario())
    assert not b.ws.held and not b.ws.conn.in_transaction
    assert [n["id"] for n in artifacts.list_tree(b.ws)["artifacts"]] == [mine.id]
    assert b.engine.waiting() > 0  # captured: it will be pushed
    store.objects[keys[-1]] = good
    b.use(store)
    drive(b.engine.sync())  # the snapshot merged with the note made here
    drive(a.engine.pull())
    assert synced_state(b.ws) == synced_state(a.ws)
    assert artifacts.get(a.ws, mine.id).text == "written on the new device meanwhile\n"
    check_invariants(b.ws)
