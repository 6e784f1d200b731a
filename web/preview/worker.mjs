// The preview worker: a Pyodide of its own with just the Markdown renderer (pylib.markdown,
// markdown-it-py, mdit-py-plugins, mdurl), so rendering never waits behind a save in the data
// worker, and a save never waits behind a render.
//
// Messages in: {id, text, firstLines}. Out: {type: "ready", bootMs} once, then {id, sections,
// ms} or {id, error}; `sections` is [[first line, key, html], …] (pylib.markdown.sections: a
// note is rendered in sections, and a section that did not change comes from the worker's
// cache, with the same key). `html` is null for a section the page received in the answer
// before (it has it, by key). With `firstLines`, when sections after that line still need
// rendering, an answer {id, partial: true, sections} with the first ones (up to the first
// one not rendered) goes out first, so a note just opened shows its top at once.
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
  const render = (text, untilLine) => {
    // JavaScript's null is not Python's None in Pyodide: no limit is passed as no argument.
    const result = Number.isInteger(untilLine) ? renderer.render_keyed(text, untilLine) : renderer.render_keyed(text);
    try {
      return result.toJs();
    } finally {
      result.destroy();
    }
  };
  render("# warm up\n\n*a* [b](c) | t |\n|---|\n| d |\n", null); // compiles markdown-it's regexes
  postMessage({ type: "ready", bootMs: performance.now() - started });
  return render;
}

const ready = boot();
ready.catch((error) => postMessage({ type: "failed", error: String(error?.message || error) }));

let sent = new Set(); // keys of the sections in the last answer: the page has their HTML

/** Sections as sent: the HTML only of those not in the last answer. */
function outgoing(sections) {
  const keys = new Set();
  const out = sections.map(([start, key, html]) => {
    keys.add(key);
    return [start, key, sent.has(key) ? null : html];
  });
  sent = keys;
  return out;
}

addEventListener("message", async (event) => {
  const { id, text, firstLines = null } = event.data ?? {};
  if (typeof id !== "number") return;
  try {
    const render = await ready;
    const started = performance.now();
    const source = String(text ?? "");
    if (Number.isInteger(firstLines)) {
      const first = render(source, firstLines);
      const missing = first.findIndex(([, key]) => key < 0);
      if (missing > 0) postMessage({ id, partial: true, sections: outgoing(first.slice(0, missing)), ms: performance.now() - started });
    }
    const sections = render(source, null);
    postMessage({ id, sections: outgoing(sections), ms: performance.now() - started });
  } catch (error) {
    postMessage({ id, error: String(error?.message || error) });
  }
});
