// The Pyodide start-up every Node runner here shares: the app's runtime from node_modules, the
// vendored lock (the same wheels the browser's data worker installs) with the engine and
// pydantic loaded, and, with `mount`, the checkout at /repo. Python's output goes to stderr so
// that a runner's stdout holds only its JSON result (pass `stdout` to keep it on stdout).
import { loadPyodide } from "pyodide";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function startPyodide({ mount = true, stdout = (line) => console.error(line) } = {}) {
  const pyodide = await loadPyodide({
    indexURL: `${root}/node_modules/pyodide/`,
    lockFileURL: `${root}/web/vendor/pyodide/pyodide-lock.json`,
    packages: ["pydantic", "quire-pylib"],
    stdout,
    stderr: (line) => console.error(line),
  });
  if (mount) {
    pyodide.FS.mkdirTree("/repo");
    pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, "/repo");
  }
  return pyodide;
}

/**
 * Print `{"platform", "results"}` of `await <module>.compute(platform.current, <args>)`, a
 * known-answer module of tests/pylib run on the Pyodide platform, and exit. `globals` are set
 * as Python globals first (the names `args` may use).
 */
export async function printVectors(module, args = "", globals = {}) {
  const pyodide = await startPyodide();
  for (const [name, value] of Object.entries(globals)) pyodide.globals.set(name, value);
  const out = await pyodide.runPythonAsync(`
import json, sys
sys.path.insert(0, "/repo/tests/pylib")
from pylib import platform
import ${module}
results = await ${module}.compute(platform.current${args ? ", " + args : ""})
json.dumps({"platform": platform.current.name, "results": results})
`);
  console.log(out);
  process.exit(0);
}
