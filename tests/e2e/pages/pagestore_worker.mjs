// A module worker with bare Pyodide (its sqlite3) and the app's PageStore, imported as is:
// the browser tests edit a real SQLite file on the in-memory FS, flush, fold, and restore it
// from the browser's real IndexedDB. Protocol: {id, op, args} in, {id, ok, result | error} out.

import { PageStore, openPagesDb } from "../engine/pagestore.mjs";
import { request, transactionDone as done } from "../engine/pagestore_db.mjs";

const VENDOR_URL = new URL("../vendor/pyodide/", import.meta.url).href;
const PATH = "/w/workspace.sqlite";

let pyodide;
let FS;
let py;
let store;
let db;
let failNext = null;    // "abort": the next transaction the store opens is aborted after its writes
let snapshot = null;    // a committed image to compare a restore with
let checks = 0;

function toJs(value) {
  if (!value || typeof value.toJs !== "function") return value;
  try {
    return value.toJs({ dict_converter: Object.fromEntries });
  } finally {
    value.destroy();
  }
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// The store's view of IndexedDB, with a switch to make its next transaction fail.
const failingDb = {
  transaction(...args) {
    const tx = db.transaction(...args);
    if (failNext === "abort") {
      failNext = null;
      queueMicrotask(() => tx.abort());  // after the flush has queued its writes
    }
    return tx;
  },
};

async function init() {
  const { loadPyodide } = await import(`${VENDOR_URL}pyodide.mjs`);
  pyodide = await loadPyodide({ indexURL: VENDOR_URL, lockFileURL: `${VENDOR_URL}pyodide-lock.json` });
  FS = pyodide.FS;
  const source = await (await fetch(new URL("pagestore_edits.py", import.meta.url))).text();
  FS.mkdirTree("/tests");
  FS.writeFile("/tests/pagestore_edits.py", source);
  pyodide.runPython("import sys; sys.path.insert(0, '/tests')");
  py = pyodide.pyimport("pagestore_edits");
  return true;
}

/** Open (restore) the workspace into PATH, open SQLite on it and track it, as the engine does. */
async function open({ workspace = "test", chunkKiB = null, fold = { auto: false } } = {}) {
  db ??= await openPagesDb();
  store = new PageStore(FS, failingDb, workspace, PATH, chunkKiB && chunkKiB * 1024, fold);
  const restored = await store.restore();
  store.track();
  py.open_db(PATH);
  const saved = await store.flush();
  return { restored, saved, ...state() };
}

function state() {
  return { size: store.fileSize(), log: store.logSize, chunkSize: store.chunkSize, format: store.format,
           generation: store.generation, pending: store.pending };
}

async function edit({ seed, flush = true, small = false }) {
  if (small) py.small_edit(seed);
  else py.edit(seed);
  const saved = flush ? await store.flush() : null;
  return { saved, ...state() };
}

async function grow({ bytes, seed = 1, flush = true }) {
  py.grow(bytes, seed);
  return { saved: flush ? await store.flush() : null, ...state() };
}

async function shrink({ keep = 3, flush = true }) {
  py.shrink(keep);
  return { saved: flush ? await store.flush() : null, ...state() };
}

async function flush() {
  return { saved: await store.flush(), ...state() };
}

async function fold(args) {
  return { folded: await store.fold(args), ...state() };
}

/** A fold started, and while it writes, an edit and its flush: both must land. */
async function foldWhileEditing({ seed }) {
  const folding = store.fold();
  py.edit(seed);
  const [folded, saved] = await Promise.all([folding, store.flush()]);
  return { folded, saved, ...state() };
}

async function failNextTransaction({ mode }) {
  failNext = mode;
  return true;
}

/** Try a flush that is expected to fail; returns the error's code and message. */
async function flushExpectingError() {
  try {
    await store.flush();
  } catch (error) {
    return { code: error.code ?? null, message: String(error.message), ...state() };
  }
  return { code: null, ...state() };
}

async function foldExpectingError() {
  try {
    return { folded: await store.fold(), code: null, ...state() };
  } catch (error) {
    return { code: error.code ?? null, message: String(error.message), ...state() };
  }
}

function takeSnapshot() {
  snapshot = FS.readFile(PATH);
  return snapshot.length;
}

/**
 * Restore the stored image into a fresh file with a fresh PageStore and compare it byte for
 * byte with the open file (or the snapshot); SQLite's integrity check runs on the copy.
 */
async function check({ against = "file" } = {}) {
  const path = `/check/${++checks}.sqlite`;
  const reader = new PageStore(FS, await openPagesDb(), store.workspace, path);
  const started = performance.now();
  const restored = await reader.restore();
  const ms = performance.now() - started;
  const expected = against === "snapshot" ? snapshot : FS.readFile(PATH);
  const actual = restored ? FS.readFile(path) : new Uint8Array(0);
  const result = {
    equal: sameBytes(actual, expected), restored, expected: expected.length, ms,
    log: reader.logSize, chunkSize: reader.chunkSize, format: reader.format,
    integrity: restored ? py.integrity(path) : null,
  };
  if (restored) FS.unlink(path);
  return result;
}

/** What IndexedDB holds for the workspace: meta and the keys of chunks and log pages. */
async function stored({ workspace = store.workspace } = {}) {
  const tx = db.transaction(["meta", "chunks", "pages"], "readonly");
  const range = IDBKeyRange.bound([workspace, 0], [workspace, Infinity]);
  const [meta, chunkKeys, pageKeys, chunkValues] = await Promise.all([
    request(tx.objectStore("meta").get(workspace)),
    request(tx.objectStore("chunks").getAllKeys(range)),
    request(tx.objectStore("pages").getAllKeys(range)),
    request(tx.objectStore("chunks").getAll(range)),
  ]);
  return {
    meta: meta ? { size: meta.size, generation: meta.generation, chunkSize: meta.chunkSize,
                   format: meta.format ?? null } : null,
    chunks: chunkKeys.map((k) => k[1]), pages: pageKeys.map((k) => k[1]),
    blobs: chunkValues.filter((v) => v instanceof Blob).length,
  };
}

/**
 * Store the open file the way PageStore 1 did (IndexedDB version 1: ArrayBuffer chunks and a
 * meta record without `format`), before any version 2 connection exists.
 */
async function writeVersion1({ workspace, chunkKiB = 64, seeds }) {
  FS.mkdirTree("/v1");
  const path = "/v1/old.sqlite";
  py.open_db(path);
  for (const seed of seeds) py.edit(seed);
  const image = FS.readFile(path);
  const open = indexedDB.open("quire-pages", 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore("chunks");
    open.result.createObjectStore("meta");
  };
  const old = await request(open);
  const chunkSize = chunkKiB * 1024;
  const tx = old.transaction(["chunks", "meta"], "readwrite", { durability: "strict" });
  for (let i = 0; i * chunkSize < image.length; i++) {
    tx.objectStore("chunks").put(image.slice(i * chunkSize, (i + 1) * chunkSize).buffer, [workspace, i]);
  }
  tx.objectStore("meta").put({ size: image.length, generation: 7, chunkSize, schemaVersion: 3, savedAt: Date.now() },
                             workspace);
  await done(tx);
  old.close();
  snapshot = image;
  return { size: image.length, version: old.version };
}

async function waitFolded({ timeoutMs = 20000 } = {}) {
  const until = performance.now() + timeoutMs;
  while ((store.logSize || store.needsRewrite) && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { foldError: store.foldError ? String(store.foldError.message) : null, ...state() };
}

const OPS = {
  init, open, edit, grow, shrink, flush, fold, foldWhileEditing, failNextTransaction, flushExpectingError,
  foldExpectingError, takeSnapshot, check, stored, writeVersion1, waitFolded,
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    self.postMessage({ id, ok: true, result: toJs(await OPS[op](args ?? {})) });
  } catch (error) {
    self.postMessage({ id, ok: false, error: `${error?.message ?? error}\n${error?.stack ?? ""}` });
  }
};
