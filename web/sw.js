// Quire's service worker: keeps a copy of the app shell and every vendored asset so the page
// opens and works with the server stopped.
//
// - vendor/manifest.json (scripts/precache.py writes it at build time) lists every file of the
//   app with its content hash; its `version` is a hash of the whole list, and the page registers
//   `sw.js?v=<version>`, so a new build means a new worker with its own cache `quire-<version>`.
// - Per-file revisions: installing a new worker copies each file whose hash is unchanged from the
//   previous build's cache and fetches only the files that changed, each with its hash as the
//   request's `integrity` (a file from another build is refused, never cached under this one).
// - No mixed state: the old worker keeps serving its own complete cache while the new one
//   installs; an install that fails (offline, a file that does not match) deletes its partial
//   cache and leaves the old build in place. The new worker waits until the page says so
//   ("Update ready — reload"); its cache is complete before it can take over.
// - Precached files, and the page itself, are served from the worker's own cache (so the page
//   and its modules always come from one build); other same-origin GETs go to the network and are
//   kept for offline use.
// - Every response it returns carries COOP/COEP/CORP, so the page stays cross-origin isolated
//   (which the Pyodide worker needs) even when served from the cache.
// - /api/*, /signin, /signout, /auth/* and /healthz are never cached or answered from a cache.

const VERSION = new URL(self.location.href).searchParams.get("v") || "dev";
const PREFIX = "quire-";
const CACHE = `${PREFIX}${VERSION}`;
const MANIFEST = "vendor/manifest.json";
const NAV_TIMEOUT_MS = 4000;
// Without a manifest (a bare static server, nothing vendored) the page is still kept.
const SHELL = ["index.html"];

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
  // Most cached responses have the headers already (the server sends them): returned as they
  // are, Chromium serves them straight from the cache (no copy streamed through this worker,
  // and scripts keep their compiled code cache), which is most of a warm reload's time.
  if (Object.entries(ISOLATION).every(([k, v]) => res.headers.get(k) === v)) return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** The build's manifest from the network: {version, files: {path: "sha256-..."}}, or null. */
async function fetchManifest() {
  try {
    const res = await fetch(MANIFEST, { cache: "no-cache" });
    if (!res.ok) return null;
    const manifest = await res.json();
    return manifest && typeof manifest.files === "object" && !Array.isArray(manifest.files) ? manifest : null;
  } catch {
    return null;
  }
}

/** The complete caches of earlier builds, each with the manifest it was filled from. */
async function earlierBuilds() {
  const builds = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const cache = await caches.open(name);
    const stored = await cache.match(MANIFEST);
    const manifest = stored && await stored.json().catch(() => null);
    if (manifest && typeof manifest.files === "object" && !Array.isArray(manifest.files)) builds.push({ cache, files: manifest.files });
  }
  return builds;
}

/** This build's copy of `path`: the earlier build's response when the hash is the same, else the network's. */
async function fill(cache, path, hash, builds) {
  for (const build of builds) {
    if (build.files[path] !== hash) continue;
    const hit = await build.cache.match(path);
    if (hit) return cache.put(path, hit);
  }
  const res = await fetch(new Request(path, { cache: "reload", integrity: hash || "" }));
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return cache.put(path, res);
}

async function precache() {
  const manifest = await fetchManifest();
  // A deploy between the page's look at the manifest and ours: this worker is already stale (the
  // page registers the newer one on its next load), so it must not fill its cache with that build.
  if (manifest && VERSION !== "dev" && manifest.version !== VERSION) throw new Error(`build ${manifest.version} is not ${VERSION}`);
  const files = { ...Object.fromEntries(SHELL.map((path) => [path, ""])), ...(manifest?.files ?? {}) };
  const builds = await earlierBuilds();
  const cache = await caches.open(CACHE);
  try {
    await Promise.all(Object.entries(files).map(([path, hash]) => fill(cache, path, hash, builds)));
    // Last: a cache holds a manifest only once every file it lists is in it.
    if (manifest) await cache.put(MANIFEST, new Response(JSON.stringify(manifest), { headers: { "Content-Type": "application/json" } }));
  } catch (err) {
    await caches.delete(CACHE);
    throw err;
  }
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
  if (event.data && event.data.type === "skip-waiting") event.waitUntil(self.skipWaiting());
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

/** The page: this build's copy (so it matches the modules it loads), else the network's.
 * A one-time login link (`?login=`) is the server's to redeem: it goes to the network, and only
 * offline does the cached page answer it. */
async function navigate(req) {
  const cache = await caches.open(CACHE);
  const url = new URL(req.url);
  const rel = url.pathname.slice(scopePath().length);
  // The page's nudge while a new worker waits to take over (net.mjs): a navigation makes the
  // browser try the hand-over again; nothing is to load.
  if (rel === "hand-over") return new Response(null, { status: 204 });
  const cached = await cache.match("index.html");
  const forServer = url.searchParams.has("login");
  if (cached && !forServer && (rel === "" || rel === "index.html")) return isolate(cached);
  try {
    const res = await withTimeout(fetch(req), cached && !forServer ? NAV_TIMEOUT_MS : 0);
    return isolate(res);
  } catch {
    if (cached) return isolate(cached);
    return isolate(new Response("Quire is offline and not cached yet. Open it once while the server is running.", {
      status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
    }));
  }
}

/** The newest manifest (how the page learns of a new build); offline, the one this build has.
 * Never stored: this build's cache keeps the manifest it was filled from. */
async function networkFirst(req) {
  try {
    return isolate(await fetch(req));
  } catch (err) {
    const hit = await (await caches.open(CACHE)).match(MANIFEST);
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
