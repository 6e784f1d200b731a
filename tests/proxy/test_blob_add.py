"""``files.add`` against the real proxy and real SeaweedFS: with the key unlocked, a large file's
bytes go to the device store and only a pointer into the workspace file (which does not grow by
the file's size, unlike ``artifacts.upload``); the queue uploads it from there; a copy checked
once is not hashed again on every open; a refused add
leaves neither a row nor stray bytes; a locked key falls back to ``pending_uploads``."""

from __future__ import annotations

import os
import random
import sqlite3
import sys
from pathlib import Path

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import remote  # noqa: F401  (fixtures)
from test_blob_methods import PASS, call, device

from pylib import api

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from test_blobs_s3 import stored_objects  # noqa: E402

MB = 1024 * 1024


def test_a_large_file_added_with_the_key_unlocked_never_enters_the_sqlite_file(remote, s3_service, tmp_path):
    path, folder = tmp_path / "w.sqlite", tmp_path / "device"
    data, other = random.Random(1).randbytes(3 * MB), random.Random(2).randbytes(3 * MB)

    async def scenario():
        out = {}
        api.open_workspace(str(path))
        svc = device(remote, folder)
        await call("keys.setup", passphrase=PASS)
        before = os.path.getsize(path)
        out["added"] = await call("files.add", path="/big.bin", data=data, mime_type="application/octet-stream")
        out["grew"] = os.path.getsize(path) - before
        out["device"] = sorted(p.read_bytes() == data for p in folder.iterdir())
        out["waiting"] = [r["state"] for r in await call("files.list")]
        await call("files.sync")
        await svc.wait()
        out["uploaded"] = [r["state"] for r in await call("files.list")]
        out["opened"] = (await call("files.open", id=out["added"]["id"]))["data"] == data
        hashed, sha256 = [], svc.host.platform.sha256

        async def counted(data):
            hashed.append(len(data))
            return await sha256(data)

        svc.host.platform.sha256 = counted  # the real hash, counted: a checked copy is not hashed again
        opened = [(await call("files.open", id=out["added"]["id"]))["data"] == data for _ in range(3)]
        out["reopened"] = opened, list(hashed)
        svc.host.platform.sha256 = sha256
        out["taken"] = await call("files.add", path="/big.bin", data=other)  # refused: nothing kept
        out["files_after_refusal"] = len(list(folder.iterdir()))
        before = os.path.getsize(path)
        await call("artifacts.upload", path="/inside.bin", data=other)  # the old way, for contrast
        out["inside_grew"] = os.path.getsize(path) - before
        await call("keys.lock")
        out["locked"] = await call("files.add", path="/locked.bin", data=random.Random(3).randbytes(2 * MB))
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["added"]["pending_upload"] is False and out["added"]["size_bytes"] == len(data)
    assert out["grew"] < 256 * 1024, out["grew"]  # a pointer and a few rows, not 3 MB
    assert out["inside_grew"] >= len(data)  # the same size through pending_uploads: the measure is real
    assert out["device"] == [True]
    assert out["waiting"] == ["waiting"] and out["uploaded"] == ["on_device"]
    assert out["opened"] is True and out["reopened"] == ([True] * 3, [])
    assert out["taken"]["code"] == "conflict" and out["files_after_refusal"] == 1
    # No key: kept on the device (pending, the tree's "local" badge) and named once unlocked.
    assert out["locked"]["pending_upload"] is True
    blobs = [k for k in stored_objects(s3_service, remote[2]) if k.startswith("blobs/")]
    assert len(blobs) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM pending_uploads").fetchone()[0] == 1  # inside.bin
        assert conn.execute("SELECT count(*) FROM local_files").fetchone()[0] == 1  # locked.bin
        assert conn.execute("SELECT s3_key IS NOT NULL FROM artifacts WHERE path = '/big.bin'").fetchone()[0] == 1


def test_files_added_and_saved_while_locked_upload_once_the_key_is_unlocked(remote, s3_service, tmp_path):
    path, folder = tmp_path / "w.sqlite", tmp_path / "device"
    marker = b"QUIRE-LOCKED-PLAINTEXT"
    first, second, third = (marker + random.Random(i).randbytes(2 * MB + i) for i in (4, 5, 6))

    async def scenario():
        out = {}
        api.open_workspace(str(path))
        svc = device(remote, folder)
        await call("keys.setup", passphrase=PASS)
        await call("keys.lock")
        before = os.path.getsize(path)
        added = await call("files.add", path="/locked.bin", data=first, mime_type="application/octet-stream")
        saved = await call("files.update", id=added["id"], content=second, base_hash=added["hash"])
        out["grew"] = os.path.getsize(path) - before
        out["saved"] = saved["pending_upload"], saved["size_bytes"]
        synced = await call("files.sync")  # locked: nothing can go up
        await svc.wait()
        out["locked"] = synced["unlocked"], synced["waiting"]["count"], [r["state"] for r in await call("files.list")]
        out["s3_locked"] = [k for k in stored_objects(s3_service, remote[2]) if k.startswith("blobs/")]
        await call("keys.unlock", passphrase=PASS)  # starts the queue: name, then upload
        await svc.wait()
        out["uploaded"] = [r["state"] for r in await call("files.list")]
        out["device"] = sorted(len(p.name) for p in folder.iterdir())
        saved = await call("files.update", id=added["id"], content=third)  # unlocked: named at once
        out["third"] = [r["state"] for r in await call("files.list")]
        await call("files.sync")
        await svc.wait()
        out["freed"] = (await call("files.free_space"))["dropped"]
        out["opened"] = (await call("files.open", id=added["id"]))["data"] == third  # from S3, verified
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["grew"] < 256 * 1024, out["grew"]
    assert out["saved"] == (True, len(second))  # pending: kept on this device under a local name
    assert out["locked"] == (False, 2, ["waiting"]) and out["s3_locked"] == []
    assert out["uploaded"] == ["on_device"] and out["device"] == [64, 64]  # named: no local name left
    assert out["third"] == ["waiting"]
    assert out["freed"] == 3 and out["opened"] is True
    objects = stored_objects(s3_service, remote[2])
    assert len([k for k in objects if k.startswith("blobs/")]) == 3  # every version's content, encrypted
    assert all(marker not in body and b"locked.bin" not in body for body in objects.values())
