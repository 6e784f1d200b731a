// Semantic search on the page: the background indexer and its progress in the status bar
// ("Indexed 1,204 of 1,210 documents"), the "Related" list beside the open document, and
// `search(query)`: keyword and semantic results fused by the engine (`search.fused`), which
// the search panel calls (window.quire.semantic.search). Without the model (missing, corrupt)
// the status bar says so and search stays keyword search.

import { $, h, replace } from "./dom.mjs";
import { Embedder } from "../embed/client.mjs";
import { Indexer } from "../embed/indexer.mjs";
import { Uploader, serverIndexWanted } from "../embed/uploader.mjs";

const RELATED = 5;
const NEAREST_CHUNKS = 200;
const number = new Intl.NumberFormat("en");

export class Semantic {
  /** `store`, `session` ({engine}), `tree` ({byId}), `open(id)`: open a document. */
  constructor({ store, session, tree, open }) {
    Object.assign(this, { store, session, tree, open });
    this.embedder = null;
    this.indexer = null;
    this.available = false;
    this.problem = null;
    this.openId = null;
    store.on("document-opened", ({ id }) => { this.openId = id; this.showRelated(); });
    store.on("document-saved", () => this.indexer?.wake());
    store.on("workspace-changed", () => this.indexer?.wake());
  }

  /** Start indexing once the engine is ready (called by app.mjs). */
  async start(engine) {
    this.engine = engine;
    this.embedder = new Embedder();
    this.indexer = new Indexer({
      engine, embedder: this.embedder, canWrite: () => this.store.canWrite(),
      onProgress: (p) => this.showProgress(p),
      onError: (e) => console.warn("indexing paused:", e?.message ?? e),
      onIndexed: (ids) => { if (ids.includes(this.openId)) this.showRelated(); this.uploader.wake(); },
    });
    this.uploader = new Uploader({ engine, canWrite: () => this.store.canWrite() });
    this.uploader.run().catch((e) => console.warn("server-side index stopped:", e));
    this.uploader.checkSignedIn().then((on) => { if (on) this.showSetting(); });
    try {
      await this.embedder.start();
      this.available = true;
      await this.indexer.run();
    } catch (error) {
      this.available = false;
      this.problem = error?.message ?? String(error);
      this.setStatus(error?.code === "model_unavailable"
        ? "Semantic search is unavailable (the search model could not be loaded); keyword search works."
        : `Semantic indexing stopped: ${this.problem}`, "error");
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
  }

  /** Keyword + semantic hits for `query` (the engine's `search.fused` shape). */
  async search(query, options = {}) {
    let chunks;
    if (this.available && query.trim()) {
      try {
        await this.indexer.loaded;
        const near = await this.nearest(query);
        chunks = near.map((c) => ({ artifact_id: c.artifact, chunk: c.chunk, score: c.score }));
      } catch (error) {
        console.warn("semantic query failed, keyword results only:", error?.message ?? error);
      }
    }
    return this.session.call("search.fused", { query, ...(chunks ? { chunks } : {}), ...options });
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

  /** "Server-side semantic index" beside the account name, for a signed-in user. */
  showSetting() {
    if ($("#server-index")) return;
    const box = h("input", { type: "checkbox", id: "server-index", checked: serverIndexWanted(),
      onchange: async () => {
        box.disabled = true;
        try { await this.uploader.setWanted(box.checked); } catch (e) { console.warn(e); box.checked = !box.checked; }
        box.disabled = false;
      } });
    const label = h("label", { class: "server-index", title: "Also keeps your search vectors (numbers only, no text) on this server, so search works at once on your other devices." },
      box, h("span", {}, "Server-side semantic index"));
    $("#account")?.prepend(label);
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
