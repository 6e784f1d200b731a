// Loading Pyodide the way the app's data worker does (our lock file, the vendored runtime),
// with each step timed. Used by the boot pages and the micro-benchmark worker.

export const VENDOR_URL = new URL("../vendor/pyodide/", import.meta.url).href;
export const ENGINE_PACKAGES = ["pydantic", "quire-pylib"];

/** Lap timer: `lap(name)` records the ms since the previous lap under `name`. */
export function stopwatch() {
  const timings = {};
  let mark = performance.now();
  const lap = (name) => {
    const now = performance.now();
    timings[name] = now - mark;
    mark = now;
  };
  return { timings, lap };
}

export async function importPyodide() {
  return (await import(`${VENDOR_URL}pyodide.mjs`)).loadPyodide;
}

export function runtimeOptions(extra = {}) {
  return { indexURL: VENDOR_URL, lockFileURL: `${VENDOR_URL}pyodide-lock.json`, ...extra };
}

/** The engine's wheels (pydantic-core has a shared library), then `import pylib.api`. */
export async function loadEngine(pyodide, lap) {
  const failures = [];
  await pyodide.loadPackage(ENGINE_PACKAGES, {
    messageCallback: () => {},
    errorCallback: (message) => failures.push(message),
  });
  lap("packages");
  try {
    pyodide.runPython("import pylib.api");
  } catch (error) {
    // loadPackage reports failures through its callback: show them with the import error.
    throw new Error(`${error.message}\n${failures.join("\n")}`);
  }
  lap("import");
}

/**
 * Start Pyodide; with `engine`, also load the engine's wheels and import pylib.api.
 * Returns {pyodide, timings} with timings in ms: module (fetch + evaluate pyodide.mjs),
 * runtime (loadPyodide), packages (loadPackage) and import (`import pylib.api`).
 */
export async function bootPyodide({ engine = false } = {}) {
  const { timings, lap } = stopwatch();
  const loadPyodide = await importPyodide();
  lap("module");
  const pyodide = await loadPyodide(runtimeOptions());
  lap("runtime");
  if (engine) await loadEngine(pyodide, lap);
  return { pyodide, timings };
}
