// The background indexer: asks the engine for chunks that have no vector yet, has the
// embedding worker embed them, stores the int8 vectors in the workspace and keeps the worker's
// in-memory index current. Resumable by construction: the engine knows what is embedded, so a
// reload (or a worker crash) continues where the last stored batch ended.
//
// Never in the way of typing: one small batch at a time, a yield to the page between batches
// (the engine serves a save between two calls), nothing while the page is hidden.

import { quantize, DIMS } from "./vectors.mjs";

const BATCH = 16;
const RETRY_MS = [1000, 2000, 5000, 15000, 30000];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Let the page paint and handle input before the next batch. */
function yieldToPage() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class Indexer {
  /**
   * `engine`: {call(method, params)}; `embedder`: ./client.mjs's Embedder; `canWrite()`: this
   * tab owns the workspace; `onProgress({documents, indexed, ...})`, `onError(error)`,
   * `onIndexed(artifactIds)` (documents whose vectors changed).
   */
  constructor({ engine, embedder, canWrite = () => true, onProgress = () => {}, onError = () => {},
                onIndexed = () => {} }) {
    Object.assign(this, { engine, embedder, canWrite, onProgress, onError, onIndexed });
    this.stopped = false;
    this.wakeUp = null;
    this.progress = null;
    // Resolves once the worker holds every stored vector (queries before then would miss some).
    this.loaded = new Promise((resolve) => { this.markLoaded = resolve; });
    embedder.onRestart = () => this.loadIndex();
  }

  /** Load every stored vector into the worker's index (after a start or a crash). */
  async loadIndex() {
    await this.embedder.clear();
    let after = null;
    do {
      const page = await this.engine.call("embeddings.vectors", { after, limit: 5000 });
      if (page.items.length) await this.embedder.put(this.refs(page.items), new Int8Array(page.data.slice().buffer));
      after = page.next;
    } while (after);
  }

  refs(items) {
    return items.map((i) => ({ artifact: i.artifact_id, chunk: i.chunk, scale: i.scale }));
  }

  /** Something changed (a save): look for work again now. */
  wake() {
    this.wakeUp?.();
  }

  stop() {
    this.stopped = true;
    this.wake();
  }

  waitForWork(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => { clearTimeout(timer); resolve(); };
    });
  }

  async visible() {
    if (!globalThis.document || document.visibilityState !== "hidden") return;
    await new Promise((resolve) => {
      const seen = () => {
        if (document.visibilityState === "hidden") return;
        document.removeEventListener("visibilitychange", seen);
        resolve();
      };
      document.addEventListener("visibilitychange", seen);
    });
  }

  /** One batch: returns false when there was nothing to do. */
  async step() {
    const todo = await this.engine.call("embeddings.pending", { limit: BATCH });
    this.progress = todo.progress;
    this.onProgress(todo.progress);
    if (!todo.chunks.length) return false;
    const floats = await this.embedder.embed(todo.chunks.map((c) => c.text));
    const vectors = todo.chunks.map((c, i) => {
      const { data, scale } = quantize(floats.subarray(i * DIMS, (i + 1) * DIMS));
      return { id: c.id, vector: new Uint8Array(data.buffer), scale };
    });
    this.progress = await this.engine.call("embeddings.store", { model: todo.model, vectors });
    const changed = [...new Set(todo.chunks.map((c) => c.artifact_id))];
    for (const id of changed) {
      const own = await this.engine.call("embeddings.vectors", { id });
      await this.embedder.drop([id]);
      if (own.items.length) await this.embedder.put(this.refs(own.items), new Int8Array(own.data.slice().buffer));
    }
    this.onProgress(this.progress);
    this.onIndexed(changed);
    return true;
  }

  /** Run until stopped: index, then wait for a change; errors back off and retry. */
  async run() {
    let failures = 0;
    await this.embedder.start();
    await this.loadIndex();
    this.markLoaded();
    while (!this.stopped) {
      await this.visible();
      if (!this.canWrite()) { await this.waitForWork(5000); continue; }
      try {
        const worked = await this.step();
        failures = 0;
        if (worked) await yieldToPage();
        else await this.waitForWork(30000);
      } catch (error) {
        if (error?.code === "model_unavailable") throw error;
        this.onError(error);
        await sleep(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]);
      }
    }
  }
}
