// The worker of handoff.html: waits for the page's compiled module, then boots Pyodide with it.

import { bootPyodide } from "./pyodide_boot.mjs";

self.onmessage = async ({ data: { module, compileMs } }) => {
  // Pyodide instantiates with WebAssembly.instantiateStreaming: give it the page's module.
  WebAssembly.instantiateStreaming = async (_source, imports) => ({
    instance: await WebAssembly.instantiate(module, imports),
    module,
  });
  try {
    const { timings } = await bootPyodide();
    self.postMessage({ timings: { ...timings, pageCompile: compileMs } });
  } catch (error) {
    self.postMessage({ error: String(error?.stack ?? error) });
  }
};
