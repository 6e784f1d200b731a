"""The ``keys.*`` and ``files.*`` engine methods through the worker's envelope (pylib.rpc),
against the real proxy and real SeaweedFS: set up a key, a large file uploads in the background
as ciphertext under a keyed name; another device unlocks with the recovery words (a wrong
passphrase is refused, nothing kept) and opens the file; a passphrase change; free space;
export with files and a refused bundle."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import remote  # noqa: F401  (fixtures)
from pydantic import TypeAdapter

from pylib import api, contract, rpc
from pylib.blobs import api_methods
from pylib.blobs import service
from pylib.blobs.device import DirectoryFiles
from pylib.platform.cpython import CPythonPlatform

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from test_blobs_s3 import stored_objects  # noqa: E402

SMALL = {"memory_kib": 1024, "iterations": 1, "parallelism": 1}  # Argon2id, cheap for tests
PASS = "correct horse battery staple"
MARKER = b"QUIRE-PLAINTEXT-MARKER"


def device(remote, folder: Path) -> service.FileService:
    async def files():
        return DirectoryFiles(folder)

    base_url, headers, _ = remote
    return service.configure(service.Host(CPythonPlatform(), service.MemoryKeyCache(), files, base_url=base_url,
                                          headers=headers, workspace="ws-m", costs=SMALL))


CHECKED: set[str] = set()


async def call(method: str, **params):
    """One call through the worker's envelope; a result is checked against its documented shape."""
    reply = await rpc.answer_async({"id": 1, "method": method, "params": params})
    if not reply["ok"]:
        return reply["error"]
    TypeAdapter(contract.result_model(api.METHODS[method])).validate_python(reply["result"])
    CHECKED.add(method)
    return reply["result"]


def test_keys_and_files_through_the_engine_methods(remote, s3_service, tmp_path):
    data = MARKER + random.Random(3).randbytes(3_000_000)

    async def scenario():
        out = {}
        api.open_workspace(str(tmp_path / "w.sqlite"))
        first = device(remote, tmp_path / "device-1")
        out["fresh"] = await call("keys.status")
        # No key yet: the file is kept on this device under a local name, named once there is one.
        art = await call("files.add", path="/big.bin", data=data, mime_type="application/octet-stream")
        out["before"] = await call("files.list")
        out["short"] = await call("keys.setup", passphrase="short")
        shown = await call("keys.setup", passphrase=PASS)
        out["words"] = shown["words"]
        await call("files.sync")
        await first.wait()
        out["uploaded"] = await call("files.list")
        out["status"] = await call("files.status")
        out["again"] = await call("keys.setup", passphrase=PASS)

        second = device(remote, tmp_path / "device-2")  # a new device: nothing kept, no file bytes
        out["wrong"] = await call("keys.unlock", passphrase="not the passphrase at all")
        out["locked"] = await call("keys.status")
        await call("keys.lock")
        out["bad_words"] = await call("keys.recover", words=" ".join(out["words"][:23] + ["zoo"]))
        out["recovered"] = await call("keys.recover", words=" ".join(out["words"]))
        opened = await call("files.open", id=art["id"])
        out["same"] = opened["data"] == data
        out["wrong_change"] = await call("keys.change_passphrase", passphrase="wrong wrong wrong",
                                         new_passphrase="a brand new passphrase")
        out["change"] = await call("keys.change_passphrase", passphrase=PASS, new_passphrase="a brand new passphrase")
        await second.forget()
        out["old_refused"] = await call("keys.unlock", passphrase=PASS)
        out["new_unlocks"] = await call("keys.unlock", passphrase="a brand new passphrase")
        out["freed"] = await call("files.free_space")
        out["after_free"] = await call("files.list")
        bundle = await call("transfer.export_bundle")
        out["bundle"] = bundle["name"], bundle["data"][:2]
        out["exported"] = await call("files.list")  # the export downloaded the file again
        out["bad_bundle"] = await call("transfer.import_bundle", data=b"PK\x03\x04 not a zip", mode="replace")
        out["still"] = await call("files.list")
        out["limit"] = (await call("files.status"))["cache_limit_bytes"]
        out["bad_limit"] = await call("files.set_cache_limit", limit_bytes=-1)
        out["lowered"] = await call("files.set_cache_limit", limit_bytes=0)  # the cached copy goes at once
        await call("files.add", path="/new.bin", data=data[:1_500_000], mime_type="application/octet-stream")
        out["waiting_kept"] = await call("files.set_cache_limit", limit_bytes=0)  # not uploaded: it stays
        out["after_limit"] = {r["path"]: r["state"] for r in await call("files.list")}
        out["limit_now"] = (await call("files.status"))["cache_limit_bytes"]
        await call("files.set_cache_limit", limit_bytes=2 * 1024 ** 3)
        before = await call("artifacts.get", id=art["id"])
        kept_before = sorted(p.name for p in (tmp_path / "device-2").iterdir())
        out["stale"] = await call("files.update", id=art["id"], content=data[::-1], base_hash="0" * 64)
        out["unchanged"] = (await call("artifacts.get", id=art["id"]))["hash"] == before["hash"]
        out["no_new_bytes"] = sorted(p.name for p in (tmp_path / "device-2").iterdir()) == kept_before
        out["updated"] = await call("files.update", id=art["id"], content=data[::-1], base_hash=before["hash"])
        out["versions"] = await call("versions.list", artifact_id=art["id"])
        api.close_workspace()
        return out

    out = run(scenario())
    assert out["fresh"] == {"signed_in": True, "has_key": False, "unlocked": False}
    assert [r["state"] for r in out["before"]] == ["waiting"]
    assert out["short"]["code"] == "invalid_params"
    assert len(out["words"]) == 24
    assert [(r["path"], r["state"]) for r in out["uploaded"]] == [("/big.bin", "on_device")]
    assert out["status"]["stopped"] is None and out["status"]["waiting"]["count"] == 0
    assert out["again"]["code"] == "conflict"
    objects = stored_objects(s3_service, remote[2])
    blobs = [k for k in objects if k.startswith("blobs/")]
    assert len(blobs) == 1 and len(blobs[0]) == len("blobs/") + 64  # a keyed hash, not the file's name
    assert all(MARKER not in body and b"big.bin" not in body for body in objects.values())
    assert out["wrong"]["code"] == "wrong_secret" and out["locked"]["unlocked"] is False
    assert out["bad_words"]["code"] == "invalid_params"
    assert out["recovered"]["unlocked"] is True and out["same"] is True
    assert out["wrong_change"]["code"] == "wrong_secret" and out["change"]["unlocked"] is True
    assert out["old_refused"]["code"] == "wrong_secret" and out["new_unlocks"]["unlocked"] is True
    assert out["freed"]["dropped"] == 1 and out["freed"]["freed_bytes"] == len(data)
    assert [r["state"] for r in out["after_free"]] == ["cloud_only"]
    assert [r["state"] for r in out["exported"]] == ["on_device"]
    assert out["bundle"][0].endswith(".zip") and out["bundle"][1] == b"PK"
    assert set(api_methods.SPECS) - CHECKED == {"transfer.import_bundle"}  # refused below, by design
    assert out["bad_bundle"]["code"] == "invalid_import" and out["still"] == out["exported"]
    assert out["limit"] == 2 * 1024 ** 3 and out["bad_limit"]["code"] == "invalid_params"
    assert out["lowered"] == {"limit_bytes": 0, "dropped": 1, "freed_bytes": len(data)}
    assert out["waiting_kept"]["dropped"] == 0 and out["limit_now"] == 0
    assert out["after_limit"] == {"/big.bin": "cloud_only", "/new.bin": "waiting"}
    assert out["stale"]["code"] == "conflict" and out["unchanged"] and out["no_new_bytes"]
    assert out["updated"]["size_bytes"] == len(data) and out["updated"]["pending_upload"] is False
    # The old content is a version by hash and size; a large file's bytes are not kept in history.
    assert [(v["seq"], v["has_content"]) for v in out["versions"]] == [(2, False), (1, False)]
