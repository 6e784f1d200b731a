"""The cycle collector waits while a pull makes and applies its records, and runs again after:
when the pull ends, when it fails, and only once the last of several holds ends."""

from __future__ import annotations

import gc
import os

import pytest

from pylib import artifacts, gcpause, platform
from pylib.sync import manifest as mf, merge
from pylib.sync.errors import StoreUnavailable
from pylib.sync.store import MemoryStore

from sync_devices import drive, memory_device

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_holds_nest_and_the_collector_runs_again_after_the_last():
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer hold is still on
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with gcpause.paused():
        pass
    assert not gc.isenabled()


def test_a_pull_applies_with_the_collector_off_and_turns_it_back_on(monkeypatch):
    store, key = MemoryStore(), os.urandom(32)
    a, b = memory_device(store, key), memory_device(store, key)
    doc = artifacts.create(a.ws, "/x.md", "from a\n")
    drive(a.engine.sync())
    seen, real = [], merge.merge_records

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr("pylib.sync.engine.merge_records", watching)
    assert drive(b.engine.pull()) > 0
    assert seen == [False] and gc.isenabled()
    assert artifacts.get(b.ws, doc.id).text == "from a\n"
    # A pull that fails on its way (the manifest read, then S3 gone) turns it back on too.
    artifacts.update(a.ws, doc.id, "again\n")
    drive(a.engine.sync())
    real_get, asked = store.get, []

    async def down_after_the_manifest(key, **kwargs):
        asked.append((key, gc.isenabled()))
        if key != mf.KEY:
            raise StoreUnavailable()
        return await real_get(key, **kwargs)

    monkeypatch.setattr(store, "get", down_after_the_manifest)
    with pytest.raises(StoreUnavailable):
        drive(b.engine.pull())
    assert asked[0] == (mf.KEY, True) and asked[-1][1] is False  # held while reading the segment
    assert gc.isenabled()
