// The page's handle on the embedding worker (./worker.mjs): request ids, errors as
// EmbedError with a code, and a crashed worker restarted on the next call (`onRestart` then
// runs, so the owner can load the index into the new worker and resume).

import { groups, SHARED_BATCH_CHARS } from "./batching.mjs";
import { DIMS } from "./vectors.mjs";

const WORKER_URL = new URL("./worker.mjs", import.meta.url);

export class EmbedError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "EmbedError";
    this.code = code;
  }
}

export class Embedder {
  /** `workers`: how many workers embed at once (each with `threads` onnxruntime threads); the
   * first also keeps the vector index, the others start on the first embed of several groups. */
  constructor({ threads, workers = 1, onRestart } = {}) {
    this.threads = threads;
    this.lanes = workers;
    this.helpers = null;
    this.onRestart = onRestart ?? null;
    this.worker = null;
    this.pending = new Map();
    this.seq = 0;
    this.starts = 0;
    this.info = null;
    this.restoring = false;
  }

  /** Start the worker and load the model (again after a crash); resolves to {model, dims, threads}. */
  async start() {
    if (this.worker) return this.ready;
    this.worker = new Worker(WORKER_URL, { type: "module", name: "quire-embed" });
    this.worker.onmessage = ({ data }) => this.settle(data);
    this.worker.onerror = (event) => this.crashed(event.message || "the embedding worker stopped");
    this.worker.onmessageerror = () => this.crashed("a message could not be read");
    this.starts += 1;
    const restart = this.starts > 1;
    this.ready = this.send("init", { threads: this.threads }).then(async (info) => {
      this.info = info;
      if (restart && this.onRestart) {
        // The hook's own calls (loading the index again) must not wait for this very promise.
        this.restoring = true;
        try { await this.onRestart(this); } finally { this.restoring = false; }
      }
      return info;
    });
    this.ready.catch(() => {});
    return this.ready;
  }

  settle({ id, ok, result, error }) {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (ok) waiter.resolve(result);
    else waiter.reject(new EmbedError(error.code, error.message));
  }

  /** The worker died (out of memory, a WebAssembly trap): fail what was asked, restart next call. */
  crashed(message) {
    this.worker?.terminate();
    this.worker = null;
    const error = new EmbedError("worker_crashed", `The embedding worker stopped (${message}).`);
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  send(op, params = {}, transfer = []) {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...params }, transfer);
    });
  }

  async call(op, params = {}, transfer = []) {
    if (!(this.restoring && this.worker)) await this.start();
    return this.send(op, params, transfer);
  }

  /** Unit vectors (Float32Array, 384 per text) for these texts. With several workers, the
   * groups of similar length (./batching.mjs) are shared out as each worker comes free. */
  async embed(texts, { batch } = {}) {
    let parts = this.lanes > 1 ? groups(texts, batch, SHARED_BATCH_CHARS) : [];
    // Fewer groups than workers (short texts fit one group): cut them smaller, so none idles.
    if (!batch && parts.length < this.lanes && texts.length >= this.lanes) {
      parts = groups(texts, Math.ceil(texts.length / this.lanes));
    }
    if (parts.length < 2) return this.call("embed", { texts, batch });
    const lanes = [this, ...await this.startHelpers()];
    const out = new Float32Array(texts.length * DIMS);
    let next = 0;
    await Promise.all(lanes.map(async (lane) => {
      while (next < parts.length) {
        const picked = parts[next++];
        const floats = await lane.call("embed", { texts: picked.map((i) => texts[i]), batch });
        picked.forEach((i, row) => out.set(floats.subarray(row * DIMS, (row + 1) * DIMS), i * DIMS));
      }
    }));
    return out;
  }

  /** The other workers, started once; one that cannot load the model is left out. */
  async startHelpers() {
    this.helpers ??= Promise.all(Array.from({ length: this.lanes - 1 }, async () => {
      const helper = new Embedder({ threads: this.threads });
      try { await helper.start(); return helper; } catch { helper.stop(); return null; }
    })).then((started) => started.filter(Boolean));
    return this.helpers;
  }

  put(items, data) {
    return this.call("index.put", { items, data }, [data.buffer]);
  }

  drop(artifacts) { return this.call("index.drop", { artifacts }); }
  clear() { return this.call("index.clear"); }
  size() { return this.call("index.size"); }
  query(text, k = 50) { return this.call("index.query", { text, k }); }
  queryVector(vector, k = 50) { return this.call("index.query", { vector: Array.from(vector), k }); }
  related(artifact, k = 50) { return this.call("index.related", { artifact, k }); }

  /** Stop the worker (tests and benchmarks). */
  stop() {
    this.worker?.terminate();
    this.worker = null;
    this.helpers?.then((started) => started.forEach((helper) => helper.stop()));
    this.helpers = null;
  }
}
