"""Simulated devices for sync tests: each has its own workspace file and engine; all share a
store. ``synced_state`` is what must be identical on every device once all have synced."""

from __future__ import annotations

import os
from typing import Any

from pylib import db, textstore, versions
from pylib.sync.engine import SyncEngine
from pylib.sync.store import ObjectStore
from pylib.sync.tables import TABLES


class Device:
    def __init__(self, path: str, store: ObjectStore, key: bytes) -> None:
        self.path, self.key = path, key
        self.ws = db.open_workspace(path, synchronous="OFF")
        self.engine = SyncEngine(self.ws, store, key)

    def use(self, store: ObjectStore) -> None:
        self.engine.store = store

    def reopen(self) -> None:
        """Close and open the file again (as after a crash: only committed data is there)."""
        store = self.engine.store
        self.ws.close()
        self.ws = db.open_workspace(self.path, synchronous="OFF")
        self.engine = SyncEngine(self.ws, store, self.key)

    def close(self) -> None:
        self.ws.close()


def make_devices(tmp_path, store: ObjectStore, n: int, key: bytes | None = None) -> list[Device]:
    key = key or os.urandom(32)
    return [Device(str(tmp_path / f"device{i}.sqlite"), store, key) for i in range(n)]


async def settle(devices: list[Device], rounds: int = 6) -> int:
    """Sync every device in turn until a whole round moves nothing; returns the rounds."""
    for done in range(1, rounds + 1):
        moved = 0
        for device in devices:
            result = await device.engine.sync()
            moved += result["pushed"]
        if not moved and all(d.engine.waiting() == 0 for d in devices):
            # one more pull each so that the last pusher's changes are everywhere
            for device in devices:
                await device.engine.pull()
            return done
    raise AssertionError(f"sync did not settle in {rounds} rounds")


def synced_state(ws) -> dict[str, Any]:
    """Every synced table as a comparable value (versions by their logical content)."""
    out: dict[str, Any] = {}
    for name, table in TABLES.items():
        cols = [c for c in table.columns if not (name == "artifact_versions" and c == "content")]
        # A text by its bytes, not its stored form (a new device packs its texts just after).
        cols = [textstore.column() if (name, c) == ("artifacts", "content") else c for c in cols]
        rows = ws.conn.execute(f"SELECT id, {', '.join(cols)} FROM {name} ORDER BY id").fetchall()
        if name == "artifact_versions":
            rows = [(*r, _version_text(ws, r[0])) for r in rows]
        out[name] = rows
    return out


def _version_text(ws, version_id: str) -> bytes | None:
    try:
        return versions.content_of(ws, version_id)[1]
    except Exception:  # noqa: BLE001 - a missing content is compared as None
        return None


def check_invariants(ws) -> None:
    """integrity_check ok, unique live paths, every live row's folder exists."""
    conn = ws.conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    live = [p for (p,) in conn.execute(
        "SELECT path FROM artifacts WHERE deleted_at IS NULL UNION ALL"
        " SELECT path FROM folders WHERE deleted_at IS NULL")]
    assert len(live) == len(set(live)), sorted(p for p in live if live.count(p) > 1)
    assert not any("\x00" in p for p in live)
    folders_live = {p for (p,) in conn.execute("SELECT path FROM folders WHERE deleted_at IS NULL")}
    for path in live:
        parent = path.rsplit("/", 1)[0] or "/"
        assert parent == "/" or parent in folders_live, path
    from pylib.search import indexer
    assert indexer.check(ws) == []


def drive(coro):
    """Run a coroutine that never waits on anything (the memory store, CPython's crypto) to
    its end without an event loop: fast enough for thousands of histories."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise RuntimeError("the coroutine waited on something; use an event loop")


class Faulty(ObjectStore):
    """A store that fails on purpose: ``faults`` maps an operation's number (counted from 0
    over every call) to ``"before"`` (fails, nothing done: a dropped request or a 5xx),
    ``"after"`` (done, but the answer is lost: a crash or a drop mid-response) or ``"412"``
    (a conditional write refused as if another device had just written)."""

    def __init__(self, inner: ObjectStore, faults: dict[int, str] | None = None) -> None:
        self.inner, self.faults, self.calls = inner, dict(faults or {}), 0

    async def _run(self, op, conditional: bool = False):
        from pylib.sync.errors import PreconditionFailed, StoreUnavailable

        fault = self.faults.pop(self.calls, None)
        self.calls += 1
        if fault == "before":
            raise StoreUnavailable("injected: no answer")
        if fault == "412" and conditional:
            raise PreconditionFailed("injected: lost a race")
        result = await op()
        if fault == "after":
            raise StoreUnavailable("injected: the answer was lost")
        return result

    async def get(self, key, *, if_none_match=None):
        return await self._run(lambda: self.inner.get(key, if_none_match=if_none_match))

    async def put(self, key, body, *, if_match=None, create_only=False):
        return await self._run(
            lambda: self.inner.put(key, body, if_match=if_match, create_only=create_only),
            conditional=bool(if_match or create_only))

    async def list(self, prefix):
        return await self._run(lambda: self.inner.list(prefix))

    async def delete(self, key):
        return await self._run(lambda: self.inner.delete(key))


_TEMPLATE: bytes | None = None


def memory_device(store: ObjectStore, key: bytes) -> "Device":
    """A device whose workspace lives in memory, copied from one migrated template (opening
    and migrating a file per device would dominate a property test's time)."""
    global _TEMPLATE
    import sqlite3

    from pylib.links import index as link_index

    if _TEMPLATE is None:
        from pylib import migrations

        fresh = migrations.create_fresh()
        link_index.ensure_built(fresh)
        _TEMPLATE = fresh.serialize()
        fresh.close()
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.deserialize(_TEMPLATE)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("UPDATE sync_clock SET device = lower(hex(randomblob(16)))")
    device = Device.__new__(Device)
    device.path, device.key = ":memory:", key
    device.ws = db.Workspace(conn, ":memory:")
    device.engine = SyncEngine(device.ws, store, key)
    return device
