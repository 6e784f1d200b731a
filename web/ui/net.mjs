// The page and the network: the service worker (offline copy of the app) and whether the server
// is reachable (/healthz). Who is signed in is account.mjs.

const HEALTH_EVERY_MS = 20_000;
const HEALTH_TIMEOUT_MS = 4_000;

/** Register sw.js, versioned by the vendored manifest so a new build installs a new worker. */
export async function registerServiceWorker({ onUpdateReady }) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return null;
  let version = "";
  try {
    const res = await fetch("vendor/manifest.json", { cache: "no-cache" });
    if (res.ok) version = String((await res.json()).version || "");
  } catch { /* offline or not vendored yet: keep whatever worker is installed */ }
  const url = version ? `sw.js?v=${encodeURIComponent(version)}` : "sw.js";
  let reg;
  try {
    reg = await navigator.serviceWorker.register(url, { scope: "./" });
  } catch (err) {
    console.warn("Service worker not registered:", err);
    return null;
  }
  if (!reg) return null; // service workers disabled (some test and kiosk setups)
  const announce = (worker) => { if (worker && navigator.serviceWorker.controller) onUpdateReady(() => activate(worker)); };
  if (reg.waiting) announce(reg.waiting);
  reg.addEventListener("updatefound", () => {
    const worker = reg.installing;
    worker?.addEventListener("statechange", () => { if (worker.state === "installed") announce(worker); });
  });
  return reg;
}

let reloading = false;
const HAND_OVER_EVERY_MS = 2_000;
// A navigation inside the worker's scope that the worker answers with 204 (no document; a
// worker of an older build sends it to the server, whose answer may not be framed).
const HAND_OVER_URL = "./hand-over";

/**
 * Let the waiting worker take over, then reload once it controls the page.
 *
 * Chromium hands over only once the old worker is idle: told that the new one skips waiting,
 * it stops the old one at its first idle moment. A request of the page or of one of its
 * workers (the embedding model loads just after the engine is ready) that reaches the old
 * worker while it stops starts it again, and from then on it serves the page until it has
 * been idle for 30 s, which the page's own requests (a health probe every 20 s) put off to
 * Chromium's five-minute limit. Asking the new worker again changes nothing: the browser keeps
 * the first request. What does make it try again is a navigation in the scope: so every 2 s,
 * until the page changes hands, a hidden frame opens HAND_OVER_URL (the worker answers 204:
 * nothing loads). The request also goes to whichever worker is waiting by then.
 */
function activate(worker) {
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) return;
    reloading = true;
    location.reload();
  });
  let asked = worker;
  worker.postMessage({ type: "skip-waiting" });
  const retry = setInterval(async () => {
    if (reloading) { clearInterval(retry); return; }
    const waiting = (await navigator.serviceWorker.getRegistration())?.waiting;
    if (waiting && waiting !== asked) { asked = waiting; waiting.postMessage({ type: "skip-waiting" }); }
    nudge();
  }, HAND_OVER_EVERY_MS);
}

function nudge() {
  const frame = Object.assign(document.createElement("iframe"), { hidden: true, src: HAND_OVER_URL });
  frame.setAttribute("aria-hidden", "true");
  document.body.append(frame);
  setTimeout(() => frame.remove(), HAND_OVER_EVERY_MS);
}

/** Watch reachability of the server; calls onChange(online) whenever it flips. */
export function watchConnectivity(onChange) {
  let online = null;
  let timer = null;
  const set = (value) => {
    if (value === online) return;
    online = value;
    onChange(value);
  };
  async function probe() {
    clearTimeout(timer);
    if (navigator.onLine === false) set(false);
    else {
      const ctl = new AbortController();
      const t = setTimeout(() => ctl.abort(), HEALTH_TIMEOUT_MS);
      try {
        const res = await fetch("/healthz", { cache: "no-store", signal: ctl.signal });
        set(res.status < 500);
      } catch {
        set(false);
      } finally {
        clearTimeout(t);
      }
    }
    if (document.visibilityState === "visible") timer = setTimeout(probe, HEALTH_EVERY_MS);
  }
  window.addEventListener("online", probe);
  window.addEventListener("offline", () => set(false));
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") probe(); });
  probe();
  return { probe, isOnline: () => online !== false };
}
