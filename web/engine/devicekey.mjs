// The workspace key kept on this device between sessions, never in the clear: it is sealed with
// AES-GCM under a device key that WebCrypto made non-extractable (its bytes cannot be read by any
// script), and both go into IndexedDB. Reading it back needs this browser profile's IndexedDB;
// the cloud copy (pylib/keyring.py) needs the passphrase or the recovery words.
// Used by pylib/blobs/browser.py (the key cache of pylib/blobs/service.py); also the hash-wasm
// Argon2id the keyring derives passphrase keys with, so the worker loads one module.

import { argon2id } from "../vendor/hash-wasm/index.esm.min.js";
import { request, transactionDone } from "./pagestore_db.mjs";

const DB = "quire-keys";
const STORE = "keys";

async function open() {
  const req = indexedDB.open(DB, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  return request(req);
}

async function write(workspace, value) {
  const db = await open();
  try {
    const tx = db.transaction(STORE, "readwrite", { durability: "strict" });
    if (value === null) tx.objectStore(STORE).delete(workspace);
    else tx.objectStore(STORE).put(value, workspace);
    await transactionDone(tx);
  } finally {
    db.close();
  }
}

/** `{account, dataKey: Uint8Array}` kept for `workspace`, or null (none, or it cannot be opened). */
export async function load(workspace) {
  const db = await open();
  let kept;
  try {
    kept = await request(db.transaction(STORE).objectStore(STORE).get(workspace));
  } finally {
    db.close();
  }
  if (!kept) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: kept.iv }, kept.deviceKey, kept.sealed);
    return { account: kept.account, dataKey: new Uint8Array(plain) };
  } catch {
    return null; // sealed under a device key this profile no longer has: ask again
  }
}

/** Keep `dataKey` (bytes) for `workspace` and `account`, sealed under a new device key. */
export async function save(workspace, account, dataKey) {
  const deviceKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, deviceKey, dataKey);
  await write(workspace, { account, deviceKey, iv, sealed });
}

/** Forget the key kept for `workspace`. */
export async function forget(workspace) {
  await write(workspace, null);
}

/** Argon2id (32 bytes) with the keyring's costs `{memory_kib, iterations, parallelism}`. */
export async function deriveArgon2id(passphrase, salt, costs) {
  return argon2id({
    password: passphrase, salt, memorySize: costs.memory_kib, iterations: costs.iterations,
    parallelism: costs.parallelism, hashLength: 32, outputType: "binary",
  });
}
