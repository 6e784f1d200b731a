// Starts engine_check_worker.mjs and exposes `globalThis.engineCheck(source, options)`: the
// worker runs `await check(platform.current, options)` from the Python `source`, as JSON.

const worker = new Worker(new URL("engine_check_worker.mjs", import.meta.url), { type: "module" });

globalThis.engineCheck = (source, options) =>
  new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.ok ? resolve(data.result) : reject(new Error(data.error)));
    worker.onerror = (event) => reject(new Error(event.message || "worker error"));
    worker.postMessage({ source, options });
  });
