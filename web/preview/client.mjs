// The page's handle on the preview worker (./worker.mjs): started on the first render, one
// render in flight at a time, and only the newest text waits behind it (older ones are
// dropped, their promises resolve to null).
//
// The worker sends a section's HTML once: a section this page received in the answer before
// comes as its key only (see worker.mjs), so an edit in a long note sends back one section,
// not the whole note's HTML. Both sides count "received" the same way: the keys of the last
// answer (partial or full).

import { serveRuntime, compileRuntime } from "../engine/runtime.mjs";

const WORKER_URL = new URL("./worker.mjs", import.meta.url);

export class PreviewRenderer {
  constructor() {
    this.worker = null;
    this.seq = 0;
    this.waiting = new Map(); // id -> {resolve, reject}
    this.busy = null; // the id in flight
    this.next = null; // {text, resolve, reject}: the newest text waiting for the worker
    this.ready = null;
    this.isReady = false;
    this.stats = { bootMs: null, lastMs: null, renders: 0, sentHtml: 0 };
    this.known = new Map(); // key -> HTML of the sections of the last answer
  }

  start() {
    if (this.worker) return this.ready;
    compileRuntime();
    this.worker = new Worker(WORKER_URL, { type: "module", name: "quire-preview" });
    serveRuntime(this.worker);
    this.ready = new Promise((resolve, reject) => {
      this.worker.addEventListener("message", (event) => {
        const data = event.data ?? {};
        if (data.type === "ready") { this.stats.bootMs = data.bootMs; this.isReady = true; resolve(); }
        else if (data.type === "failed") reject(new Error(data.error));
        else if (typeof data.id === "number") this.answer(data);
      });
      this.worker.addEventListener("error", (e) => reject(new Error(e.message || "The preview worker failed.")));
    });
    this.ready.catch(() => {});
    return this.ready;
  }

  /**
   * Render `text`; resolves to {sections: [[first line, html], …], ms}, or null when newer
   * text replaced it first. `firstLines` with `onPartial(sections)`: when sections after that
   * line are not rendered yet, the first ones come to `onPartial` before the rest is done.
   */
  render(text, { onPartial = null, firstLines = null } = {}) {
    this.start();
    return new Promise((resolve, reject) => {
      this.next?.resolve(null);
      this.next = { text, resolve, reject, onPartial, firstLines };
      this.pump();
    });
  }

  pump() {
    if (this.busy !== null || !this.next) return;
    const { text, resolve, reject, onPartial, firstLines } = this.next;
    this.next = null;
    const id = ++this.seq;
    this.busy = id;
    this.waiting.set(id, { resolve, reject, onPartial });
    this.worker.postMessage({ id, text, firstLines: onPartial ? firstLines : null });
  }

  /** [[start, key, html|null], …] from the worker → [[start, html], …]; remembers the keys. */
  resolveSections(parts) {
    const known = new Map();
    const sections = parts.map(([start, key, html]) => {
      if (typeof html === "string") this.stats.sentHtml += html.length;
      const full = typeof html === "string" ? html : this.known.get(key) ?? "";
      known.set(key, full);
      return [start, full];
    });
    this.known = known;
    return sections;
  }

  answer(data) {
    const waiter = this.waiting.get(data.id);
    if (data.partial) {
      const sections = this.resolveSections(data.sections);
      waiter?.onPartial?.(sections);
      return;
    }
    this.waiting.delete(data.id);
    if (this.busy === data.id) this.busy = null;
    if (waiter) {
      if (data.error) waiter.reject(new Error(data.error));
      else {
        this.stats.lastMs = data.ms;
        this.stats.renders++;
        waiter.resolve({ sections: this.resolveSections(data.sections), ms: data.ms });
      }
    } else if (!data.error) {
      this.resolveSections(data.sections);
    }
    this.pump();
  }
}
