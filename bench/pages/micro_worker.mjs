// The storage and query micro-benchmarks: a plain module worker with Pyodide and the engine,
// direct access to the Emscripten FS, and three ways to make a SQLite file durable:
//   pages-<KiB>  the app's PageStore (web/engine/pagestore.mjs) with that base chunk size
//   idbfs        Emscripten's IDBFS: the file on an IDBFS mount, FS.syncfs
//   sqljs        the sql.js way: read the whole file, one IndexedDB put
// Every method works on its own copy of the same database, edited the same way.
// Protocol: {id, op, args} in, {id, ok, result | error} out.

import { bootPyodide } from "./pyodide_boot.mjs";
import { PAGE_SIZE, PageStore, openPagesDb } from "../engine/pagestore.mjs";
import { request, transactionDone as done } from "../engine/pagestore_db.mjs";

const BASE = "/w/base.sqlite";
const RESTORED = "/r/restored.sqlite";
const IDBFS_MOUNT = "/idb";
const SQLJS_DB = "bench-sqljs";
// The benchmark folds explicitly (timed on its own), so no background fold runs while
// another method is being timed.
const NO_AUTO_FOLD = { auto: false };

let pyodide;
let py;
let FS;
let pagesDb;
let sqljsDb;
let docId;
let edits = 0;
const methods = new Map(); // name -> {path, persist(), restore(), fold?(), store?}
const tracked = [];        // PageStores in the order they wrapped FS.write

function toJs(proxy) {
  if (!proxy || typeof proxy.toJs !== "function") return proxy;
  try {
    return proxy.toJs({ dict_converter: Object.fromEntries });
  } finally {
    proxy.destroy();
  }
}

function syncfs(populate) {
  return new Promise((resolve, reject) => FS.syncfs(populate, (err) => (err ? reject(err) : resolve())));
}

function copyFile(from, to) {
  FS.writeFile(to, FS.readFile(from));
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  const wa = new Uint32Array(a.buffer, a.byteOffset, a.length >>> 2);
  const wb = new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
  for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
  for (let i = wa.length * 4; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function init() {
  const boot = await bootPyodide({ engine: true });
  pyodide = boot.pyodide;
  FS = pyodide.FS;
  const source = await (await fetch(new URL("micro_engine.py", import.meta.url))).text();
  FS.mkdirTree("/bench");
  FS.writeFile("/bench/micro_engine.py", source);
  pyodide.runPython("import sys; sys.path.insert(0, '/bench')");
  py = pyodide.pyimport("micro_engine");
  for (const dir of ["/w", "/r", IDBFS_MOUNT]) FS.mkdirTree(dir);
  FS.mount(FS.filesystems.IDBFS, {}, IDBFS_MOUNT);
  pagesDb = await openPagesDb();
  const open = indexedDB.open(SQLJS_DB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore("files");
  sqljsDb = await request(open);
  return { timings: boot.timings, crossOriginIsolated: self.crossOriginIsolated };
}

// --- durable save and restore ---------------------------------------------------------------------

async function resetMethods() {
  py.use(BASE);
  while (tracked.length) tracked.pop().untrack(); // unwrap FS.write in reverse order
  for (const [name, m] of methods) {
    if (m.store) await m.store.clear();
    if (name !== "idbfs") FS.unlink(m.path);
  }
  methods.clear();
}

/** Restore workspace `key` into RESTORED with a fresh PageStore, as the app boots. */
function pagesRestore(key) {
  return async () => {
    const target = new PageStore(FS, pagesDb, key, RESTORED, null, NO_AUTO_FOLD);
    const started = performance.now();
    await target.restore();
    return { ms: performance.now() - started, log: target.logSize };
  };
}

/** A PageStore on its own copy of the base file, everything stored (chunks only, no log). */
async function pagesMethod(name, kib) {
  const path = `/w/pages-${name}.sqlite`;
  copyFile(BASE, path);
  const key = `bench-${name}`;
  const store = new PageStore(FS, pagesDb, key, path, kib * 1024, NO_AUTO_FOLD);
  store.markAllDirty();
  await store.flush();
  store.track();
  tracked.push(store);
  return {
    path,
    store,
    persist: () => store.flush(),
    fold: () => store.fold(),
    restore: pagesRestore(key),
    restoredPath: RESTORED,
  };
}

async function idbfsMethod() {
  const path = `${IDBFS_MOUNT}/ws.sqlite`;
  copyFile(BASE, path);
  await syncfs(false);
  return {
    path,
    persist: () => syncfs(false),
    async restore() {
      py.use(BASE); // SQLite must not hold the file while the mount is replaced
      FS.unmount(IDBFS_MOUNT);
      FS.mount(FS.filesystems.IDBFS, {}, IDBFS_MOUNT);
      const started = performance.now();
      await syncfs(true);
      return { ms: performance.now() - started };
    },
    restoredPath: path,
  };
}

async function sqljsMethod() {
  const path = "/w/sqljs.sqlite";
  copyFile(BASE, path);
  const put = async () => {
    const image = FS.readFile(path); // a fresh copy of the whole file, as db.export() makes
    const tx = sqljsDb.transaction("files", "readwrite", { durability: "strict" });
    tx.objectStore("files").put(image.buffer, "workspace");
    await done(tx);
  };
  await put();
  return {
    path,
    persist: put,
    async restore() {
      const started = performance.now();
      const tx = sqljsDb.transaction("files", "readonly");
      const image = await request(tx.objectStore("files").get("workspace"));
      FS.writeFile(RESTORED, new Uint8Array(image), { canOwn: true });
      return { ms: performance.now() - started };
    },
    restoredPath: RESTORED,
  };
}

/** Grow the base workspace to `bytes`, then give every method a fresh copy of it. */
async function prepare({ bytes, chunkKiB }) {
  await resetMethods();
  const built = toJs(py.grow(BASE, bytes));
  docId = built.docId;
  for (const kib of chunkKiB) methods.set(`pages-${kib}`, await pagesMethod(`${kib}`, kib));
  methods.set("idbfs", await idbfsMethod());
  methods.set("sqljs", await sqljsMethod());
  return built;
}

/** `reps` saves with one method: edit the document, then make it durable. Times in ms. */
async function save({ method, reps }) {
  const m = methods.get(method);
  py.use(m.path);
  const samples = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    py.edit(docId, ++edits);
    const t1 = performance.now();
    const saved = await m.persist();
    const t2 = performance.now();
    samples.push({ edit: t1 - t0, persist: t2 - t1, total: t2 - t0, bytes: saved?.bytes ?? null,
                   pages: saved?.pages ?? null, chunks: saved?.chunks ?? null });
  }
  return samples;
}

/**
 * Fold a PageStore's whole log into its chunks, step after step, as the app does when idle.
 * Returns the total and the longest step (what a save arriving meanwhile could wait), or null.
 */
async function fold({ method }) {
  const m = methods.get(method);
  const logged = m.store.logSize;
  const result = { ms: 0, longest: 0, bytes: 0, chunks: 0, steps: 0, logged };
  for (;;) {
    const started = performance.now();
    const folded = await m.fold();
    if (!folded) break;
    const ms = performance.now() - started;
    Object.assign(result, { ms: result.ms + ms, longest: Math.max(result.longest, ms), steps: result.steps + 1,
                            bytes: result.bytes + folded.bytes, chunks: result.chunks + folded.chunks });
  }
  return result.steps ? result : null;
}

/**
 * Restore variants of a PageStore workspace, each on its own copy of `method`'s file:
 *   <method>-log     after `saves` edits that were flushed but not folded (the log on top)
 *   <method>-full    with `logPages` pages spread over the file in the log (the fold threshold)
 *   v1-<kib>         stored the way PageStore 1 did: ArrayBuffer chunks, a meta without format
 */
async function prepareRestores({ method, saves, logPages, v1KiB }) {
  const source = methods.get(method);
  const info = {};
  const logged = await pagesMethod(`${method}-log`, source.store.chunkSize / 1024);
  methods.set(`${method}-log`, logged);
  py.use(logged.path);
  for (let i = 0; i < saves; i++) {
    py.edit(docId, ++edits);
    await logged.persist();
  }
  info.log = logged.store.logSize;
  const full = await pagesMethod(`${method}-full`, source.store.chunkSize / 1024);
  methods.set(`${method}-full`, full);
  const pageCount = Math.ceil(full.store.fileSize() / PAGE_SIZE);
  const stride = Math.max(1, Math.floor(pageCount / logPages));
  for (let p = 0, n = 0; p < pageCount && n < logPages; p += stride, n++) {
    full.store.markDirty(p * PAGE_SIZE, PAGE_SIZE);
  }
  await full.persist();
  info.full = full.store.logSize;
  methods.set(`v1-${v1KiB}`, await version1Method(source.path, v1KiB));
  py.use(BASE);
  return info;
}

async function version1Method(from, kib) {
  const path = `/w/v1-${kib}.sqlite`;
  copyFile(from, path);
  const key = `bench-v1-${kib}`;
  const image = FS.readFile(path);
  const chunkSize = kib * 1024;
  const tx = pagesDb.transaction(["chunks", "meta"], "readwrite", { durability: "strict" });
  for (let i = 0; i * chunkSize < image.length; i++) {
    tx.objectStore("chunks").put(image.slice(i * chunkSize, (i + 1) * chunkSize).buffer, [key, i]);
  }
  tx.objectStore("meta").put({ size: image.length, generation: 1, chunkSize, schemaVersion: 0, savedAt: Date.now() }, key);
  await done(tx);
  const store = new PageStore(FS, pagesDb, key, path);
  return { path, store, restore: pagesRestore(key), restoredPath: RESTORED };
}

/**
 * The one-time rewrite of a version-1 image into the current format, as the app does it when
 * idle after opening one: restore it, then fold (which rewrites every chunk). Times in ms.
 */
async function rewriteVersion1({ kib }) {
  const key = `bench-v1-${kib}`;
  const target = new PageStore(FS, pagesDb, key, RESTORED, null, NO_AUTO_FOLD);
  await target.restore();
  target.track();
  try {
    const started = performance.now();
    const folded = await target.fold();
    return { ms: performance.now() - started, bytes: folded.bytes, chunks: folded.chunks, rewrite: folded.rewrite };
  } finally {
    target.untrack();
    FS.unlink(RESTORED);
  }
}

/** `reps` restores with one method; the first is checked byte for byte against the source. */
async function restore({ method, reps, verify = false }) {
  const m = methods.get(method);
  py.use(BASE);
  const source = verify ? FS.readFile(m.path) : null;
  const samples = [];
  for (let i = 0; i < reps; i++) {
    samples.push(await m.restore());
    if (source && i === 0 && !sameBytes(FS.readFile(m.restoredPath), source)) {
      throw new Error(`${method}: the restored file differs from the saved one`);
    }
    if (m.restoredPath === RESTORED) FS.unlink(RESTORED);
  }
  return samples;
}

async function cleanup() {
  await resetMethods();
  return true;
}

// --- listing and history --------------------------------------------------------------------------

async function listing({ documents, versions }) {
  const built = toJs(py.build_listing("/w/listing.sqlite", documents, versions));
  docId = built.docId;
  return built;
}

function timeDispatch({ method, params, reps, warmup }) {
  py.use("/w/listing.sqlite");
  return toJs(py.time_dispatch(method, pyodide.toPy(params), reps, warmup));
}

function timeRaw({ method, reps, warmup }) {
  py.use("/w/listing.sqlite");
  return toJs(py.time_raw(method, docId, reps, warmup));
}

function exportListing() {
  py.use("/w/listing.sqlite");
  return toJs(py.export_workspace());
}

const OPS = { init, prepare, save, fold, prepareRestores, rewriteVersion1, restore, cleanup, listing, timeDispatch, timeRaw, exportListing };

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    const result = await OPS[op](args ?? {});
    self.postMessage({ id, ok: true, result });
  } catch (error) {
    self.postMessage({ id, ok: false, error: `${error?.message ?? error}\n${error?.stack ?? ""}` });
  }
};
