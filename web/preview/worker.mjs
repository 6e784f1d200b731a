// The preview worker: a Pyodide of its own with just the Markdown renderer (pylib.markdown,
// markdown-it-py, mdit-py-plugins, mdurl), so rendering never waits behind a save in the data
// worker, and a save never waits behind a render.
//
// Messages in: {id, text}. Out: {type: "ready", bootMs} once, then {id, sections, ms} or
// {id, error}; `sections` is [[first line, html], …] (pylib.markdown.sections: a note is
// rendered in sections, and a section that did not change comes from the worker's cache).
// The WebAssembly comes compiled from the page (../engine/runtime.mjs).

import { loadPyodide, INDEX_URL } from "../engine/runtime.mjs";

const RENDERER_PACKAGES = ["markdown-it-py", "mdit-py-plugins"];
const ENGINE_PACKAGE = "quire-pylib";

/** hex sha256 → the `integrity` value fetch() checks. */
function integrity(hex) {
  const bytes = hex.match(/../g).map((b) => parseInt(b, 16));
  return `sha256-${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * The engine wheel without its other dependencies (pydantic is not needed to render): fetched
 * with the lock's hash as its integrity and unpacked into site-packages.
 */
async function installRenderer(pyodide) {
  const lock = await (await fetch(`${INDEX_URL}pyodide-lock.json`)).json();
  const entry = lock.packages[ENGINE_PACKAGE];
  const url = new URL(entry.file_name, INDEX_URL).href;
  const response = await fetch(url, { integrity: integrity(entry.sha256) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  pyodide.unpackArchive(await response.arrayBuffer(), "wheel");
}

async function boot() {
  const started = performance.now();
  const pyodide = await loadPyodide({ packages: [] });
  const failures = [];
  await Promise.all([
    pyodide.loadPackage(RENDERER_PACKAGES, { errorCallback: (m) => failures.push(m), messageCallback: () => {} }),
    installRenderer(pyodide),
  ]);
  let module;
  try {
    module = pyodide.pyimport("pylib.markdown.sections");
  } catch (error) {
    // loadPackage reports failures through callbacks, not exceptions: the import tells.
    throw new Error(`The preview renderer could not be loaded: ${failures.join("; ") || error.message}`);
  }
  const renderer = module.SectionRenderer();
  const render = (text) => {
    const result = renderer.render(text);
    try {
      return result.toJs();
    } finally {
      result.destroy();
    }
  };
  render("# warm up\n\n*a* [b](c) | t |\n|---|\n| d |\n"); // compiles markdown-it's regexes
  postMessage({ type: "ready", bootMs: performance.now() - started });
  return render;
}

const ready = boot();
ready.catch((error) => postMessage({ type: "failed", error: String(error?.message || error) }));

addEventListener("message", async (event) => {
  const { id, text } = event.data ?? {};
  if (typeof id !== "number") return;
  try {
    const render = await ready;
    const started = performance.now();
    const sections = render(String(text ?? ""));
    postMessage({ id, sections, ms: performance.now() - started });
  } catch (error) {
    postMessage({ id, error: String(error?.message || error) });
  }
});
