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

  /** Keep `bytes` (a Uint8Array, or a Blob made earlier: DeviceFiles.hold) under `name`. */
  async put(name, bytes) {
    const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
    tx.objectStore(STORE).put(bytes instanceof Blob ? bytes : new Blob([bytes]), name);
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

  /** Keep the Blob of `name` under `newName` instead, in one transaction (no bytes are read or
   * copied); false if `name` holds nothing. */
  async rename(name, newName) {
    const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
    const store = tx.objectStore(STORE);
    const done = transactionDone(tx);
    let found = false;
    const get = store.get(name);
    get.onsuccess = () => { // still inside the transaction: the move is one commit
      found = get.result !== undefined;
      if (found) {
        store.put(get.result, newName);
        store.delete(name);
      }
    };
    await done;
    return found;
  }

  close() {
    this.db.close();
  }
}
