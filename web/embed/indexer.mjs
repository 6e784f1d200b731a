// The background indexer: asks the engine for chunks that have no vector yet, has the
// embedding worker embed them, stores the int8 vectors in the workspace and keeps the worker's
// in-memory index current. Resumable by construction: the engine knows what is embedded, so a
// reload (or a worker crash) continues where the last stored batch ended.
//
// Never in the way of typing: chunks are embedded a few at a time, and before each batch (and
// each engine call) the indexer waits until the page is quiet: no key or click for QUIET_MS,
// no engine call queued by anything else (a save, link completion, quick open waits for at
// most one batch), the page visible. The vectors of a cycle are stored in one write, so the
// data worker has long idle spells in which the page store folds its log.

import { quantize, DIMS } from "./vectors.mjs";

// Chunks asked for per cycle (one `embeddings.pending`, one `embeddings.store`), and the time
// after which a cycle stores what it has (a reload loses at most that much work).
const CYCLE = 48;
const CYCLE_MS = 8000;
// Chunks per embedding call: what is in flight when the user starts typing runs to its end, so
// this bounds how long typing shares the cores with the model (4: half the best-throughput
// batch of 8 at 256 tokens, bench/engine_embed_throughput.py), once the page has been left alone.
const BATCH = 4;
// While the person is at the page (input in the last ACTIVE_MS), one chunk per call: a call of
// four 256-token chunks runs about a second on its one thread, and the keys typed right after
// a pause in reading (opening a note, then typing) shared the cores with all of it (unpaced
// p95 26 ms in a 1 MB note against 11 ms once it had ended); one chunk is a quarter of that.
const ACTIVE_BATCH = 1;
export const ACTIVE_MS = 30_000;
// How long the page must have had no input before the next batch.
export const QUIET_MS = 1200;
const POLL_MS = 150;
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
                onIndexed = () => {}, busy = () => false, sinceInput = () => Infinity }) {
    Object.assign(this, { engine, embedder, canWrite, onProgress, onError, onIndexed, busy, sinceInput });
    this.paused = 0;  // times the indexer waited for the page to be quiet (tests, benchmarks)
    this.held = false; // hold(true): wait before the next batch until hold(false)
    this.running = 0;  // engine or embedding calls of the indexer in flight
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

  /** Pause (true) or resume (false) before the next batch; what is in flight finishes. */
  hold(on) {
    this.held = Boolean(on);
  }

  /** Until the page is quiet: visible, no recent input, no engine call of anyone else queued. */
  async quiet() {
    await this.visible();
    const waiting = () => this.held || this.busy() || this.engine.inFlight > 0;
    if (!waiting()) return;
    this.paused++;
    while (waiting()) await sleep(POLL_MS);
  }

  /** An engine call of the indexer's own (counted in `running`). */
  async ask(method, params) {
    this.running++;
    try { return await this.engine.call(method, params); } finally { this.running--; }
  }

  /** One cycle: returns false when there was nothing to do. */
  async step() {
    await this.quiet();
    const todo = await this.ask("embeddings.pending", { limit: CYCLE });
    this.progress = todo.progress;
    this.onProgress(todo.progress);
    if (!todo.chunks.length) return false;
    const vectors = [];
    const started = performance.now();
    // One call keeps every embedding worker busy: BATCH chunks for each (ACTIVE_BATCH while
    // the person is at the page).
    const lanes = this.embedder.lanes ?? 1;
    for (let start = 0; start < todo.chunks.length && performance.now() - started < CYCLE_MS;) {
      const size = (this.sinceInput() < ACTIVE_MS ? ACTIVE_BATCH : BATCH) * lanes;
      const batch = todo.chunks.slice(start, start + size);
      start += size;
      await this.quiet();
      this.running++;
      const floats = await this.embedder.embed(batch.map((c) => c.text)).finally(() => { this.running--; });
      batch.forEach((c, i) => {
        const { data, scale } = quantize(floats.subarray(i * DIMS, (i + 1) * DIMS));
        vectors.push({ id: c.id, vector: new Uint8Array(data.buffer), scale });
      });
      await yieldToPage();
    }
    await this.quiet();
    this.progress = await this.ask("embeddings.store", { model: todo.model, vectors });
    const done = new Set(vectors.map((v) => v.id));
    const changed = [...new Set(todo.chunks.filter((c) => done.has(c.id)).map((c) => c.artifact_id))];
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
