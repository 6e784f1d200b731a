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

/**
 * Let the waiting worker take over, then reload once it controls the page. The request is
 * repeated to whichever worker is waiting until the page changes hands: a message to a waiting
 * worker the browser has just stopped or replaced is not always delivered.
 */
function activate(worker) {
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) return;
    reloading = true;
    location.reload();
  });
  worker.postMessage({ type: "skip-waiting" });
  const retry = setInterval(async () => {
    if (reloading) { clearInterval(retry); return; }
    const reg = await navigator.serviceWorker.getRegistration();
    (reg?.waiting || worker).postMessage({ type: "skip-waiting" });
  }, 2_000);
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
