// The preview benchmark's page. Two measurements:
// - `compare`: old renderer (the hand-written pylib/markdown the app used before markdown-it-py,
//   taken from git by bench/browser_preview.py) against the new one, taking turns inside one
//   Pyodide worker (preview_worker.mjs);
// - `pipeline`: what the app does on an edit: the real preview worker (web/preview) renders,
//   then the page sanitises and inserts the HTML (setEngineHtml) and lays it out.

import { Preview } from "/ui/preview.mjs";

const worker = new Worker(new URL("./preview_worker.mjs", import.meta.url), { type: "module" });
let seq = 0;
const waiting = new Map();
worker.onmessage = ({ data }) => {
  const w = waiting.get(data.id);
  waiting.delete(data.id);
  if (data.ok) w.resolve(data.result); else w.reject(new Error(data.error));
};
const call = (op, args) => new Promise((resolve, reject) => {
  const id = ++seq;
  waiting.set(id, { resolve, reject });
  worker.postMessage({ id, op, args });
});

const out = document.getElementById("out");
const preview = new Preview(null, out);
const renderer = preview.renderer;

async function pipeline(text) {
  const started = performance.now();
  const { sections, ms } = await renderer.render(text);
  const rendered = performance.now();
  preview.paint(sections);
  void out.offsetHeight; // layout, as the visible preview needs
  const painted = performance.now();
  return { worker: ms, roundTrip: rendered - started, paint: painted - rendered, total: painted - started,
           sections: sections.length, built: preview.stats.built };
}

/** A note opened in the preview as the app does it (Preview.renderNow into an empty preview):
 * when its first content shows (the first screen, rendered first) and when all of it does. */
async function opening(text) {
  preview.clear();
  const started = performance.now();
  let first = null;
  const seen = new MutationObserver(() => {
    if (first !== null || !out.querySelector(".preview-section")) return;
    void out.offsetHeight; // laid out, as it will be painted
    first = performance.now() - started;
  });
  seen.observe(out, { childList: true });
  try {
    await preview.renderNow(text);
  } finally {
    seen.disconnect();
  }
  return { first, total: performance.now() - started, sections: out.querySelectorAll(".preview-section").length };
}

globalThis.bench = {
  opening,
  setup: (old) => call("setup", { old }),
  time: (which, text, reps) => call("time", { which, text, reps }),
  startPreview: async () => { const t = performance.now(); await renderer.start(); return performance.now() - t; },
  pipeline,
};
globalThis.benchReady = true;
