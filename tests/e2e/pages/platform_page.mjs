// Starts platform_worker.mjs and exposes `globalThis.platformCheck(source, baseUrl)` to the test.

const worker = new Worker(new URL("platform_worker.mjs", import.meta.url), { type: "module" });

globalThis.platformCheck = (source, baseUrl) =>
  new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.ok ? resolve(data.result) : reject(new Error(data.error)));
    worker.onerror = (event) => reject(new Error(event.message || "worker error"));
    worker.postMessage({ source, baseUrl });
  });
