// Semantic search on the page: the background indexer and its progress in the status bar
// ("Indexed 1,204 of 1,210 documents"), the "Related" list beside the open document, and
// `search(query)`: keyword and semantic results fused by the engine (`search.fused`), which
// the search panel calls (window.quire.semantic.search). Without the model (missing, corrupt)
// the status bar says so and search stays keyword search.

import { $, h, replace } from "./dom.mjs";
import { Embedder } from "../embed/client.mjs";
import { Indexer, QUIET_MS } from "../embed/indexer.mjs";
import { Uploader } from "../embed/uploader.mjs";
import { showServerIndexEntry } from "./serverindex.mjs";

const RELATED = 5;
const NEAREST_CHUNKS = 200;
// Chunks less similar than this never join the panel's results (cosine). On the relevance set
// (tests/relevance, which scores with this floor) 0.15 costs nothing: fused MRR@10 0.940 and
// recall@10 0.99, as with no floor; 0.2 gave 0.932 / 0.97 and 0.3 0.893 / 0.91. The least
// related chunks stay out.
export const MIN_SIMILARITY = 0.15;
const number = new Intl.NumberFormat("en");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Semantic {
  /** `store`, `session` ({engine}), `tree` ({byId}), `open(id)`: open a document. */
  constructor({ store, session, tree, open }) {
    Object.assign(this, { store, session, tree, open });
    this.embedder = null;
    this.indexer = null;
    this.available = false;
    this.indexLoaded = false;
    this.problem = null;
    this.openId = null;
    this.listeners = new Set();
    // The last key, click or scroll: the indexer waits while the user is at work.
    this.lastInput = -Infinity;
    const seen = () => { this.lastInput = performance.now(); };
    for (const type of ["keydown", "pointerdown", "input", "wheel"]) {
      document.addEventListener(type, seen, { capture: true, passive: true });
    }
    store.on("document-opened", ({ id }) => { this.openId = id; this.showRelated(); });
    store.on("document-saved", () => this.indexer?.wake());
    store.on("workspace-changed", () => this.indexer?.wake());
  }

  /** Start indexing once the engine is ready (called by app.mjs). */
  async start(engine) {
    this.engine = engine;
    engine.peer?.pageReads.set("page.semantic_search", ({ query, waitMs, ...options }) =>
      this.search(query, { ...options, waitMs: waitMs ?? Infinity }));
    // One core is left to the page and the data worker (on 2 cores: one ONNX thread; 1 and 2
    // threads embedded within noise of each other there, bench/README.md).
    const cores = navigator.hardwareConcurrency || 1;
    this.embedder = new Embedder({ threads: Math.max(1, Math.min(2, cores - 1)) });
    this.indexer = new Indexer({
      engine, embedder: this.embedder, canWrite: () => this.store.canWrite(),
      busy: () => performance.now() - this.lastInput < QUIET_MS,
      sinceInput: () => performance.now() - this.lastInput,
      onProgress: (p) => this.showProgress(p),
      onError: (e) => console.warn("indexing paused:", e?.message ?? e),
      onIndexed: (ids) => { if (ids.includes(this.openId)) this.showRelated(); this.uploader.wake(); },
    });
    this.uploader = new Uploader({ engine, canWrite: () => this.store.canWrite() });
    this.uploader.run().catch((e) => console.warn("server-side index stopped:", e));
    this.uploader.checkSignedIn().then((on) => { if (on) showServerIndexEntry(this); });
    try {
      await this.quiet();
      await this.embedder.start();
      this.available = true;
      this.indexer.loaded.then(() => { this.indexLoaded = true; this.changed(); });
      await this.indexer.run();
    } catch (error) {
      this.available = false;
      this.problem = error?.message ?? String(error);
      this.problemCode = error?.code ?? null;
      this.changed();
      this.setStatus(error?.code === "model_unavailable"
        ? "Semantic search is unavailable (the search model could not be loaded); keyword search works."
        : `Semantic indexing stopped: ${this.problem}`, "error");
    }
  }

  /**
   * Until the page has had no key, click or scroll for QUIET_MS, counted from now: loading the
   * model is seconds of CPU in its worker, which on two cores slowed the first keystrokes after
   * boot (p95 292 against 20 ms for a bare textarea), so it waits for a pause as indexing does.
   * A search asked for meanwhile loads it at once (Embedder.call starts it).
   */
  async quiet() {
    const since = performance.now();
    while (performance.now() - Math.max(since, this.lastInput) < QUIET_MS && !this.embedder.worker) {
      await sleep(QUIET_MS - (performance.now() - Math.max(since, this.lastInput)) + 20);
    }
  }

  setStatus(text, state = "") {
    const el = $("#index-state");
    if (!el) return;
    el.textContent = text;
    el.dataset.state = state;
  }

  showProgress({ documents, indexed, done }) {
    this.setStatus(done ? "" : `Indexed ${number.format(indexed)} of ${number.format(documents)} documents`,
      done ? "done" : "indexing");
    this.changed();
  }

  /** Call `fn()` whenever semantic search can answer more than before (the model or the index
   * loaded, more documents indexed, or it stopped); returns the way to stop. */
  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() {
    for (const fn of this.listeners) fn();
  }

  /** How far semantic search can answer now: {state: "ready" | "partial" | "loading" |
   * "unavailable", text} (text: what a person is told; empty when all is ready). */
  state() {
    const words = "showing word matches only";
    if (this.problem) {
      const why = this.problemCode === "model_unavailable" ? "the search model could not be loaded" : "semantic indexing stopped";
      return { state: "unavailable", text: `Semantic results are unavailable (${why}): ${words}.` };
    }
    if (!this.available || !this.indexLoaded) return { state: "loading", text: `Semantic results are not ready yet (the search model is loading): ${words}.` };
    const p = this.indexer?.progress;
    if (p && !p.done) {
      return { state: "partial", text: `Semantic results are partial: ${number.format(p.indexed)} of ${number.format(p.documents)} documents indexed so far.` };
    }
    return { state: "ready", text: "" };
  }

  /** Keyword + semantic hits for `query` (the engine's `search.fused` shape), plus `semantic`:
   * {state, text} as state() says, "late" when the query's chunks did not come within `waitMs`
   * (the worker may be embedding a batch of the first index). `minScore`: the least cosine a
   * chunk needs to count. */
  async search(query, { minScore = 0, waitMs = Infinity, ...options } = {}) {
    const engine = this.session.engine;
    if (engine && engine.ownership !== "owner" && this.store.canRead()) {
      // A tab showing another tab's workspace: that tab's page holds the model and the
      // vectors, so it searches by meaning too (registered in start()).
      return engine.peer.ask("page.semantic_search", { query, minScore, waitMs, ...options });
    }
    let chunks;
    let semantic = this.state();
    if (this.available && query.trim()) {
      try {
        // The index loads once after a start: a query waits for it (or until `waitMs`).
        const late = waitMs === Infinity ? [] : [sleep(waitMs).then(() => null)];
        const near = await Promise.race([this.indexer.loaded.then(() => this.nearest(query)), ...late]);
        if (near) {
          chunks = near.filter((c) => c.score >= minScore).map((c) => ({ artifact_id: c.artifact, chunk: c.chunk, score: c.score }));
          semantic = this.state();
        } else if (this.indexLoaded) semantic = { state: "late", text: "Semantic results are late (the search model is busy indexing): showing word matches only." };
      } catch (error) {
        console.warn("semantic query failed, keyword results only:", error?.message ?? error);
        semantic = { state: "unavailable", text: "Semantic results are unavailable (the query could not be embedded): showing word matches only." };
      }
    }
    const answer = await this.session.call("search.fused", { query, ...(chunks ? { chunks } : {}), ...options });
    return { ...answer, semanticState: semantic };
  }

  /** Local nearest chunks, merged by chunk with the server's when it is in use (a device
   * whose local index is still being built finds at once what another device embedded). */
  async nearest(query) {
    if (!this.uploader?.active) return this.embedder.query(query, NEAREST_CHUNKS);
    const vector = await this.embedder.embed([query]);
    const [local, remote] = await Promise.all([
      this.embedder.queryVector(vector, NEAREST_CHUNKS), this.uploader.query(vector, 100)]);
    const best = new Map();
    for (const c of [...local, ...remote]) {
      const key = `${c.artifact}\u0000${c.chunk}`;
      if (!best.has(key) || best.get(key).score < c.score) best.set(key, c);
    }
    return [...best.values()].sort((a, b) => b.score - a.score);
  }

  /** The documents nearest in meaning to the open one, beside it. */
  async showRelated() {
    const box = $("#related");
    const id = this.openId;
    if (!box || !id) return;
    let hits = [];
    if (this.available) {
      try {
        await this.indexer.loaded;
        const near = await this.embedder.related(id, RELATED * 8);
        const chunks = near.map((c) => ({ artifact_id: c.artifact, chunk: c.chunk, score: c.score }));
        hits = (await this.session.call("search.related", { id, chunks, limit: RELATED })).hits;
      } catch (error) {
        console.warn("related notes unavailable:", error?.message ?? error);
      }
    }
    if (id !== this.openId) return;
    box.hidden = hits.length === 0;
    replace($("#related-list"), hits.map((hit) => h("li", {},
      h("button", { type: "button", class: "related-item", title: hit.path,
                    onclick: () => this.open(hit.id) },
        h("span", { class: "related-name" }, hit.name),
        hit.section ? h("span", { class: "related-section" }, hit.section) : null))));
  }
}
