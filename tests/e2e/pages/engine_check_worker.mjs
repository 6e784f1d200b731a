// A module worker with the app's Pyodide and engine wheel (the vendored lock, as the data
// worker loads them). It runs the check it is sent: a Python module defining
// `async def check(platform, options)`, called with pylib.platform.current; the JSON result
// goes back to the page.

const VENDOR_URL = new URL("../vendor/pyodide/", import.meta.url).href;
let ready = null;

async function start() {
  const { loadPyodide } = await import(`${VENDOR_URL}pyodide.mjs`);
  return loadPyodide({
    indexURL: VENDOR_URL,
    lockFileURL: `${VENDOR_URL}pyodide-lock.json`,
    packages: ["pydantic", "quire-pylib"],
  });
}

onmessage = async ({ data: { source, options } }) => {
  try {
    ready ??= start();
    const pyodide = await ready;
    pyodide.FS.mkdirTree("/checks");
    pyodide.FS.writeFile("/checks/engine_check.py", source);
    pyodide.globals.set("check_options", pyodide.toPy(options));
    const result = await pyodide.runPythonAsync(`
import importlib, json, sys
sys.path.insert(0, "/checks")
from pylib import platform
import engine_check
importlib.reload(engine_check)
json.dumps(await engine_check.check(platform.current, check_options))
`);
    postMessage({ ok: true, result });
  } catch (error) {
    postMessage({ ok: false, error: String(error?.stack || error) });
  }
};
