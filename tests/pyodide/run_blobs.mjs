// Runs the blob format's checks (tests/pylib/blob_vectors.py) inside real Pyodide under Node,
// on WebCrypto as the engine calls it. Prints one JSON line: {"platform", "results"}.
// Usage: node tests/pyodide/run_blobs.mjs
import { loadPyodide } from "pyodide";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pyodide = await loadPyodide({
  indexURL: `${root}/node_modules/pyodide/`,
  lockFileURL: `${root}/web/vendor/pyodide/pyodide-lock.json`,
  packages: ["pydantic", "quire-pylib"],
  stdout: (line) => console.error(line),
  stderr: (line) => console.error(line),
});
pyodide.FS.mkdirTree("/repo");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, "/repo");
const out = await pyodide.runPythonAsync(`
import json, sys
sys.path.insert(0, "/repo/tests/pylib")
from pylib import platform
import blob_vectors
results = await blob_vectors.compute(platform.current)
json.dumps({"platform": platform.current.name, "results": results})
`);
console.log(out);
process.exit(0);
