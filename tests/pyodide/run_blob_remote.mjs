// Runs the blob engine inside real Pyodide under Node against a live proxy: upload a small file
// and a multipart one (fetch + WebCrypto, as in the browser's data worker), download both,
// compare; then the engine's methods: a file added while no key is kept stays on the device
// under a local name, is named and uploaded once a key is kept, and reads back from S3 alone.
// Prints one JSON line. Usage: node tests/pyodide/run_blob_remote.mjs BASE_URL TOKEN
import { startPyodide } from "./start_pyodide.mjs";

const pyodide = await startPyodide({ mount: false });
// What the data worker's host gives the platform (pylib/blobs/browser.py): the JS read loop of a
// download and hash-wasm's incremental SHA-256.
const { readPieces } = await import("../../web/engine/streams.mjs");
const { createSHA256 } = await import("hash-wasm");
pyodide.globals.set("read_pieces", readPieces);
pyodide.globals.set("sha256_factory", createSHA256);
pyodide.globals.set("base_url", process.argv[2]);
pyodide.globals.set("token", process.argv[3]);
const out = await pyodide.runPythonAsync(`
import json
from pylib import platform
from pylib.blobs import BlobStore
from pylib.blobs import format as fmt
from pylib.keys import derive_keys, new_data_key
from pylib.s3client import S3Client

pl = platform.current
pl.read_pieces, pl.sha256_factory = read_pieces, sha256_factory
store = BlobStore(pl, S3Client(pl, base_url, headers={"Authorization": "Bearer " + token}),
                  await derive_keys(pl, new_data_key(pl)), part_segments=2)
small = bytes(range(256)) * 4000
big = bytes((i * 7) % 251 for i in range(2 * fmt.SEGMENT_SIZE + 12345))
reports = [await store.upload(small), await store.upload(big), await store.upload(big)]
# A download is a JS buffer here (the platform's assembly): to_py makes it bytes.
backs = [pl.to_py(await store.download(reports[0].ref)), pl.to_py(await store.download(reports[1].ref))]

# A piece refused while the JS loop reads (a segment failing its tag) ends the read with that
# very error, not a network error (which would be retried).
import js
from pylib.errors import BlobCorrupt
from pylib.platform.pyodide_download import pieces

async def refuse(chunk):
    raise BlobCorrupt("Segment 1 of 1 failed its check.")

try:
    await pieces(js.Response.new(js.Uint8Array.new(100000)).body, 4096, refuse, read_pieces)
    refusal = "read to the end"
except BlobCorrupt as error:
    refusal = error.message

import os
from pylib import api, rpc
from pylib.blobs import service
from pylib.blobs.device import DirectoryFiles

async def device_files():
    return DirectoryFiles("/tmp/quire-device")  # the browser's is IndexedDB (tests/e2e)

svc = service.configure(service.Host(pl, service.MemoryKeyCache(), device_files, base_url=base_url,
                                     headers={"Authorization": "Bearer " + token}, workspace="ws-pyodide"))
api.open_workspace("/tmp/quire-local.sqlite")

async def call(method, **params):
    reply = await rpc.answer_async({"id": 1, "method": method, "params": params})
    return reply["result"] if reply["ok"] else reply["error"]

locked = bytes((i * 13) % 251 for i in range(1_500_000))
added = await call("files.add", path="/locked.bin", data=locked, mime_type="application/octet-stream")
local = {"pending": added["pending_upload"], "device": sorted(os.listdir("/tmp/quire-device")),
         "states": [r["state"] for r in await call("files.list")]}
await svc.keep("uid", new_data_key(pl))
await call("files.sync")
await svc.wait()
local["uploaded"] = [r["state"] for r in await call("files.list")]
local["named"] = sorted(os.listdir("/tmp/quire-device"))
local["freed"] = (await call("files.free_space"))["dropped"]
opened = (await call("files.open", id=added["id"]))["data"]
local["equal"] = pl.to_py(opened) == locked
local["host_buffer"] = type(opened).__name__  # from S3: never in the wasm heap
await svc.settle()  # kept in the device cache after the answer
local["cached"] = sorted(os.listdir("/tmp/quire-device"))
local["key"] = api.current().conn.execute("SELECT s3_key FROM artifacts WHERE id = ?", (added["id"],)).fetchone()[0]
local["sha256"] = (await pl.sha256(locked)).hex()
api.close_workspace()
json.dumps({"platform": pl.name, "created": [r.created for r in reports], "parts": reports[1].parts_sent,
            "equal": [backs[0] == small, backs[1] == big], "names": [r.ref.key for r in reports[:2]],
            "refusal": refusal,
            "local": local})
`);
console.log(out);
process.exit(0);
