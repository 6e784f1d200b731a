// An experiment for faster warm boots: the page compiles pyodide.asm.wasm with
// WebAssembly.compileStreaming (where Chrome keeps and reuses compiled code across visits)
// and hands the compiled module to the worker, which instantiates it instead of compiling.

import { report } from "./bare_report.mjs";
import { VENDOR_URL } from "./pyodide_boot.mjs";

const worker = new Worker(new URL("handoff_worker.mjs", import.meta.url), { type: "module" });
worker.onmessage = ({ data }) => report(data);
worker.onerror = (event) => report({ error: event.message || "worker failed to start" });
const started = performance.now();
const module = await WebAssembly.compileStreaming(fetch(`${VENDOR_URL}pyodide.asm.wasm`));
worker.postMessage({ module, compileMs: performance.now() - started });
