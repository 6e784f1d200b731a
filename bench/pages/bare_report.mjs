// How a boot page reports: `globalThis.bareBoot` and <html data-bare="ready|failed">.
// `readyAt` is page time (ms since navigation started). Work a worker did after it was ready
// (bookkeeping, checks) is taken off: it passes `afterReadyMs`.

export function report({ afterReadyMs = 0, ...result }) {
  globalThis.bareBoot = { readyAt: performance.now() - afterReadyMs, ...result };
  document.documentElement.dataset.bare = result.error ? "failed" : "ready";
}
