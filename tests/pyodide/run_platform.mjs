// Runs the platform layer's known-answer checks (tests/pylib/platform_vectors.py) on the
// Pyodide platform inside real Pyodide under Node: WebCrypto, fetch, BroadcastChannel and the
// JS conversions as the engine calls them. Prints one JSON line: {"platform", "results"}.
// Usage: node tests/pyodide/run_platform.mjs [echo-server base URL]
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
pyodide.globals.set("base_url", process.argv[2] ?? null);
const out = await pyodide.runPythonAsync(`
import json, sys
sys.path.insert(0, "/repo/tests/pylib")
from pylib import platform
import platform_vectors
results = await platform_vectors.compute(platform.current, base_url)
json.dumps({"platform": platform.current.name, "results": results})
`);
console.log(out);
process.exit(0);
