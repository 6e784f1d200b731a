// What the test pages' module workers share: the app's Pyodide and engine wheel (the vendored
// lock, as the data worker loads them), started once, and the message loop. `serve(run)`
// answers each message with `{ok: true, result: await run(pyodide, data)}`, or `{ok: false,
// error}`; `writeModule` puts a Python module the test sent where `import` finds it.

const VENDOR_URL = new URL("../vendor/pyodide/", import.meta.url).href;
let ready = null;

async function start() {
  const { loadPyodide } = await import(`${VENDOR_URL}pyodide.mjs`);
  const pyodide = await loadPyodide({
    indexURL: VENDOR_URL,
    lockFileURL: `${VENDOR_URL}pyodide-lock.json`,
    packages: ["pydantic", "quire-pylib"],
  });
  pyodide.FS.mkdirTree("/checks");
  await pyodide.runPythonAsync(`import sys; sys.path.insert(0, "/checks")`);
  return pyodide;
}

export function writeModule(pyodide, name, source) {
  pyodide.FS.writeFile(`/checks/${name}.py`, source);
}

export function serve(run) {
  onmessage = async ({ data }) => {
    try {
      ready ??= start();
      postMessage({ ok: true, result: await run(await ready, data) });
    } catch (error) {
      postMessage({ ok: false, error: String(error?.stack || error) });
    }
  };
}
