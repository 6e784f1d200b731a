"""Old versions of large files through the engine's methods (pylib.rpc), against the real proxy
and real SeaweedFS: a replaced large file's old version opens (from this device, then downloaded
from S3 once the cache is freed) and is restored by pointing the file at its object again — no
object is sent twice; garbage collection keeps an object a version alone refers to; an object
gone from S3, and a device offline with no cached copy, are refused with a clear message and
nothing changes."""

from __future__ import annotations

import hashlib
import random
import sys
from pathlib import Path

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, free_port, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import remote  # noqa: F401  (fixtures)
from test_blob_methods import PASS, call, device

from pylib import api
from pylib.blobs import service
from pylib.blobs.device import DirectoryFiles
from pylib.blobs.gc import collect_garbage
from pylib.platform.cpython import CPythonPlatform
from pylib.s3client import Retry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from test_blobs_s3 import stored_objects  # noqa: E402


async def _no_wait(_seconds: float) -> None:
    return None


def blob_keys(s3_service, uid: str) -> set[str]:
    return {k for k in stored_objects(s3_service, uid) if k.startswith("blobs/")}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_old_version_of_a_large_file_opens_and_is_restored_without_sending_it_again(remote, s3_service, tmp_path):
    uid = remote[2]
    old, new = random.Random(11).randbytes(2_500_000), random.Random(12).randbytes(5_000_000)  # 1 and 2 segments

    async def scenario():
        out = {}
        api.open_workspace(str(tmp_path / "w.sqlite"))
        svc = device(remote, tmp_path / "device")
        await call("keys.setup", passphrase=PASS)
        art = await call("files.add", path="/big.bin", data=old, mime_type="application/octet-stream")
        await call("files.sync")
        await svc.wait()
        before = await call("artifacts.get", id=art["id"])
        await call("files.update", id=art["id"], content=new, base_hash=before["hash"])
        await call("files.sync")
        await svc.wait()
        out["objects"] = blob_keys(s3_service, uid)
        [v2, v1] = await call("versions.list", artifact_id=art["id"])
        out["listed"] = [(v["seq"], v["has_content"], v["hash"]) for v in (v2, v1)]
        out["no_content"] = await call("versions.restore", version_id=v1["id"])  # the synchronous path cannot
        out["from_device"] = await call("files.open_version", version_id=v1["id"])
        await call("files.free_space")
        out["from_s3"] = await call("files.open_version", version_id=v1["id"])
        await svc.settle()
        await call("files.free_space")
        out["restored"] = await call("files.restore_version", version_id=v1["id"])
        out["after"] = await call("versions.list", artifact_id=art["id"])
        out["current"] = (await call("files.open", id=art["id"]))["data"]
        out["objects_after"] = blob_keys(s3_service, uid)
        await svc.settle()  # the download is kept in the device cache after its answer
        out["list"] = await call("files.list")
        out["again"] = await call("files.restore_version", version_id=v1["id"])  # current already: no-op
        out["count_again"] = len(await call("versions.list", artifact_id=art["id"]))
        out["v1"], out["v2"] = v1, v2
        await svc.wait()
        api.close_workspace()
        return out

    out = run(scenario())
    assert len(out["objects"]) == 2  # one object per content
    assert out["listed"] == [(2, False, sha(new)), (1, False, sha(old))]
    assert out["no_content"]["code"] == "version_unavailable"
    assert out["from_device"]["data"] == old and out["from_device"]["name"] == "big (version 1).bin"
    assert out["from_s3"]["data"] == old
    restored = out["restored"]
    assert restored["hash"] == sha(old) and restored["size_bytes"] == len(old) and restored["pending_upload"] is False
    assert [(v["seq"], v["reason"], v["restored_from"], v["has_content"]) for v in out["after"]] == [
        (3, "restore", out["v1"]["id"], False), (2, "update", None, False), (1, "create", None, False)]
    assert out["current"] == old
    assert out["objects_after"] == out["objects"]  # pointed at the old object: nothing uploaded again
    assert [(r["path"], r["state"]) for r in out["list"]] == [("/big.bin", "on_device")]  # the open cached it
    assert out["again"]["hash"] == sha(old) and out["count_again"] == 3


def test_gc_keeps_what_versions_refer_to_and_a_gone_or_unreachable_version_changes_nothing(
        remote, s3_service, tmp_path):
    uid = remote[2]
    first, second, third = (random.Random(seed).randbytes(1_500_000) for seed in (21, 22, 23))

    async def scenario():
        out = {}
        ws = api.open_workspace(str(tmp_path / "w.sqlite"))
        svc = device(remote, tmp_path / "device")
        await call("keys.setup", passphrase=PASS)
        art = await call("files.add", path="/doc.bin", data=first, mime_type="application/octet-stream")
        for data in (second, third):
            await call("files.update", id=art["id"], content=data, base_hash=(await call("artifacts.get", id=art["id"]))["hash"])
        await call("files.sync")
        await svc.wait()
        [v3, v2, v1] = await call("versions.list", artifact_id=art["id"])
        # Long past any grace period: still, the objects only versions refer to are kept.
        store, now = await svc.store(), ws.clock()
        out["collected"] = [await collect_garbage(ws, store, now=now, grace_ms=1),
                            await collect_garbage(ws, store, now=now + 10 ** 9, grace_ms=1)]
        out["objects"] = blob_keys(s3_service, uid)

        # v2's object gone from S3 (and not cached here): refused, nothing changed.
        await call("files.free_space")
        ref_name = ws.conn.execute("SELECT name FROM blobs WHERE sha256 = ?", (sha(second),)).fetchone()[0]
        s3_service._client.delete_object(Bucket=s3_service.bucket, Key=f"users/{uid}/blobs/{ref_name}")
        before = await call("artifacts.get", id=art["id"])
        out["gone_open"] = await call("files.open_version", version_id=v2["id"])
        out["gone_restore"] = await call("files.restore_version", version_id=v2["id"])
        out["gone_unchanged"] = (await call("artifacts.get", id=art["id"]), len(await call("versions.list", artifact_id=art["id"])))
        out["before"] = before

        # Offline, v1 not cached: the same device with the server out of reach (its key kept here).
        cache = svc.host.key_cache
        offline = service.configure(service.Host(CPythonPlatform(), cache, svc.host.device_files,
                                                 base_url=f"http://127.0.0.1:{free_port()}", headers=svc.host.headers,
                                                 workspace="ws-m"))
        offline.client.retry = Retry(attempts=2, sleep=_no_wait)
        out["offline_open"] = await call("files.open_version", version_id=v1["id"])
        out["offline_restore"] = await call("files.restore_version", version_id=v1["id"])
        out["offline_unchanged"] = (await call("artifacts.get", id=art["id"]), len(await call("versions.list", artifact_id=art["id"])))
        # Locked and not cached: the key is needed to fetch it.
        await offline.forget()
        out["locked_open"] = await call("files.open_version", version_id=v1["id"])

        # The versions go with the file (trash emptied): then garbage collection deletes the objects.
        await call("artifacts.delete", id=art["id"])
        await call("trash.empty")
        svc = device(remote, tmp_path / "device")
        await call("keys.unlock", passphrase=PASS)
        store, now = await svc.store(), ws.clock()
        out["in_grace"] = await collect_garbage(ws, store, now=now, grace_ms=1000)  # unreferenced from now on
        out["deleted"] = await collect_garbage(ws, store, now=now + 2000, grace_ms=1000)
        out["objects_end"] = blob_keys(s3_service, uid)
        await svc.wait()
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["collected"] == [[], []] and len(out["objects"]) == 3
    for label in ("gone_open", "gone_restore"):
        assert out[label]["code"] == "version_unavailable", out[label]
        assert out[label]["details"]["reason"] == "gone"
        assert "no longer in the cloud" in out[label]["message"] and "Nothing was changed" in out[label]["message"]
    assert out["gone_unchanged"] == (out["before"], 3)
    for label in ("offline_open", "offline_restore"):
        assert out[label]["code"] == "version_unavailable", out[label]
        assert out[label]["details"]["reason"] == "offline"
        assert "cannot be reached" in out[label]["message"]
    assert out["offline_unchanged"] == (out["before"], 3)
    assert out["locked_open"]["code"] == "version_unavailable" and out["locked_open"]["details"]["reason"] == "locked"
    assert out["in_grace"] == [] and len(out["deleted"]) == 3 and out["objects_end"] == set()


def test_a_version_kept_here_before_the_key_could_name_it_is_restored_from_this_device(remote, s3_service, tmp_path):
    old, new = random.Random(31).randbytes(1_400_000), random.Random(32).randbytes(1_500_000)

    async def scenario():
        out = {}
        api.open_workspace(str(tmp_path / "w.sqlite"))
        svc = device(remote, tmp_path / "device")  # no key set up: both contents kept under local names
        art = await call("files.add", path="/local.bin", data=old, mime_type="application/octet-stream")
        await call("files.update", id=art["id"], content=new, base_hash=art["hash"])
        small = await call("files.add", path="/small.bin", data=b"small v1", mime_type="application/octet-stream")
        await call("artifacts.update", id=small["id"], content=b"small v2")
        [_, v1] = await call("versions.list", artifact_id=art["id"])
        out["opened"] = await call("files.open_version", version_id=v1["id"])
        out["restored"] = await call("files.restore_version", version_id=v1["id"])
        out["current"] = (await call("files.open", id=art["id"]))["data"]
        out["list"] = await call("files.list")
        [_, s1] = await call("versions.list", artifact_id=small["id"])
        out["small_opened"] = await call("files.open_version", version_id=s1["id"])
        out["small_restored"] = await call("files.restore_version", version_id=s1["id"])
        await svc.wait()
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["opened"]["data"] == old and out["current"] == old
    assert out["restored"]["hash"] == sha(old) and out["restored"]["pending_upload"] is True  # waits for the key
    assert [(r["path"], r["state"]) for r in out["list"]] == [("/local.bin", "waiting")]
    assert out["small_opened"]["data"] == b"small v1" and out["small_opened"]["name"] == "small (version 1).bin"
    assert out["small_restored"]["hash"] == sha(b"small v1")
    assert blob_keys(s3_service, remote[2]) == set()  # nothing left the device
