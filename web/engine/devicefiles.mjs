// Large files kept on this device, outside the SQLite file: one IndexedDB database per
// workspace, one record per object name, stored as a Blob (about twice as fast to write and
// read back as the same bytes, bench/browser_keys.py). A put resolves only once its
// strict-durability transaction completed, so the engine may record the file after it.
// Used by pylib/platform/pyodide.py (open_device_files); the interface is pylib's DeviceFiles.

import { request, transactionDone } from "./pagestore_db.mjs";

const STORE = "files";

export class DeviceFiles {
  constructor(db) {
    this.db = db;
  }

  static async open(workspace) {
    const open = indexedDB.open(`quire-files-${workspace}`, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    return new DeviceFiles(await request(open));
  }

  async put(name, bytes) {
    const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
    tx.objectStore(STORE).put(new Blob([bytes]), name);
    await transactionDone(tx);
  }

  async get(name) {
    const blob = await request(this.db.transaction(STORE).objectStore(STORE).get(name));
    return blob === undefined ? null : new Uint8Array(await blob.arrayBuffer());
  }

  async delete(name) {
    const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
    tx.objectStore(STORE).delete(name);
    await transactionDone(tx);
  }

  close() {
    this.db.close();
  }
}
