"""Sync against the real thing: devices in CPython, each with its own workspace file, through
the proxy's presign routes in a live server and real SeaweedFS — with faults injected at
the store boundary (dropped requests, lost answers, lost races, delays, refused URLs) and
representative property histories."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from pylib import artifacts, versions
from pylib.platform.cpython import CPythonPlatform
from pylib.sync.errors import SyncError
from pylib.sync.proxystore import ProxyStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from sync_devices import Device, Faulty, check_invariants, settle, synced_state  # noqa: E402
from test_sync_property import run_history  # noqa: E402
from test_sync_store_conformance import proxy_url  # noqa: E402,F401


class RefusingFirst(CPythonPlatform):
    """The host's fetch, but the first S3 request goes out with a broken signature, as an
    expired URL would: S3 answers 403 and the store must sign again."""

    def __init__(self) -> None:
        self.refused = 0

    async def fetch(self, url, **kwargs):
        if "X-Amz-Signature=" in url and not self.refused:
            self.refused += 1
            url = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
        return await super().fetch(url, **kwargs)


class Slow(Faulty):
    """Every store operation waits a little first (a slow network)."""

    async def _run(self, op, conditional=False):
        await asyncio.sleep(0.01)
        return await super()._run(op, conditional)


def _store(url: str, uid: str, host=None) -> ProxyStore:
    return ProxyStore(url, {"x-test-user": uid}, host)


def test_two_devices_merge_and_a_third_restores_through_seaweedfs(proxy_url, new_uid, tmp_path):
    uid, key = new_uid("sync"), os.urandom(32)

    async def scenario():
        a, b = (Device(str(tmp_path / f"{n}.sqlite"), _store(proxy_url, uid), key) for n in "ab")
        doc = artifacts.create(a.ws, "/notes/plan.md", "one\ntwo\nthree\nfour\nmarker-7f3a\n")
        await settle([a, b])
        artifacts.update(a.ws, doc.id, "ONE\ntwo\nthree\nfour\nmarker-7f3a\n")
        artifacts.update(b.ws, doc.id, "one\ntwo\nthree\nFOUR\nmarker-7f3a\n")
        await settle([a, b])
        assert await a.engine.compact()
        c = Device(str(tmp_path / "c.sqlite"), _store(proxy_url, uid), key)
        seen = []
        c.engine.progress = lambda done, total: seen.append((done, total))
        await c.engine.pull()
        objects = await a.engine.store.list("")
        bodies = [(await a.engine.store.get(k)).body for k, _ in objects]
        merged = "ONE\ntwo\nthree\nFOUR\nmarker-7f3a\n"
        assert [artifacts.get(d.ws, doc.id).text for d in (a, b, c)] == [merged] * 3
        assert synced_state(a.ws) == synced_state(b.ws) == synced_state(c.ws)
        for device in (a, b, c):
            check_invariants(device.ws)
            device.close()
        return seen, bodies

    seen, bodies = run(scenario())
    assert seen and seen[-1][0] == seen[-1][1]
    assert bodies and not any(b"marker-7f3a" in body for body in bodies)  # ciphertext only


@pytest.mark.parametrize("faults", [
    {1: "after"}, {2: "before"}, {3: "after"}, {3: "412"},
])
def test_faults_at_the_store_boundary_converge_with_nothing_lost(proxy_url, new_uid, tmp_path,
                                                                 faults):
    uid, key = new_uid("sync"), os.urandom(32)
    host = RefusingFirst()

    async def scenario():
        a = Device(str(tmp_path / "a.sqlite"), _store(proxy_url, uid, host), key)
        b = Device(str(tmp_path / "b.sqlite"), _store(proxy_url, uid), key)
        doc = artifacts.create(a.ws, "/d.md", "base\n")
        await settle([a, b])
        artifacts.update(b.ws, doc.id, "base\nfrom b\n")
        real = a.engine.store
        a.use(Slow(real, faults))
        artifacts.update(a.ws, doc.id, "from a\nbase\n")
        try:
            await a.engine.sync()
        except SyncError:
            pass
        a.use(real)
        await settle([a, b])
        texts = {artifacts.get(d.ws, doc.id).text for d in (a, b)}
        assert texts == {"from a\nbase\nfrom b\n"}
        assert synced_state(a.ws) == synced_state(b.ws)
        assert {v["reason"] for v in versions.list_versions(a.ws, doc.id)} >= {"create", "update"}
        a.close()
        b.close()

    run(scenario())
    assert host.refused == 1  # the refused URL was signed again and the sync went on


HISTORIES = [
    (2, [("edit", 0, 1, 1), ("edit", 1, 1, 1), ("crash", 0, 3, 1), ("trash", 1, 0, 0),
         ("restore", 0, 0, 0), ("compact", 1, 2, 0), ("join", 0, 0, 0)]),
    (3, [("rename", 0, 0, 1), ("move", 1, 0, 2), ("trash_folder", 2, 0, 0),
         ("edit", 1, 0, 2), ("crash", 2, 2, 2), ("create", 0, 1, 1), ("sync", 1, 0, 0)]),
    # A rename sent by one device while the other, not having pulled it, edits and repairs.
    (2, [("rename", 1, 0, 1), ("sync", 1, 0, 0), ("edit", 0, 1, 1), ("repair", 0, 0, 0),
         ("sync", 0, 0, 0), ("compact", 1, 0, 0), ("repair", 1, 0, 0), ("edit", 1, 0, 0)]),
]


@pytest.mark.parametrize("history", HISTORIES)
def test_representative_histories_on_the_real_server(proxy_url, new_uid, history):
    uid = new_uid("sync")

    def play():
        loop = asyncio.new_event_loop()
        try:
            run_history(*history, store=_store(proxy_url, uid), run=loop.run_until_complete)
        finally:
            loop.close()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(play).result()


class Counting(CPythonPlatform):
    """The host's fetch, counting the requests to the proxy's presign route."""

    def __init__(self) -> None:
        self.presigns = 0

    async def fetch(self, url, **kwargs):
        self.presigns += "/api/s3/presign" in url
        return await super().fetch(url, **kwargs)


def test_a_poll_uses_its_signed_get_again_and_a_change_still_shows(proxy_url, new_uid, tmp_path):
    uid, key, host = new_uid("sync"), os.urandom(32), Counting()

    async def scenario():
        a = Device(str(tmp_path / "a.sqlite"), _store(proxy_url, uid, host), key)
        b = Device(str(tmp_path / "b.sqlite"), _store(proxy_url, uid), key)
        doc = artifacts.create(b.ws, "/d.md", "one\n")
        await settle([a, b])
        before = host.presigns
        assert [await a.engine.pull() for _ in range(3)] == [0, 0, 0]  # 304s
        assert host.presigns - before <= 1  # one signed GET (perhaps the last one), sent again
        artifacts.update(b.ws, doc.id, "two\n")
        await b.engine.sync()
        assert await a.engine.pull() > 0  # the same signed GET now answers 200
        assert artifacts.get(a.ws, doc.id).text == "two\n"
        for device in (a, b):
            device.close()

    run(scenario())
