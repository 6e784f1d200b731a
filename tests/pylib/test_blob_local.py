"""Large files while the workspace key is locked or was never set up (pylib.blobs.local), through
the engine's methods, on this device alone (no server is needed until the upload): a new file
and new content saved over one go to the device store under a local name, not into the SQLite
file, and read back without a key, after a reopen too; a file an older engine left in
``pending_uploads`` is moved out the same way; a refused save leaves no bytes behind; a file
deleted for good is dropped; once a key is kept, each local file is named (keyed hash), its
bytes moved to that name — also after a run that stopped between the move and the commit — and
its upload queued; a local name is never uploaded. The upload itself, against the real proxy
and SeaweedFS: tests/proxy/test_blob_add.py (and in Pyodide, tests/proxy/test_blobs_pyodide.py).
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
from pathlib import Path

import pytest

from pylib import api, platform, rpc
from pylib.artifact_tree import list_tree
from pylib.blobs import BlobStore, ledger, local, service
from pylib.blobs.device import DirectoryFiles
from pylib.keys import new_data_key
from pylib.platform.cpython import CPythonPlatform

sys.path.insert(0, str(Path(__file__).parent))
from aio import run  # noqa: E402

# Pyodide cannot block on its event loop from a test: the same engine runs there, against the
# real proxy, through tests/proxy/test_blobs_pyodide.py (tests/pyodide/run_blob_remote.mjs).
pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="async engine methods: tests/proxy (Pyodide)")
MB = 1024 * 1024


@pytest.fixture
def device(tmp_path):
    """A file service with no key and no reachable server; the device store in a folder."""
    folder = tmp_path / "device"

    def configure() -> service.FileService:
        async def files():
            return DirectoryFiles(folder)
        return service.configure(service.Host(CPythonPlatform(), service.MemoryKeyCache(), files,
                                              base_url="http://127.0.0.1:9", workspace="ws-local"))

    yield folder, configure
    service._current = None  # other tests expect no service


async def call(method: str, **params):
    reply = await rpc.answer_async({"id": 1, "method": method, "params": params})
    return reply["result"] if reply["ok"] else reply["error"]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_files_added_while_locked_stay_on_the_device_and_are_named_once_a_key_is_kept(device, tmp_path):
    folder, configure = device
    path = tmp_path / "w.sqlite"
    one, two, old = (random.Random(i).randbytes(MB + 1000 * i) for i in (1, 2, 3))
    sha = {k: hashlib.sha256(v).hexdigest() for k, v in {"one": one, "two": two, "old": old}.items()}

    async def scenario():
        out = {}
        api.open_workspace(str(path))
        configure()
        before = os.path.getsize(path)
        added = await call("files.add", path="/a.bin", data=one, mime_type="application/octet-stream")
        out["added"] = added["pending_upload"], added["size_bytes"]
        out["tree"] = [(a["path"], a["pending_upload"]) for a in list_tree(api.current())["artifacts"]]
        out["grew"] = os.path.getsize(path) - before
        out["after_add"] = names(folder)
        out["list"] = [(r["path"], r["state"]) for r in await call("files.list")]
        status = await call("files.status")
        out["status"] = status["unlocked"], status["waiting"], status["on_device"]
        out["open"] = (await call("files.open", id=added["id"]))["data"] == one
        out["stale"] = (await call("files.update", id=added["id"], content=two, base_hash="0" * 64))["code"]
        out["after_stale"] = names(folder)
        before = os.path.getsize(path)
        await call("files.update", id=added["id"], content=two, base_hash=added["hash"])
        out["update_grew"] = os.path.getsize(path) - before
        out["after_update"] = names(folder)
        legacy = await call("artifacts.upload", path="/old.bin", data=old)  # as an older engine kept it
        out["legacy"] = legacy["pending_upload"]
        synced = await call("files.sync")
        out["offloaded"] = (api.current().conn.execute("SELECT count(*) FROM pending_uploads").fetchone()[0],
                            synced["waiting"]["count"])
        api.close_workspace()

        api.open_workspace(str(path))  # a reload: nothing kept in memory
        configure()
        out["reopened"] = [(await call("files.open", id=i))["data"] for i in (added["id"], legacy["id"])]
        # The "blobs" check: every artifact's bytes can be found (history's check counts any large
        # file's versions as missing content, local or not).
        out["check"] = [p for p in (await call("care.check"))["problems"] if p["check"] == "blobs"]
        out["delete"] = await call("artifacts.delete", id=legacy["id"])
        await call("trash.empty")
        await call("files.sync")  # locked: a file deleted for good is dropped, nothing to upload
        out["after_purge"] = names(folder)

        svc = configure()
        await svc.keep("uid-1", new_data_key(svc.host.platform))
        store: BlobStore = await svc.store()
        ws, files = api.current(), await svc.files()
        stopped = ledger.BlobRef(await _name(store, sha["two"]), sha["two"], len(two))
        await files.rename(local.local_name(sha["two"]), stopped.name)  # a run that stopped after the move
        named = await local.name_local(ws, store, files)
        out["named"] = sorted(r.sha256 for r in named)
        out["rows"] = ws.conn.execute("SELECT count(*) FROM local_files").fetchone()[0]
        out["ledger"] = sorted((r.ref.name, r.state, r.on_device) for r in ledger.due(ws, ws.clock()))
        out["pointer"] = ws.conn.execute("SELECT s3_key FROM artifacts WHERE id = ?", (added["id"],)).fetchone()[0]
        out["stopped"] = stopped.key
        out["after_naming"] = names(folder)
        out["named_open"] = (await call("files.open", id=added["id"]))["data"] == two
        try:
            await store.upload(two, ledger.BlobRef(local.local_name(sha["two"]), sha["two"], len(two)))
        except ValueError as error:
            out["refused"] = str(error)
        api.close_workspace()
        return out

    out = run(scenario())
    # Pending (the tree's "local" badge): kept on this device until it can be uploaded.
    assert out["added"] == (True, len(one)) and out["tree"] == [("/a.bin", True)]
    assert out["grew"] < 256 * 1024, out["grew"]  # a pointer and a few rows, not 1 MB
    assert out["after_add"] == [local.local_name(sha["one"])]
    assert out["list"] == [("/a.bin", "waiting")]
    assert out["status"] == (False, {"count": 1, "bytes": len(one)}, {"count": 1, "bytes": len(one)})
    assert out["open"] is True
    assert out["stale"] == "conflict" and out["after_stale"] == out["after_add"]  # nothing left behind
    assert out["update_grew"] < 256 * 1024, out["update_grew"]
    # The first content stays: the version before refers to it.
    assert out["after_update"] == sorted(local.local_name(sha[k]) for k in ("one", "two"))
    assert out["legacy"] is True and out["offloaded"] == (0, 3)
    assert out["reopened"] == [two, old] and out["check"] == []
    assert out["delete"].get("code") is None
    assert out["after_purge"] == sorted(local.local_name(sha[k]) for k in ("one", "two"))
    assert out["named"] == sorted([sha["one"], sha["two"]]) and out["rows"] == 0
    assert [(state, on) for _, state, on in out["ledger"]] == [("waiting", True)] * 2
    assert out["pointer"] == out["stopped"]
    assert out["after_naming"] == sorted(name for name, _, _ in out["ledger"])
    assert all(len(n) == 64 and not n.startswith(local.PREFIX) for n in out["after_naming"])
    assert out["named_open"] is True and "never uploaded" in out["refused"]


async def _name(store: BlobStore, sha256: str) -> str:
    from pylib.blobs import format as fmt

    return await fmt.object_name(store.platform, store.keys.names, bytes.fromhex(sha256))


def test_a_replace_import_keeps_a_local_file_its_backup_refers_to_until_it_can_go_up(device, tmp_path):
    """A file kept under a local name (the key locked) that only the replaced workspace refers
    to: its backup does, so it is not dropped as unused, is named and queued once a key is kept,
    and is never garbage; the backup imported again opens it from here."""
    folder, configure = device
    data = random.Random(9).randbytes(MB + 77)
    empty = tmp_path / "empty.sqlite"

    async def scenario():
        out = {}
        api.open_workspace(str(empty))
        blank = (await call("transfer.export"))["data"]
        api.close_workspace()
        api.open_workspace(str(tmp_path / "w.sqlite"))
        configure()
        added = await call("files.add", path="/l.bin", data=data, mime_type="application/octet-stream")
        replaced = await call("transfer.import", data=blank, mode="replace")
        await call("files.sync")  # locked: what nothing refers to would be dropped here
        out["kept"] = names(folder)
        svc = configure()
        await svc.keep("uid-1", new_data_key(svc.host.platform))
        ws, files = api.current(), await svc.files()
        named = await local.name_local(ws, await svc.store(), files)
        out["named"] = [r.sha256 for r in named]
        out["queued"] = [(r.ref.sha256, r.state) for r in ledger.due(ws, ws.clock())]
        out["unreferenced_waiting"] = ledger.unreferenced_waiting(ws)
        with ws.transaction():
            out["garbage"] = ledger.sweep(ws, ws.clock() + 10 * ledger.GC_GRACE_MS)
        with ws.transaction():
            out["garbage_later"] = ledger.sweep(ws, ws.clock() + 20 * ledger.GC_GRACE_MS)
        await call("transfer.import", data=replaced["backup"], mode="replace")
        out["back"] = (await call("files.open", id=added["id"]))["data"]
        out["flag"] = ws.conn.execute("SELECT for_backup FROM blobs").fetchall()
        api.close_workspace()
        return out

    out = run(scenario())
    digest = hashlib.sha256(data).hexdigest()
    assert out["kept"] == [local.local_name(digest)]
    assert out["named"] == [digest] and out["queued"] == [(digest, "waiting")]
    assert out["unreferenced_waiting"] == [] and out["garbage"] == [] and out["garbage_later"] == []
    assert out["back"] == data and out["flag"] == [(0,)]  # referred to again: an ordinary row


def test_a_repair_keeps_the_files_this_device_holds(device, tmp_path):
    """care.repair rebuilds the workspace from its readable rows; the device's own rows come
    along (as for a replace-import), so a file kept here under a local name still opens."""
    folder, configure = device
    data = random.Random(10).randbytes(MB + 99)

    async def scenario():
        api.open_workspace(str(tmp_path / "w.sqlite"))
        configure()
        added = await call("files.add", path="/r.bin", data=data, mime_type="application/octet-stream")
        await call("care.repair")
        await call("files.sync")  # locked: an unused local file would be dropped here
        opened = (await call("files.open", id=added["id"]))["data"]
        api.close_workspace()
        return opened, names(folder)

    opened, kept = run(scenario())
    assert opened == data and kept == [local.local_name(hashlib.sha256(data).hexdigest())]
