// Pyodide + the engine, and the same booted from a memory snapshot kept in IndexedDB.
//
// First visit: boot with `_makeSnapshot`, take a snapshot of the fresh interpreter right
// after loadPyodide (not counted as boot time), load the engine's wheels and import
// pylib.api, then store the snapshot. Later visits: boot from the stored snapshot, load the
// wheels and import the engine on top, and check that the engine answers real calls.
// (A snapshot taken after the wheels are loaded is refused by this Pyodide: pydantic-core's
// shared library leaves JS references the snapshot cannot hold.)

import { importPyodide, loadEngine, runtimeOptions, stopwatch } from "./pyodide_boot.mjs";

const DB = "bench-snapshots";
const KEY = "runtime";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function openDb() {
  const open = indexedDB.open(DB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore("snapshots");
  return request(open);
}

async function store(db, snapshot) {
  const tx = db.transaction("snapshots", "readwrite");
  tx.objectStore("snapshots").put(snapshot, KEY);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
}

// The engine answers real calls: parameters validated by pydantic-core, SQLite, models out.
const CHECK = `
from pylib import api
api.open_workspace(":memory:")
api.dispatch("artifacts.create", {"path": "/check.md", "content": "# ok"})
assert len(api.dispatch("tree.list", {})["artifacts"]) == 1
api.close_workspace()
`;

async function boot() {
  const { timings, lap } = stopwatch();
  const started = performance.now();
  const loadPyodide = await importPyodide();
  lap("module");
  const db = await openDb();
  const stored = await request(db.transaction("snapshots").objectStore("snapshots").get(KEY));
  lap("read");
  if (stored) {
    const pyodide = await loadPyodide(runtimeOptions({ _loadSnapshot: stored }));
    lap("runtime");
    await loadEngine(pyodide, lap);
    const readyAt = performance.now();
    pyodide.runPython(CHECK);
    return { mode: "snapshot", timings, readyAt, workerMs: readyAt - started, snapshotBytes: stored.byteLength };
  }
  const pyodide = await loadPyodide(runtimeOptions({ _makeSnapshot: true }));
  lap("runtime");
  const snapshot = pyodide.makeMemorySnapshot();
  lap("snapshot");
  await loadEngine(pyodide, lap);
  const readyAt = performance.now() - timings.snapshot;
  await store(db, snapshot);
  return { mode: "fresh", timings, readyAt, workerMs: readyAt - started, snapshotBytes: snapshot.byteLength };
}

try {
  const { readyAt, ...result } = await boot();
  self.postMessage({ ...result, afterReadyMs: performance.now() - readyAt });
} catch (error) {
  self.postMessage({ error: String(error?.stack ?? error) });
}
