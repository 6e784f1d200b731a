// The baseline of bench/engine_embed_throughput.py: transformers.js's default
// feature-extraction pipeline, called one chunk at a time (mean pooling, normalised), with the
// same vendored model and offline settings as web/embed/worker.mjs, and the onnxruntime-web
// build transformers.js loads by default (asyncify; served from node_modules by the bench
// server, as the app does not vendor it).
import { env, pipeline } from "/vendor/transformers/transformers.min.js";

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = "/vendor/models/";
env.useBrowserCache = false;
env.useWasmCache = false;
env.backends.onnx.wasm.wasmPaths = {
  mjs: "/bench-ort/ort-wasm-simd-threaded.asyncify.mjs",
  wasm: "/bench-ort/ort-wasm-simd-threaded.asyncify.wasm",
};

let extractor = null;
self.onmessage = async ({ data }) => {
  try {
    if (!extractor) {
      // No thread count: the pipeline as shipped (onnxruntime-web then picks its own).
      if (data.threads) env.backends.onnx.wasm.numThreads = data.threads;
      extractor = await pipeline("feature-extraction", "all-MiniLM-L6-v2", { dtype: "q8", device: "wasm" });
    }
    const started = performance.now();
    for (const text of data.texts) await extractor(text, { pooling: "mean", normalize: true });
    self.postMessage({ ok: true, ms: performance.now() - started,
                      threads: env.backends.onnx.wasm.numThreads });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error?.message ?? error) });
  }
};
