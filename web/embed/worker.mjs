// The embedding worker: all-MiniLM-L6-v2 (int8 ONNX) through transformers.js on onnxruntime-web
// (WebAssembly, threads when the page is cross-origin isolated), and the local vector index.
// Separate from the Pyodide data worker, so embedding never holds up the engine.
//
// Messages in: {id, op, ...}; out: {id, ok: true, result} or {id, ok: false, error: {code, message}}.
//   init {threads?}            load the model; -> {model, dims, threads}
//   embed {texts, batch?}      -> Float32Array (batch: a fixed size, for benchmarks) of texts.length * 384 unit vectors (input order)
//   index.put {items, data}    items [{artifact, chunk, scale}], data Int8Array rows
//   index.drop {artifacts}     forget these artifacts' rows
//   index.clear {}
//   index.query {text? | vector?, k?, exclude?} -> [{artifact, chunk, score}] best first
//   index.related {artifact, k?} -> [{artifact, chunk, score}] (other artifacts' chunks)
//   index.size {}              -> number of rows
//
// Nothing is fetched from another origin: remote models are off, models and the WebAssembly
// come from web/vendor (scripts/vendor_embeddings.py).

import { env, AutoTokenizer, AutoModel } from "../vendor/transformers/transformers.min.js";
import { DIMS, VectorIndex } from "./vectors.mjs";
import { groups } from "./batching.mjs";

export const MODEL = "all-MiniLM-L6-v2";
export const MAX_TOKENS = 256;
const vendor = (path) => new URL(`../vendor/${path}`, import.meta.url).href;

env.allowRemoteModels = false;
env.allowLocalModels = true;
// A path, not a URL: transformers.js treats a full URL as remote and skips its local lookup.
env.localModelPath = new URL("../vendor/models/", import.meta.url).pathname;
env.useBrowserCache = false; // the service worker already keeps every vendored file
env.useWasmCache = false;
// onnxruntime-web's plain CPU build (scripts/vendor_embeddings.py says why not the asyncify one).
env.backends.onnx.wasm.wasmPaths = {
  mjs: vendor("transformers/ort-wasm-simd-threaded.mjs"),
  wasm: vendor("transformers/ort-wasm-simd-threaded.wasm"),
};

let tokenizer = null;
let model = null;
const index = new VectorIndex();

class EmbedError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function init({ threads } = {}) {
  if (model) return { model: MODEL, dims: DIMS, threads: env.backends.onnx.wasm.numThreads };
  const cores = self.navigator?.hardwareConcurrency || 1;
  env.backends.onnx.wasm.numThreads = self.crossOriginIsolated ? (threads || Math.min(2, cores)) : 1;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(MODEL);
    model = await AutoModel.from_pretrained(MODEL, { dtype: "q8", device: "wasm" });
  } catch (error) {
    tokenizer = model = null;
    throw new EmbedError("model_unavailable",
      `The search model could not be loaded (${error?.message ?? error}). Keyword search still works.`);
  }
  return { model: MODEL, dims: DIMS, threads: env.backends.onnx.wasm.numThreads };
}

/** Mean of the token vectors where the mask is 1, normalised to unit length. */
function meanPool(hidden, mask, rows, tokens, out, offsets) {
  for (let r = 0; r < rows; r++) {
    const target = offsets[r] * DIMS;
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      if (!Number(mask[r * tokens + t])) continue;
      count++;
      const base = (r * tokens + t) * DIMS;
      for (let i = 0; i < DIMS; i++) out[target + i] += hidden[base + i];
    }
    let norm = 0;
    for (let i = 0; i < DIMS; i++) {
      out[target + i] /= count || 1;
      norm += out[target + i] * out[target + i];
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < DIMS; i++) out[target + i] /= norm;
  }
}

/** Unit vectors for `texts`, in their order; run in batches of similar length (less padding). */
async function embed({ texts, batch }) {
  if (!model) await init();
  const out = new Float32Array(texts.length * DIMS);
  for (const picked of groups(texts, batch)) {
    const inputs = tokenizer(picked.map((i) => texts[i]), {
      padding: true, truncation: true, max_length: MAX_TOKENS,
    });
    const { last_hidden_state: hidden } = await model(inputs);
    const [rows, tokens] = hidden.dims;
    meanPool(hidden.data, inputs.attention_mask.data, rows, tokens, out, picked);
    hidden.dispose?.();
  }
  return out;
}

async function queryVector({ text, vector }) {
  if (vector) return Float32Array.from(vector);
  return embed({ texts: [text] });
}

const OPS = {
  init,
  embed,
  "index.put": ({ items, data }) => { index.put(items, new Int8Array(data)); return index.size; },
  "index.drop": ({ artifacts }) => { index.drop(artifacts); return index.size; },
  "index.clear": () => { index.clear(); return 0; },
  "index.size": () => index.size,
  "index.query": async (msg) => index.query(await queryVector(msg), msg.k ?? 50, msg.exclude ?? null),
  "index.related": ({ artifact, k = 50 }) => {
    const centre = index.centroid(artifact);
    return centre ? index.query(centre, k, artifact) : [];
  },
};

self.onmessage = async ({ data: msg }) => {
  const op = OPS[msg?.op];
  try {
    if (!op) throw new EmbedError("unknown_op", `Unknown operation ${String(msg?.op).slice(0, 40)}.`);
    const result = await op(msg);
    const transfer = result instanceof Float32Array ? [result.buffer] : [];
    self.postMessage({ id: msg.id, ok: true, result }, transfer);
  } catch (error) {
    self.postMessage({
      id: msg?.id, ok: false,
      error: { code: error.code ?? "embed_failed", message: String(error?.message ?? error) },
    });
  }
};
