// Quire's service worker: keeps a copy of the app shell and every vendored asset so the page
// opens and works with the server stopped.
//
// - Install precaches the shell plus every file listed in vendor/manifest.json (the vendoring
//   script writes it; its `version` is a content hash, and the page registers `sw.js?v=<version>`,
//   so a new build means a new worker and a new cache).
// - Precached files are served cache-first; navigations go to the network first and fall back to
//   the cached index.html.
// - Every response it returns carries COOP/COEP/CORP, so the page stays cross-origin isolated
//   (which the Pyodide worker needs) even when served from the cache.
// - /api/*, /signin, /signout, /auth/* and /healthz are never cached or answered from a cache.
// - A new worker waits until the page says so ("Update ready — reload").

const VERSION = new URL(self.location.href).searchParams.get("v") || "dev";
const PREFIX = "quire-";
const CACHE = `${PREFIX}${VERSION}`;
const MANIFEST = "vendor/manifest.json";
const NAV_TIMEOUT_MS = 4000;

// The entry points; their imports come from the manifest (or, without one, are cached as they load).
const SHELL = ["index.html", "app.css", "favicon.svg", "ui/app.mjs"];

const scopePath = () => new URL(self.registration.scope).pathname;

function neverCached(url) {
  const rel = url.pathname.slice(scopePath().length);
  return rel.startsWith("api/") || rel === "api" || rel.startsWith("auth/") || rel === "signin"
    || rel.startsWith("signin/") || rel === "signout" || rel === "healthz" || rel === "sw.js";
}

const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** The same response with the isolation headers added (cached responses are re-wrapped). */
function isolate(res) {
  if (!res || res.type === "opaque" || res.type === "opaqueredirect" || res.status === 0) return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

async function precache() {
  const cache = await caches.open(CACHE);
  let files = [];
  try {
    const res = await fetch(MANIFEST, { cache: "no-cache" });
    if (res.ok) {
      const manifest = await res.clone().json();
      files = Array.isArray(manifest.files) ? manifest.files : [];
      await cache.put(MANIFEST, res);
    }
  } catch {
    // Not vendored (a bare static server): the shell alone is still useful.
  }
  const urls = [...new Set([...SHELL, ...files].map((f) => String(f).replace(/^\.?\//, "")))]
    .filter((f) => f && !f.startsWith("sw.js"));
  // All or nothing: a half-filled cache would break offline in a confusing way.
  await cache.addAll(urls.map((u) => new Request(u, { cache: "reload" })));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || neverCached(url)) return;
  if (req.mode === "navigate") event.respondWith(navigate(req));
  else if (url.pathname === new URL(MANIFEST, self.registration.scope).pathname) event.respondWith(networkFirst(req));
  else event.respondWith(cacheFirst(req, url));
});

async function navigate(req) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match("index.html");
  try {
    const res = await withTimeout(fetch(req), cached ? NAV_TIMEOUT_MS : 0);
    return isolate(res);
  } catch {
    if (cached) return isolate(cached);
    return isolate(new Response("Quire is offline and not cached yet. Open it once while the server is running.", {
      status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
    }));
  }
}

async function networkFirst(req) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(req, res.clone()).catch(() => {});
    return isolate(res);
  } catch (err) {
    const hit = await cache.match(req, { ignoreSearch: true });
    if (hit) return isolate(hit);
    throw err;
  }
}

async function cacheFirst(req, url) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req);
  if (hit) return isolate(hit);
  try {
    const res = await fetch(req);
    // Same-origin assets the manifest did not list are kept too, so they also work offline.
    if (res.ok && res.type === "basic" && !/no-store/i.test(res.headers.get("Cache-Control") || "")) {
      await cache.put(req, res.clone()).catch(() => {}); // a full disk must not break the page
    }
    return isolate(res);
  } catch (err) {
    // Offline: a cache-busting query string should not stop us from using the copy we have.
    const loose = await cache.match(req, { ignoreSearch: true });
    if (loose) return isolate(loose);
    throw err;
  }
}

function withTimeout(promise, ms) {
  if (!ms) return promise;
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
