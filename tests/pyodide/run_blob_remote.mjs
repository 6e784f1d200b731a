// Runs the blob engine inside real Pyodide under Node against a live proxy: upload a small file
// and a multipart one (fetch + WebCrypto, as in the browser's data worker), download both,
// compare. Prints one JSON line. Usage: node tests/pyodide/run_blob_remote.mjs BASE_URL TOKEN
import { startPyodide } from "./start_pyodide.mjs";

const pyodide = await startPyodide({ mount: false });
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
store = BlobStore(pl, S3Client(pl, base_url, headers={"Authorization": "Bearer " + token}),
                  await derive_keys(pl, new_data_key(pl)), part_segments=2)
small = bytes(range(256)) * 4000
big = bytes((i * 7) % 251 for i in range(2 * fmt.SEGMENT_SIZE + 12345))
reports = [await store.upload(small), await store.upload(big), await store.upload(big)]
backs = [await store.download(reports[0].ref), await store.download(reports[1].ref)]
json.dumps({"platform": pl.name, "created": [r.created for r in reports], "parts": reports[1].parts_sent,
            "equal": [backs[0] == small, backs[1] == big], "names": [r.ref.key for r in reports[:2]]})
`);
console.log(out);
process.exit(0);
