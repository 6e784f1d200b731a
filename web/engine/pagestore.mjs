// Page-level persistence of one SQLite file from Emscripten's in-memory FS into IndexedDB.
//
// The database lives in MEMFS, where SQLite is fast. We wrap FS.write to learn which byte
// ranges of the database file were written, and after each committed transaction write exactly
// the touched chunks plus a header record in ONE readwrite IndexedDB transaction with strict
// durability. The stored image is therefore always a committed database: a crash loses at
// most the transaction whose flush had not completed, never corrupts what was saved.
//
// IndexedDB layout (database "quire-pages", version 1):
//   chunks  key [workspace, index] -> ArrayBuffer of `chunkSize` bytes (last one may be short)
//   meta    key workspace          -> {size, generation, chunkSize, schemaVersion, savedAt}

const DB_NAME = "quire-pages";
const DB_VERSION = 1;
// 64 KiB: one edit dirties ~13 pages spread over several chunks; smaller chunks write less per
// save (bench/README.md: 10.5 ms vs 19.3 ms at 50 MB) for a slightly slower restore.
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

export class PersistError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openPagesDb(indexedDB = globalThis.indexedDB) {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains("chunks")) db.createObjectStore("chunks");
    if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
  };
  return request(req);
}

function chunkRange(workspace, from = 0) {
  return IDBKeyRange.bound([workspace, from], [workspace, Infinity]);
}

function classify(error) {
  const name = error && error.name;
  if (name === "QuotaExceededError") {
    return new PersistError("quota_exceeded",
      "The browser has no room left to save this change. Free some space (empty the trash, delete old files) — everything saved before is safe.");
  }
  return new PersistError("save_failed", `Saving to browser storage failed: ${error && error.message || error}`);
}

export class PageStore {
  /**
   * @param {object} FS        Emscripten FS (pyodide.FS)
   * @param {IDBDatabase} db   from openPagesDb()
   * @param {string} workspace IndexedDB key of this workspace
   * @param {string} path      the database file in MEMFS
   */
  constructor(FS, db, workspace, path, chunkSize = DEFAULT_CHUNK_SIZE) {
    this.FS = FS;
    this.db = db;
    this.workspace = workspace;
    this.path = path;
    this.chunkSize = chunkSize || DEFAULT_CHUNK_SIZE;
    this.dirty = new Set();
    this.generation = 0;
    this.storedChunks = 0;
    this.schemaVersion = 0;
    this.flushing = null;
  }

  static async open(FS, { workspace = "default", path, chunkSize } = {}) {
    const db = await openPagesDb();
    return new PageStore(FS, db, workspace, path, chunkSize);
  }

  /** Load the stored image into MEMFS. Returns the number of bytes restored (0: new workspace). */
  async restore() {
    const tx = this.db.transaction(["meta", "chunks"], "readonly");
    const meta = await request(tx.objectStore("meta").get(this.workspace));
    const dir = this.path.slice(0, this.path.lastIndexOf("/"));
    if (dir) this.FS.mkdirTree(dir);
    if (!meta) return 0;
    // One getAll for every chunk: far cheaper than a cursor or one get per chunk.
    const chunks = await request(tx.objectStore("chunks").getAll(chunkRange(this.workspace)));
    const expected = Math.ceil(meta.size / meta.chunkSize);
    if (chunks.length < expected) {
      throw new PersistError("corrupt_store", `The saved workspace is incomplete (${chunks.length} of ${expected} parts).`);
    }
    const image = new Uint8Array(meta.size);
    for (let i = 0; i < expected; i++) {
      const part = new Uint8Array(chunks[i]);
      image.set(part.subarray(0, Math.min(part.length, meta.size - i * meta.chunkSize)), i * meta.chunkSize);
    }
    this.chunkSize = meta.chunkSize;
    this.generation = meta.generation;
    this.storedChunks = expected;
    this.schemaVersion = meta.schemaVersion || 0;
    this.FS.writeFile(this.path, image, { canOwn: true });
    return meta.size;
  }

  /** Start recording which chunks of the database file are written. Call after restore(). */
  track() {
    const store = this;
    const FS = this.FS;
    const original = FS.write;
    FS.write = function write(stream, buffer, offset, length, position, canOwn) {
      const start = typeof position === "number" ? position : stream.position;
      const written = original.call(this, stream, buffer, offset, length, position, canOwn);
      if (written > 0 && stream.path === store.path) store.markDirty(start, written);
      return written;
    };
    this.untrack = () => { FS.write = original; };
  }

  markDirty(start, length) {
    const first = Math.floor(start / this.chunkSize);
    const last = Math.floor((start + length - 1) / this.chunkSize);
    for (let i = first; i <= last; i++) this.dirty.add(i);
  }

  /** Mark the whole file dirty (after replacing it wholesale). */
  markAllDirty() {
    const size = this.fileSize();
    this.markDirty(0, Math.max(size, 1));
  }

  /** The MEMFS node's bytes without copying the whole file (a flush copies only its chunks). */
  fileContents() {
    const node = this.FS.lookupPath(this.path).node;
    if (node.contents instanceof Uint8Array && typeof node.usedBytes === "number") {
      return { contents: node.contents, size: node.usedBytes };
    }
    const contents = this.FS.readFile(this.path, { encoding: "binary" });
    return { contents, size: contents.length };
  }

  fileSize() {
    try {
      return this.FS.stat(this.path).size;
    } catch {
      return 0;
    }
  }

  get pending() {
    return this.dirty.size > 0;
  }

  /**
   * Write the dirty chunks and the header in one strict-durability transaction.
   * Resolves to {generation, ms, chunks, bytes} once IndexedDB reports it durable, or null when
   * nothing changed. On failure the dirty set is kept, so the next flush retries it.
   */
  async flush(schemaVersion = this.schemaVersion) {
    while (this.flushing) await this.flushing.catch(() => {});
    if (!this.dirty.size && schemaVersion === this.schemaVersion) return null;
    this.flushing = this._flush(schemaVersion);
    try {
      return await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  async _flush(schemaVersion) {
    const started = performance.now();
    const { contents, size } = this.fileContents();
    const count = Math.ceil(size / this.chunkSize);
    // Take the dirty set now: writes that land while IndexedDB works belong to the next flush.
    const taken = [...this.dirty];
    this.dirty.clear();
    const indexes = taken.filter((i) => i < count).sort((a, b) => a - b);
    const generation = this.generation + 1;
    let tx;
    try {
      tx = this.db.transaction(["chunks", "meta"], "readwrite", { durability: "strict" });
    } catch (error) {
      for (const i of taken) this.dirty.add(i);
      throw classify(error);
    }
    const chunks = tx.objectStore("chunks");
    let bytes = 0;
    for (const i of indexes) {
      // slice(), never subarray(): structured clone of a view would copy its whole buffer.
      const part = contents.slice(i * this.chunkSize, Math.min(size, (i + 1) * this.chunkSize));
      bytes += part.byteLength;
      chunks.put(part.buffer, [this.workspace, i]);
    }
    if (count < this.storedChunks) chunks.delete(chunkRange(this.workspace, count));
    tx.objectStore("meta").put(
      { size, generation, chunkSize: this.chunkSize, schemaVersion, savedAt: Date.now() },
      this.workspace,
    );
    try {
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onabort = () => reject(classify(tx.error));
        tx.onerror = (event) => event.preventDefault();
      });
    } catch (error) {
      for (const i of taken) this.dirty.add(i);  // nothing was stored: retry these next time
      throw error;
    }
    this.generation = generation;
    this.storedChunks = count;
    this.schemaVersion = schemaVersion;
    return { generation, ms: performance.now() - started, chunks: indexes.length, bytes };
  }

  /** Remove the stored image (used by tests and "reset workspace"). */
  async clear() {
    const tx = this.db.transaction(["chunks", "meta"], "readwrite", { durability: "strict" });
    tx.objectStore("chunks").delete(chunkRange(this.workspace));
    tx.objectStore("meta").delete(this.workspace);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
  }
}
