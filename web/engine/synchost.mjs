// What sync needs from the browser that Python cannot do itself, for pylib/sync/browser.py:
// Argon2id of a passphrase (the vendored hash-wasm; the keyring's costs) and the unlocked
// workspace data key kept on this device between sessions (one IndexedDB record per
// workspace, strict durability), so a reload does not ask for the passphrase again.

import { argon2id } from "../vendor/hash-wasm/index.esm.min.js";

const STORE = "keys";
const RECORD = "data-key";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function openKeys(workspace) {
  const open = indexedDB.open(`quire-keys-${workspace}`, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  return request(open);
}

/** Argon2id (32 bytes) of `passphrase` with `salt` and the keyring's `costs`. */
export async function deriveArgon2id(passphrase, salt, costs) {
  return argon2id({
    password: passphrase, salt, memorySize: costs.memory_kib, iterations: costs.iterations,
    parallelism: costs.parallelism, hashLength: 32, outputType: "binary",
  });
}

/** The data key kept on this device for `workspace`, or null. */
export async function loadKey(workspace) {
  const db = await openKeys(workspace);
  try {
    const found = await request(db.transaction(STORE).objectStore(STORE).get(RECORD));
    return found === undefined ? null : new Uint8Array(found);
  } finally {
    db.close();
  }
}

/** Keep the data key of `workspace` on this device (resolves once durable). */
export async function saveKey(workspace, bytes) {
  const db = await openKeys(workspace);
  try {
    const tx = db.transaction(STORE, "readwrite", { durability: "strict" });
    tx.objectStore(STORE).put(new Uint8Array(bytes).slice().buffer, RECORD);
    await new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error || new DOMException("transaction aborted", "AbortError"));
    });
  } finally {
    db.close();
  }
}
