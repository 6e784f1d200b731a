// The storage and query micro-benchmarks: a plain module worker with Pyodide and the engine,
// direct access to the Emscripten FS, and three ways to make a SQLite file durable:
//   pages-<KiB>  the app's PageStore (web/engine/pagestore.mjs) with that chunk size
//   idbfs        Emscripten's IDBFS: the file on an IDBFS mount, FS.syncfs
//   sqljs        the sql.js way: read the whole file, one IndexedDB put
// Every method works on its own copy of the same database, edited the same way.
// Protocol: {id, op, args} in, {id, ok, result | error} out.

import { bootPyodide } from "./pyodide_boot.mjs";
import { PageStore, openPagesDb } from "../engine/pagestore.mjs";

const BASE = "/w/base.sqlite";
const RESTORED = "/r/restored.sqlite";
const IDBFS_MOUNT = "/idb";
const SQLJS_DB = "bench-sqljs";

let pyodide;
let py;
let FS;
let pagesDb;
let sqljsDb;
let docId;
let edits = 0;
const methods = new Map(); // name -> {path, persist(), restore(), verify?}
const tracked = [];        // PageStores in the order they wrapped FS.write

function toJs(proxy) {
  if (!proxy || typeof proxy.toJs !== "function") return proxy;
  try {
    return proxy.toJs({ dict_converter: Object.fromEntries });
  } finally {
    proxy.destroy();
  }
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
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
    if (name !== "idbfs" && !name.startsWith("read-")) FS.unlink(m.path);
  }
  methods.clear();
}

// `relaxed` (a diagnostic): the same PageStore, its transactions downgraded to relaxed
// durability, which shows what the strict commit (the disk flush) costs.
async function pagesMethod(kib, { relaxed = false } = {}) {
  const name = relaxed ? `${kib}-relaxed` : `${kib}`;
  const path = `/w/pages-${name}.sqlite`;
  copyFile(BASE, path);
  const db = relaxed
    ? { transaction: (stores, mode) => pagesDb.transaction(stores, mode, { durability: "relaxed" }) }
    : pagesDb;
  const store = new PageStore(FS, db, `bench-${name}`, path, kib * 1024);
  store.markAllDirty();
  await store.flush();
  store.track();
  tracked.push(store);
  return {
    path,
    store,
    persist: () => store.flush(),
    async restore() {
      const target = new PageStore(FS, pagesDb, `bench-${name}`, RESTORED);
      const started = performance.now();
      await target.restore();
      return performance.now() - started;
    },
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
      return performance.now() - started;
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
      return performance.now() - started;
    },
    restoredPath: RESTORED,
  };
}

// A diagnostic for restore: the IndexedDB read alone (one getAll of a PageStore's chunks),
// without assembling the image or writing it to the in-memory FS.
function readOnlyMethod(kib) {
  return {
    path: `/w/pages-${kib}.sqlite`,
    async restore() {
      const started = performance.now();
      const tx = pagesDb.transaction("chunks", "readonly");
      const range = IDBKeyRange.bound([`bench-${kib}`, 0], [`bench-${kib}`, Infinity]);
      await request(tx.objectStore("chunks").getAll(range));
      return performance.now() - started;
    },
    restoredPath: null,
  };
}

/** Grow the base workspace to `bytes`, then give every method a fresh copy of it. */
async function prepare({ bytes, chunkKiB, relaxedKiB }) {
  await resetMethods();
  const built = toJs(py.grow(BASE, bytes));
  docId = built.docId;
  for (const kib of chunkKiB) methods.set(`pages-${kib}`, await pagesMethod(kib));
  if (relaxedKiB) methods.set(`pages-${relaxedKiB}-relaxed`, await pagesMethod(relaxedKiB, { relaxed: true }));
  if (relaxedKiB) methods.set(`read-${relaxedKiB}`, readOnlyMethod(relaxedKiB));
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
    samples.push({ edit: t1 - t0, persist: t2 - t1, total: t2 - t0,
                   bytes: saved?.bytes ?? null, chunks: saved?.chunks ?? null });
  }
  return samples;
}

/** `reps` restores with one method; the first is checked byte for byte against the source. */
async function restore({ method, reps, verify = false }) {
  const m = methods.get(method);
  py.use(BASE);
  const source = verify && m.restoredPath ? FS.readFile(m.path) : null;
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

const OPS = { init, prepare, save, restore, cleanup, listing, timeDispatch, timeRaw, exportListing };

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    const result = await OPS[op](args ?? {});
    self.postMessage({ id, ok: true, result });
  } catch (error) {
    self.postMessage({ id, ok: false, error: `${error?.message ?? error}\n${error?.stack ?? ""}` });
  }
};
