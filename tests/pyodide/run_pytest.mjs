// Runs the engine's test suite (tests/pylib) inside real Pyodide under Node: the same runtime,
// sqlite3 build and wheels the browser uses. Usage: node tests/pyodide/run_pytest.mjs [pytest args]
import { readdirSync } from "node:fs";
import { root, startPyodide } from "./start_pyodide.mjs";

const started = Date.now();
const pyodide = await startPyodide({ stdout: (line) => console.log(line) });
const testWheels = readdirSync(`${root}/.build/test-wheels`)
  .filter((name) => name.endsWith(".whl"))
  .map((name) => `${root}/.build/test-wheels/${name}`);
await pyodide.loadPackage(testWheels, { messageCallback: () => {} });
console.log(`pyodide ${pyodide.version} ready in ${Date.now() - started} ms`);
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
