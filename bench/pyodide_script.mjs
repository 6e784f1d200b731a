// Runs one Python script of the repository inside real Pyodide under Node (the browser's
// runtime, sqlite3 build and wheels). A script that puts the checkout first on sys.path, as
// bench scripts do, runs the engine from its sources: the files the engine wheel is built from.
// Usage: node bench/pyodide_script.mjs <script.py> [args...]
import { loadPyodide } from "pyodide";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [script, ...args] = process.argv.slice(2);
const pyodide = await loadPyodide({
  indexURL: `${root}/node_modules/pyodide/`,
  lockFileURL: `${root}/web/vendor/pyodide/pyodide-lock.json`,
  packages: ["pydantic", "quire-pylib"],
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
pyodide.FS.mkdirTree("/repo");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, "/repo");
pyodide.globals.set("script_argv", pyodide.toPy([script, ...args]));
const code = await pyodide.runPythonAsync(`
import os, runpy, sys
os.chdir("/repo")
sys.argv = list(script_argv)
status = 0
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exc:
    status = exc.code or 0
status
`);
process.exit(code);
