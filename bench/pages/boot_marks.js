// Injected by the boot benchmark before the app's own scripts (Playwright add_init_script).
// Records, in page time (ms since navigation started), when the Engine is created, when each
// boot progress phase begins, and when <html data-engine> says "ready" (editable) or "failed".
// The app sets globalThis.quire = Object.assign(globalThis.quire ?? {}, {engine}), so a setter
// on a pre-made `quire` object sees the Engine the moment it exists.
(() => {
  const marks = { phases: {}, state: null, readyAt: null, engineAt: null, ready: null };
  globalThis.__bootMarks = marks;
  let engine = null;
  const holder = {};
  Object.defineProperty(holder, "engine", {
    configurable: true,
    enumerable: true,
    get: () => engine,
    set(value) {
      engine = value;
      marks.engineAt = performance.now();
      value.addEventListener("progress", (event) => {
        const phase = event.detail?.phase;
        if (phase && !(phase in marks.phases)) marks.phases[phase] = performance.now();
      });
      value.addEventListener("ready", (event) => {
        const { bootMs, workerBootMs, restoredBytes } = event.detail ?? {};
        marks.ready = { at: performance.now(), bootMs, workerBootMs, restoredBytes };
      });
    },
  });
  globalThis.quire = holder;
  new MutationObserver(() => {
    const state = document.documentElement?.dataset.engine;
    if ((state === "ready" || state === "failed") && !marks.state) {
      marks.state = state;
      marks.readyAt = performance.now();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-engine"] });
})();
