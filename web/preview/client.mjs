// The page's handle on the preview worker (./worker.mjs): started on the first render, one
// render in flight at a time, and only the newest text waits behind it (older ones are
// dropped, their promises resolve to null).

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
    this.stats = { bootMs: null, lastMs: null, renders: 0 };
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

  /** Render `text`; resolves to {sections: [[first line, html], …], ms}, or null when newer
   * text replaced it first. */
  render(text) {
    this.start();
    return new Promise((resolve, reject) => {
      this.next?.resolve(null);
      this.next = { text, resolve, reject };
      this.pump();
    });
  }

  pump() {
    if (this.busy !== null || !this.next) return;
    const { text, resolve, reject } = this.next;
    this.next = null;
    const id = ++this.seq;
    this.busy = id;
    this.waiting.set(id, { resolve, reject });
    this.worker.postMessage({ id, text });
  }

  answer(data) {
    const waiter = this.waiting.get(data.id);
    this.waiting.delete(data.id);
    if (this.busy === data.id) this.busy = null;
    if (waiter) {
      if (data.error) waiter.reject(new Error(data.error));
      else {
        this.stats.lastMs = data.ms;
        this.stats.renders++;
        waiter.resolve({ sections: data.sections, ms: data.ms });
      }
    }
    this.pump();
  }
}
