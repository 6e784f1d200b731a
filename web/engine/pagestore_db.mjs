// The IndexedDB side of web/engine/pagestore.mjs: the database, its upgrades, key ranges,
// promises for requests and transactions, the errors a save can end with, and how the stored
// chunks become one image again.

import { PAGE_SIZE } from "./dirtypages.mjs";

const DB_NAME = "quire-pages";
// 1: chunks + meta. 2: adds the page log ("pages"); stored workspaces stay readable as they are.
const DB_VERSION = 2;

export class PersistError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function classify(error) {
  if (error instanceof PersistError) return error;
  if (error?.name === "QuotaExceededError") {
    return new PersistError("quota_exceeded",
      "The browser has no room left to save this change. Free some space (empty the trash, delete old files) — everything saved before is safe.");
  }
  return new PersistError("save_failed", `Saving to browser storage failed: ${error?.message || error}`);
}

export function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Resolves when the transaction commits; rejects with why it aborted. */
export function transactionDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error ?? new DOMException("The transaction was aborted.", "AbortError"));
  });
}

/** Keys [workspace, from] up to (not including) [workspace, to]. */
export function keyRange(workspace, from = 0, to = Infinity) {
  return IDBKeyRange.bound([workspace, from], [workspace, to], false, true);
}

export function openPagesDb(indexedDB = globalThis.indexedDB) {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    for (const name of ["chunks", "meta", "pages"]) {
      if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
    }
  };
  return request(req).then((db) => {
    // A newer Quire in another tab wants to upgrade: let it (this tab's saves then fail loudly).
    db.onversionchange = () => db.close();
    return db;
  });
}

/**
 * The stored chunks as one image of `meta.size` bytes: chunk i at i * chunkSize, zeros where no
 * chunk is (those pages must be in the log), cut at meta.size. The browser reads Blob chunks
 * straight into the one result buffer.
 */
export async function assemble(meta, keys, values, logged) {
  const { size, chunkSize } = meta;
  const parts = [];
  let at = 0;
  const gap = (end) => {
    for (let p = Math.floor(at / PAGE_SIZE); p * PAGE_SIZE < end; p++) {
      if (!logged.has(p)) {
        throw new PersistError("corrupt_store", `The saved workspace is incomplete (page ${p} is missing).`);
      }
    }
    parts.push(new Uint8Array(end - at));
  };
  for (let i = 0; i < keys.length; i++) {
    const start = keys[i][1] * chunkSize;
    if (start >= size) break;
    if (start > at) gap(start);
    const value = values[i];
    const length = Math.min(value.size ?? value.byteLength, size - start);
    parts.push(value instanceof Blob ? value.slice(0, length) : new Uint8Array(value, 0, length));
    at = start + length;
  }
  if (at < size) gap(size);
  let buffer;
  try {
    buffer = await new Blob(parts).arrayBuffer();
  } catch (error) {
    throw new PersistError("corrupt_store", `The saved workspace could not be read: ${error?.message || error}`);
  }
  return new Uint8Array(buffer);
}
