// Starts pagestore_worker.mjs and exposes `globalThis.pagestore.call(op, args)` to the test.

const worker = new Worker(new URL("pagestore_worker.mjs", import.meta.url), { type: "module" });
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

globalThis.pagestore = {
  call(op, args = {}) {
    const id = ++seq;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
  },
};
