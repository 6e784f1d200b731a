"""The worker's sync service through a live proxy and real SeaweedFS: nothing is sent before
the workspace has a key; a key made on one device unlocks on another (passphrase or words);
an edit travels; the status says what is going on in words, in the shapes the contract names."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import TypeAdapter

from pylib import artifacts, db
from pylib.platform.cpython import CPythonPlatform
from pylib.sync import adopt, packing
from pylib.sync import models as sm
from pylib.sync.service import SyncService

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from test_sync_store_conformance import proxy_url  # noqa: E402,F401

SMALL = {"memory_kib": 1024, "iterations": 1, "parallelism": 1}  # Argon2id, cheap for tests
PASS = "correct horse battery staple"


def device(tmp_path, name: str, url: str, uid: str) -> SyncService:
    svc = SyncService(CPythonPlatform(), base_url=url, headers={"x-test-user": uid}, costs=SMALL)
    svc.attach(db.open_workspace(str(tmp_path / f"{name}.sqlite"), synchronous="OFF"))
    return svc


def test_no_key_sends_nothing_then_a_key_made_on_one_device_syncs_the_other(proxy_url, new_uid, tmp_path):
    uid = new_uid("svc")

    async def scenario():
        a, b = device(tmp_path, "a", proxy_url, uid), device(tmp_path, "b", proxy_url, uid)
        doc = artifacts.create(a.ws, "/plan.md", "one\ntwo\n")
        first = await a.tick()
        assert (first["state"], first["text"], first["key"]) == ("key_missing", "Set up encryption to sync", "no_keys")
        assert first["waiting"] >= 1 and await a.store.list("") == []  # nothing sent
        created = await a.create_keys(PASS)
        TypeAdapter(sm.KeysCreated).validate_python(created)
        assert len(created["recovery_words"]) == 24
        pushed = TypeAdapter(sm.SyncStatus).validate_python(await a.tick()).model_dump()
        assert pushed["state"] == "synced" and pushed["waiting"] == 0 and pushed["last_synced"]
        locked = await b.tick()
        assert (locked["key"], locked["text"]) == ("locked", "Enter your passphrase to sync")
        TypeAdapter(sm.SyncStatus).validate_python(await b.unlock(PASS))
        pulled = await b.tick()
        assert pulled["pulled"] >= 1 and artifacts.get(b.ws, doc.id).text == "one\ntwo\n"
        # Both change the same line: one text stays, the other is a conflict version, announced.
        artifacts.update(a.ws, doc.id, "one\nA\n")
        artifacts.update(b.ws, doc.id, "one\nB\n")
        await a.tick(now=True)
        merged = await b.tick(now=True)
        assert merged["conflicts"] == [{"artifact_id": doc.id, "path": "/plan.md"}]
        # Offline: nothing is tried, the status counts what waits.
        b.event("offline")
        artifacts.update(b.ws, doc.id, "one\nB2\n")
        offline = await b.tick(now=True)
        assert offline["state"] == "offline" and offline["waiting"] == 1  # one note changed
        assert offline["text"] == "Offline — 1 change waiting"
        b.event("online")
        assert (await b.tick())["state"] == "synced"
        # A third device unlocks with the recovery words and gets everything: from a snapshot,
        # taken whole with its indexes and its texts as they are stored: nothing is left for
        # later (no link index to build, no text to pack), so no tick says "indexed".
        await a.tick(now=True)  # a has everything, so that its snapshot does
        assert await a.engine.compact()
        c = device(tmp_path, "c", proxy_url, uid)
        await c.unlock(words=" ".join(created["recovery_words"]))
        first_pull = await c.tick()
        assert first_pull["pulled"] >= 1 and first_pull["wake_in_ms"] > 0  # the usual poll
        assert not first_pull["indexed"] and not adopt.due(c.ws.conn)
        assert not packing.due(c.ws.conn) and not (await c.tick())["indexed"]
        await a.tick(now=True)
        assert artifacts.get(c.ws, doc.id).text == artifacts.get(a.ws, doc.id).text == "one\nB2\n"
        bodies = [(await a.store.get(k)).body for k, _ in await a.store.list("sync/")]
        assert bodies and not any(b"one\nB2" in body for body in bodies)
        for svc in (a, b, c):
            svc.ws.close()

    run(scenario())
