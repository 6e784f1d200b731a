"""A replace-import changes the workspace, not what this device holds: large files still
waiting to upload stay in the device's ledger (pylib.transfer.importer), so a file imported
with pointers only finds their bytes by their name and hash, and the replaced workspace's own
files still go up — the backup the replace hands out refers to them — after which the device
lets go of its copies (S3 keeps them for that backup). The engine's methods (pylib.rpc) against
the real proxy and real SeaweedFS; offline with the key unlocked, then online."""

from __future__ import annotations

import random
import sqlite3

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, free_port, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import remote  # noqa: F401  (fixtures)
from test_blob_methods import call
from test_blob_waiting_versions import BIN, _offline, _online_sync, blob_keys, sha

from pylib import api, migrations
from pylib.transfer import export_workspace

from aio import run  # noqa: E402  (tests/pylib is on the path through test_blob_waiting_versions)


def _empty_workspace() -> bytes:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrations.migrate(conn)
    try:
        return export_workspace(conn)
    finally:
        conn.close()


def test_a_file_exported_without_its_files_finds_the_bytes_still_waiting_here(remote, s3_service, tmp_path):
    uid = remote[2]
    p1, p2 = random.Random(71).randbytes(1_200_000), random.Random(72).randbytes(1_300_000)

    async def scenario():
        out = {}
        api.open_workspace(str(tmp_path / "w.sqlite"))
        svc, online = await _offline(remote, tmp_path / "device")
        a = await call("files.add", path="/a.bin", data=p1, mime_type=BIN)
        await call("files.update", id=a["id"], content=p2, base_hash=a["hash"])  # p1 is a version
        exported = (await call("transfer.export"))["data"]  # pointers only
        out["import"] = await call("transfer.import", data=exported, mode="replace")
        out["current"] = (await call("files.open", id=a["id"]))
        out["offline_status"] = await call("files.status")
        svc = await _online_sync(svc, online)
        out["objects"] = blob_keys(s3_service, uid)
        out["status"] = await call("files.status")
        [_, v1] = await call("versions.list", artifact_id=a["id"])
        await call("files.free_space")
        out["v1"] = await call("files.open_version", version_id=v1["id"])
        await svc.settle()
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["import"]["mode"] == "replace"
    assert out["current"].get("data") == p2, out["current"].get("message")
    assert out["offline_status"]["waiting"]["count"] == 2, out["offline_status"]
    assert len(out["objects"]) == 2 and out["status"]["waiting"]["count"] == 0
    assert out["v1"].get("data") == p1 and sha(out["v1"]["data"]) == sha(p1), out["v1"].get("message")


def test_the_replaced_workspaces_waiting_files_go_up_for_its_backup_then_leave_the_device(
        remote, s3_service, tmp_path):
    uid = remote[2]
    q1, q2 = random.Random(81).randbytes(1_100_000), random.Random(82).randbytes(1_150_000)

    async def scenario():
        out = {}
        api.open_workspace(str(tmp_path / "w.sqlite"))
        svc, online = await _offline(remote, tmp_path / "device")
        q = await call("files.add", path="/q.bin", data=q1, mime_type=BIN)
        await call("files.update", id=q["id"], content=q2, base_hash=q["hash"])
        replaced = await call("transfer.import", data=_empty_workspace(), mode="replace")
        out["empty"] = await call("files.list")
        svc = await _online_sync(svc, online)
        out["objects"] = blob_keys(s3_service, uid)
        out["status"] = await call("files.status")
        out["kept"] = sorted(p.name for p in (tmp_path / "device").iterdir())
        out["back"] = await call("transfer.import", data=replaced["backup"], mode="replace")
        out["current"] = await call("files.open", id=q["id"])
        [_, v1] = await call("versions.list", artifact_id=q["id"])
        out["v1"] = await call("files.open_version", version_id=v1["id"])
        await svc.settle()
        await svc.wait()
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["empty"] == []
    assert len(out["objects"]) == 2  # both contents the backup refers to
    assert out["status"]["waiting"]["count"] == 0 and out["status"]["on_device"]["count"] == 0, out["status"]
    assert out["kept"] == []  # nothing in the workspace refers to them: the device keeps no copy
    assert out["current"].get("data") == q2, out["current"].get("message")
    assert out["v1"].get("data") == q1, out["v1"].get("message")
