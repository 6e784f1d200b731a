// A module worker with the app's Pyodide and engine wheel (the vendored lock, as the data
// worker loads them). It runs the platform checks it is sent (tests/pylib/platform_vectors.py)
// on pylib.platform.current — the Pyodide platform: WebCrypto, fetch, BroadcastChannel.

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

onmessage = async ({ data: { source, baseUrl } }) => {
  try {
    ready ??= start();
    const pyodide = await ready;
    pyodide.FS.mkdirTree("/checks");
    pyodide.FS.writeFile("/checks/platform_vectors.py", source);
    pyodide.globals.set("base_url", baseUrl);
    const result = await pyodide.runPythonAsync(`
import json, sys
sys.path.insert(0, "/checks")
from pylib import platform
import platform_vectors
results = await platform_vectors.compute(platform.current, base_url, refused=False)
json.dumps({"platform": platform.current.name, "results": results})
`);
    postMessage({ ok: true, result });
  } catch (error) {
    postMessage({ ok: false, error: String(error?.stack || error) });
  }
};
