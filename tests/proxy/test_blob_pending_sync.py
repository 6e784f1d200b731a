"""A large file whose current bytes still wait inside the SQLite file (``pending_uploads``, the
synchronous ``artifacts.upload``) while another device saves new content over it: the pull
makes the other content current, and the waiting bytes are a version now. They must neither
be read as the file's content nor name its object when the queue moves them out
(``offload_pending``); they upload as that version's. Two CPython devices, each with its own
workspace and device store, syncing through the proxy's presign routes and real SeaweedFS, their
large files through the live Quire app."""

from __future__ import annotations

import hashlib
import os
import random
import sys
from pathlib import Path

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, free_port, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import make_blob_store, remote  # noqa: F401  (fixtures)

from pylib import artifacts, versions
from pylib.blobs import format as fmt
from pylib.blobs import ledger
from pylib.blobs.device import DirectoryFiles
from pylib.blobs.ledger import BlobRef
from pylib.blobs.queue import UploadQueue, offload_pending, open_blob
from pylib.errors import FileElsewhere
from pylib.keys import new_data_key
from pylib.platform.cpython import CPythonPlatform
from pylib.sync.proxystore import ProxyStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from sync_devices import Device, settle  # noqa: E402
from test_sync_store_conformance import proxy_url  # noqa: E402,F401


async def _ref(store, sha256: str, size: int) -> BlobRef:
    return BlobRef(await fmt.object_name(store.platform, store.keys.names, bytes.fromhex(sha256)), sha256, size)


def _download(ws, artifact_id: str):
    try:
        return artifacts.download(ws, artifact_id)["data"]
    except FileElsewhere:
        return "elsewhere"


def test_a_pulled_change_over_bytes_waiting_in_sqlite_keeps_both_where_they_belong(
        proxy_url, new_uid, remote, make_blob_store, tmp_path):
    uid, sync_key = new_uid("pending"), os.urandom(32)
    x1, x2 = random.Random(91).randbytes(1_200_000), random.Random(92).randbytes(1_250_000)

    async def scenario():
        out = {}
        data_key = new_data_key(CPythonPlatform())
        a, b = (Device(str(tmp_path / f"{n}.sqlite"), ProxyStore(proxy_url, {"x-test-user": uid}), sync_key)
                for n in "ab")
        store_a, store_b = await make_blob_store(remote, data_key), await make_blob_store(remote, data_key)
        files_a, files_b = DirectoryFiles(tmp_path / "dev-a"), DirectoryFiles(tmp_path / "dev-b")
        art = artifacts.upload(a.ws, "/big.bin", x1)  # waits inside A's SQLite file
        await settle([a, b])
        # A is offline from here on; B saves new content, moves it out and uploads it, syncs.
        artifacts.update(b.ws, art.id, x2)
        await offload_pending(b.ws, store_b, files_b)
        await UploadQueue(b.ws, store_b, files_b).run()
        await b.engine.sync()
        # A is back: it pulls B's content while its own bytes still wait in pending_uploads.
        await a.engine.sync()
        row = a.ws.conn.execute("SELECT hash, s3_key FROM artifacts WHERE id = ?", (art.id,)).fetchone()
        out["a_current"] = row[0], _download(a.ws, art.id)
        # Not "waiting to upload": what waits is the version's bytes, the file's are in S3.
        tree = artifacts.tree_json(a.ws)
        out["a_pending"] = (artifacts.get(a.ws, art.id).pending_upload,
                            next(x["pending_upload"] for x in tree.parse()["artifacts"] if x["id"] == art.id))
        await offload_pending(a.ws, store_a, files_a)
        out["a_s3_key"] = a.ws.conn.execute("SELECT s3_key FROM artifacts WHERE id = ?", (art.id,)).fetchone()[0]
        out["b_s3_key"] = b.ws.conn.execute("SELECT s3_key FROM artifacts WHERE id = ?", (art.id,)).fetchone()[0]
        out["unreferenced"] = ledger.unreferenced_waiting(a.ws)
        out["queue_a"] = await UploadQueue(a.ws, store_a, files_a).run()
        await settle([a, b])
        for label, ws, store, files in (("a", a.ws, store_a, files_a), ("b", b.ws, store_b, files_b)):
            now = ws.conn.execute("SELECT hash, size_bytes, s3_key FROM artifacts WHERE id = ?", (art.id,)).fetchone()
            kept = [(v["hash"], v["size_bytes"]) for v in versions.list_versions(ws, art.id)]
            fresh = DirectoryFiles(tmp_path / f"empty-{label}")  # nothing kept: every read comes from S3
            opened = [await open_blob(ws, store, fresh, await _ref(store, h, n)) for h, n in kept]
            out[label] = now, kept, opened
        for device in (a, b):
            device.close()
        return out

    out = run(scenario())
    sha1, sha2 = (hashlib.sha256(x).hexdigest() for x in (x1, x2))
    assert out["a_current"] == (sha2, "elsewhere")  # never the old bytes as the new content
    assert out["a_pending"] == (False, False)
    assert out["a_s3_key"] == out["b_s3_key"] is not None  # B's object, the new content's
    assert out["unreferenced"] == [] and len(out["queue_a"].uploaded) == 1
    for label in "ab":
        (h, n, key), kept, opened = out[label]
        assert h == sha2 and key == out["b_s3_key"], label
        assert sorted(kept) == sorted([(sha1, len(x1)), (sha2, len(x2))]), label
        assert sorted(opened, key=len) == [x1, x2], label
