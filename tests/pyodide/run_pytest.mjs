// Runs the engine's test suite (tests/pylib) inside real Pyodide under Node: the same runtime,
// sqlite3 build and wheels the browser uses. Usage: node tests/pyodide/run_pytest.mjs [pytest args]
import { loadPyodide } from "pyodide";
import { readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const started = Date.now();
const pyodide = await loadPyodide({
  indexURL: `${root}/node_modules/pyodide/`,
  lockFileURL: `${root}/web/vendor/pyodide/pyodide-lock.json`,
  packages: ["pydantic", "quire-pylib"],
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
const testWheels = readdirSync(`${root}/.build/test-wheels`)
  .filter((name) => name.endsWith(".whl"))
  .map((name) => `${root}/.build/test-wheels/${name}`);
await pyodide.loadPackage(testWheels, { messageCallback: () => {} });
console.log(`pyodide ${pyodide.version} ready in ${Date.now() - started} ms`);

pyodide.FS.mkdirTree("/repo");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, "/repo");
pyodide.globals.set("pytest_args", pyodide.toPy(process.argv.slice(2)));
const code = await pyodide.runPythonAsync(`
import os, sys, pylib, pytest
os.chdir("/repo")
# The engine under test is the wheel installed in Pyodide, not the checkout's sources.
assert pylib.__file__.startswith(sys.prefix) or "site-packages" in pylib.__file__, pylib.__file__
args = list(pytest_args) or ["tests/pylib"]
int(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:faulthandler", "--import-mode=importlib",
                  "-W", "ignore::pytest.PytestConfigWarning", *args]))
`);
process.exit(code);
