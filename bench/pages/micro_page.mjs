// The page side of the micro-benchmarks: starts micro_worker.mjs (or search_worker.mjs) and exposes
// `globalThis.bench.call(op, args)` for the benchmark driver (Playwright).

// `micro_page.mjs?worker=search` drives the keyword-search worker instead.
const WORKERS = { micro: "micro_worker.mjs", search: "search_worker.mjs" };
const chosen = WORKERS[new URL(import.meta.url).searchParams.get("worker") ?? "micro"];
const worker = new Worker(new URL(chosen, import.meta.url), { type: "module" });
const waiting = new Map();
let seq = 0;

worker.onmessage = ({ data: { id, ok, result, error } }) => {
  const pending = waiting.get(id);
  waiting.delete(id);
  if (ok) pending.resolve(result);
  else pending.reject(new Error(error));
};
worker.onerror = (event) => {
  for (const pending of waiting.values()) pending.reject(new Error(event.message || "worker error"));
  waiting.clear();
};

globalThis.bench = {
  call(op, args = {}) {
    const id = ++seq;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
  },
};
