"""A large file's bytes still waiting to upload are the content of a version in its history:
replacing the file, or restoring another version over it, keeps them queued until they are in
S3 (the engine's methods, pylib.rpc, against the real proxy and real SeaweedFS). Offline with the
key unlocked, then online again: every version uploads and opens with its own hash. Emptying
the trash removes the last reference: then nothing is uploaded and the device keeps nothing."""

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
from test_blob_methods import PASS, SMALL, call, device

from pylib import api
from pylib.blobs import service
from pylib.platform.cpython import CPythonPlatform
from pylib.s3client import Retry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from test_blobs_s3 import stored_objects  # noqa: E402

BIN = "application/octet-stream"


async def _no_wait(_seconds: float) -> None:
    return None


def blob_keys(s3_service, uid: str) -> set[str]:
    return {k for k in stored_objects(s3_service, uid) if k.startswith("blobs/")}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same_device(svc: service.FileService, base_url: str) -> service.FileService:
    """This device (its kept key and device store) talking to ``base_url``."""
    host = svc.host
    moved = service.configure(service.Host(CPythonPlatform(), host.key_cache, host.device_files, base_url=base_url,
                                           headers=host.headers, workspace=host.workspace, costs=SMALL))
    moved.client.retry = Retry(attempts=2, sleep=_no_wait)
    return moved


async def _offline(remote, folder: Path) -> tuple[service.FileService, str]:
    """A device with the key set up (online), then out of reach of the server."""
    svc = device(remote, folder)
    await call("keys.setup", passphrase=PASS)
    return _same_device(svc, f"http://127.0.0.1:{free_port()}"), remote[0]


async def _online_sync(svc: service.FileService, online_url: str) -> service.FileService:
    back = _same_device(svc, online_url)
    await call("files.sync")
    await back.wait()
    return back


async def _version_from_s3(version_id: str) -> dict:
    await call("files.free_space")  # the cached copies go: the version comes from S3
    return await call("files.open_version", version_id=version_id)


def test_replacing_a_large_file_not_uploaded_yet_keeps_its_version(remote, s3_service, tmp_path):
    uid = remote[2]
    a1, a2, b1, b2 = (random.Random(seed).randbytes(1_300_000 + seed) for seed in (41, 42, 43, 44))

    async def scenario():
        out = {}
        api.open_workspace(str(tmp_path / "w.sqlite"))
        svc, online = await _offline(remote, tmp_path / "device")
        # Inside the SQLite file (the synchronous call), and in the device store's queue.
        a = await call("artifacts.upload", path="/a.bin", data=a1, mime_type=BIN)
        b = await call("files.add", path="/b.bin", data=b1, mime_type=BIN)
        out["pending"] = a["pending_upload"], [r["state"] for r in await call("files.list")]
        await call("files.update", id=a["id"], content=a2, base_hash=a["hash"])
        await call("files.update", id=b["id"], content=b2, base_hash=b["hash"])
        out["offline_status"] = await call("files.status")
        svc = await _online_sync(svc, online)
        out["objects"] = blob_keys(s3_service, uid)
        out["status"] = await call("files.status")
        for label, art in (("a", a), ("b", b)):
            [v2, v1] = await call("versions.list", artifact_id=art["id"])
            out[label] = (v1["hash"], v2["hash"], await _version_from_s3(v1["id"]), await _version_from_s3(v2["id"]))
        await svc.settle()
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["pending"] == (True, ["waiting", "waiting"])
    assert out["offline_status"]["waiting"]["count"] == 4, out["offline_status"]  # nothing went up, nothing dropped
    assert len(out["objects"]) == 4  # both versions of both files
    assert out["status"]["waiting"]["count"] == 0 and out["status"]["failed"] == {}
    for label, (old, new) in (("a", (a1, a2)), ("b", (b1, b2))):
        h1, h2, opened1, opened2 = out[label]
        assert (h1, h2) == (sha(old), sha(new))
        assert opened1.get("data") == old, opened1.get("message")
        assert sha(opened1["data"]) == h1 and opened2["data"] == new


def test_restoring_over_a_large_file_not_uploaded_yet_keeps_its_version(remote, s3_service, tmp_path):
    uid = remote[2]
    c1, c2 = random.Random(51).randbytes(1_200_000), random.Random(52).randbytes(1_250_000)
    d2 = random.Random(53).randbytes(1_100_000)

    async def scenario():
        out = {}
        api.open_workspace(str(tmp_path / "w.sqlite"))
        svc, online = await _offline(remote, tmp_path / "device")
        c = await call("files.add", path="/c.bin", data=c1, mime_type=BIN)
        await call("artifacts.update", id=c["id"], content=c2)  # synchronous: waits inside the SQLite file
        [_, cv1] = await call("versions.list", artifact_id=c["id"])
        out["restored"] = await call("files.restore_version", version_id=cv1["id"])
        # A small version restored over a large file waiting inside the SQLite file (synchronous path).
        d = await call("artifacts.upload", path="/d.bin", data=b"small first", mime_type=BIN)
        await call("artifacts.update", id=d["id"], content=d2)
        [_, dv1] = await call("versions.list", artifact_id=d["id"])
        out["small_restored"] = await call("versions.restore", version_id=dv1["id"])
        svc = await _online_sync(svc, online)
        out["objects"] = blob_keys(s3_service, uid)
        out["c_versions"] = await call("versions.list", artifact_id=c["id"])
        out["c_current"] = (await call("files.open", id=c["id"]))["data"]
        out["c2"] = await _version_from_s3(out["c_versions"][1]["id"])
        out["d_versions"] = await call("versions.list", artifact_id=d["id"])
        out["d2"] = await call("files.open_version", version_id=out["d_versions"][1]["id"])
        out["d2_restored"] = await call("files.restore_version", version_id=out["d_versions"][1]["id"])
        out["d_current"] = (await call("files.open", id=d["id"]))["data"]
        await svc.settle()
        await svc.wait()
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["restored"]["hash"] == sha(c1) and out["small_restored"]["hash"] == sha(b"small first")
    assert [(v["seq"], v["reason"], v["hash"]) for v in out["c_versions"]] == [
        (3, "restore", sha(c1)), (2, "update", sha(c2)), (1, "create", sha(c1))]
    assert out["c_current"] == c1
    assert out["c2"].get("data") == c2, out["c2"].get("message")
    assert len(out["objects"]) == 2  # c1 once (restored by pointing at it) and c2
    assert [(v["seq"], v["hash"]) for v in out["d_versions"]] == [
        (3, sha(b"small first")), (2, sha(d2)), (1, sha(b"small first"))]
    assert out["d2"].get("data") == d2, out["d2"].get("message")
    assert out["d2_restored"]["hash"] == sha(d2) and out["d_current"] == d2


def test_emptying_the_trash_drops_waiting_bytes_nothing_refers_to(remote, s3_service, tmp_path):
    uid = remote[2]
    e1, e2, f1, g1 = (random.Random(seed).randbytes(1_100_000 + seed) for seed in (61, 62, 63, 64))

    async def scenario():
        out = {}
        api.open_workspace(str(tmp_path / "w.sqlite"))
        svc, online = await _offline(remote, tmp_path / "device")
        e = await call("files.add", path="/e.bin", data=e1, mime_type=BIN)
        await call("files.update", id=e["id"], content=e2, base_hash=e["hash"])
        f = await call("artifacts.upload", path="/f.bin", data=f1, mime_type=BIN)
        g = await call("files.add", path="/g.bin", data=g1, mime_type=BIN)  # stays
        for art in (e, f):
            await call("artifacts.delete", id=art["id"])
        await call("files.sync")  # moves /f.bin out of the SQLite file: in the trash, still referred to
        await svc.wait()
        out["in_trash"] = (await call("files.status"))["waiting"]["count"]
        await call("trash.empty")
        svc = await _online_sync(svc, online)
        out["objects"] = blob_keys(s3_service, uid)
        out["status"] = await call("files.status")
        out["kept"] = sorted(p.name for p in (tmp_path / "device").iterdir())
        out["g"] = (await call("files.open", id=g["id"]))["data"]
        await svc.settle()
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["in_trash"] == 4
    assert len(out["objects"]) == 1 and out["g"] == g1  # only the file still in the workspace
    assert out["status"]["waiting"]["count"] == 0 and out["status"]["on_device"]["count"] == 1
    assert len(out["kept"]) == 1
