// The Pyodide the data worker boots: our vendored runtime, with its WebAssembly compiled by the
// page.
//
// PyScript imports this module in the worker (client.mjs passes it as the interpreter
// `version`) and calls loadPyodide(). Chromium keeps compiled WebAssembly across visits for
// modules compiled on a page, not in a worker, so a worker compiling pyodide.asm.wasm itself
// pays the full compile on every load (bench/README.md, "Boot": ~8 s warm in a worker, ~4 s
// when the page compiles). So the worker asks the page for the compiled module and
// instantiates that; if the page has none to give, Pyodide compiles as usual.

import { loadPyodide as loadVendored, version } from "../vendor/pyodide/pyodide.mjs";

export { version };

export const INDEX_URL = new URL("../vendor/pyodide/", import.meta.url).href;
export const WASM_URL = `${INDEX_URL}pyodide.asm.wasm`;
export const MODULE_REQUEST = "quire:runtime-module";
// Longer than any compile: the page answers at once with a module, or null when it has none.
const ANSWER_TIMEOUT_MS = 60_000;

/** Worker side: the page's compiled pyodide.asm.wasm, or null. */
function moduleFromPage() {
  if (typeof WorkerGlobalScope === "undefined" || !(globalThis instanceof WorkerGlobalScope)) {
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const done = (module) => {
      clearTimeout(timer);
      removeEventListener("message", onMessage);
      resolve(module instanceof WebAssembly.Module ? module : null);
    };
    const onMessage = (event) => {
      if (event.data?.type !== MODULE_REQUEST) return;
      event.stopImmediatePropagation();
      done(event.data.module);
    };
    const timer = setTimeout(() => done(null), ANSWER_TIMEOUT_MS);
    addEventListener("message", onMessage);
    postMessage({ type: MODULE_REQUEST });
  });
}

/** Pyodide instantiates with WebAssembly.instantiateStreaming: hand it `module` once. */
function instantiateWith(module) {
  const original = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = async (source, imports) => {
    WebAssembly.instantiateStreaming = original;
    Promise.resolve(source).then((response) => response?.body?.cancel?.()).catch(() => {});
    return { instance: await WebAssembly.instantiate(module, imports), module };
  };
}

export async function loadPyodide(options = {}) {
  const module = await moduleFromPage();
  if (module) instantiateWith(module);
  globalThis.quireRuntime = { compiledByPage: Boolean(module) };
  // PyScript derives indexURL from this module's folder; the runtime lives in vendor/pyodide.
  return loadVendored({ ...options, indexURL: INDEX_URL });
}

/** Page side: compile once per page; the promise is shared by every worker this page starts. */
let compiling = null;
export function compileRuntime() {
  compiling ??= WebAssembly.compileStreaming(fetch(WASM_URL)).catch((error) => {
    console.warn("Compiling the Python runtime on the page failed; the worker will compile it.", error);
    return null;
  });
  return compiling;
}

/** Page side: answer a worker's request for the compiled runtime. */
export function serveRuntime(worker) {
  worker.addEventListener("message", async (event) => {
    if (event.data?.type !== MODULE_REQUEST) return;
    event.stopImmediatePropagation();
    const module = await compileRuntime();
    Worker.prototype.postMessage.call(worker, { type: MODULE_REQUEST, module });
  });
}
