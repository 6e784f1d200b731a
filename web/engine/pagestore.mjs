// Page-level persistence of one SQLite file from Emscripten's in-memory FS into IndexedDB.
//
// The database lives in MEMFS, where SQLite is fast. We wrap FS.write (and truncation) to learn
// which 4 KiB pages of the database file changed. After each committed transaction, flush()
// writes exactly those pages into a page log, with a header record, in ONE readwrite IndexedDB
// transaction with strict durability. The bulk of the file lives in large base chunks; once the
// worker is idle (or the log has grown), fold() rewrites the chunks that hold logged pages from
// the file and drops those log records, again in one transaction. The stored image — the chunks,
// the log on top, cut at meta.size — is therefore always exactly a committed database: a crash
// loses at most the transaction whose flush had not completed, never corrupts what was saved.
//
// Why this shape (bench/README.md): an edit dirties ~13 pages spread over the file, so a save
// that writes pages is several times cheaper than one that writes whole chunks. Chunks are
// stored as Blobs: restore gets their handles and lets the browser read them into one buffer
// (`new Blob(chunks).arrayBuffer()`), about twice as fast as reading ArrayBuffer values.
//
// IndexedDB layout (database "quire-pages", version 2):
//   chunks  [workspace, index] -> Blob of `chunkSize` bytes (the last may be short; format 1
//                                 stored ArrayBuffers, still read and rewritten when idle)
//   pages   [workspace, page]  -> ArrayBuffer of PAGE_SIZE bytes, newer than its chunk's copy
//   meta    workspace          -> {size, generation, chunkSize, format, schemaVersion, savedAt}

import { DirtyPages, PAGE_SIZE } from "./dirtypages.mjs";
import {
  PersistError, assemble, classify, keyRange, openPagesDb, request, transactionDone,
} from "./pagestore_db.mjs";

export { PAGE_SIZE, PersistError, openPagesDb };

// 512 KiB: restore reads fewer, larger Blobs faster (bench/README.md), and a fold rewrites
// only the chunks an edit touched, off the save path.
export const DEFAULT_CHUNK_SIZE = 512 * 1024;
// Fold as soon as the log holds this many pages (restore reads the log record by record).
export const FOLD_PAGES = 256;
// ... or once the worker has been idle this long after a flush.
export const FOLD_IDLE_MS = 1500;
// One fold transaction writes at most this much, so a save that arrives meanwhile waits little.
export const FOLD_STEP_BYTES = 4 * 1024 * 1024;
const FORMAT = 2;

export class PageStore {
  /**
   * @param {object} FS        Emscripten FS (pyodide.FS)
   * @param {IDBDatabase} db   from openPagesDb()
   * @param {string} workspace IndexedDB key of this workspace
   * @param {string} path      the database file in MEMFS
   * @param {number} chunkSize base chunk size for new and rewritten images (a multiple of PAGE_SIZE)
   * @param {object} fold      {auto: fold in the background (default true), idleMs, pages}
   */
  constructor(FS, db, workspace, path, chunkSize = DEFAULT_CHUNK_SIZE, fold = {}) {
    chunkSize = chunkSize || DEFAULT_CHUNK_SIZE;
    if (chunkSize % PAGE_SIZE) throw new RangeError(`chunkSize must be a multiple of ${PAGE_SIZE}`);
    this.FS = FS;
    this.db = db;
    this.workspace = workspace;
    this.path = path;
    this.preferredChunkSize = chunkSize;
    this.chunkSize = chunkSize;   // the stored image's, until a rewrite moves it to the preferred one
    this.format = FORMAT;
    this.dirty = new DirtyPages(FS, path);  // changed since the last flush
    this.logged = new Set();      // pages stored in the log
    this.storedSize = 0;
    this.generation = 0;
    this.schemaVersion = 0;
    this.flushing = null;         // the flush or fold in flight: they never overlap
    const { auto = true, idleMs = FOLD_IDLE_MS, pages = FOLD_PAGES } = fold ?? {};
    this.autoFold = auto;
    this.foldIdleMs = idleMs;
    this.foldPages = pages;
    this.foldTimer = null;
    this.foldError = null;        // the last background fold's failure (the log stays)
    this.closed = false;
  }

  static async open(FS, { workspace = "default", path, chunkSize, fold } = {}) {
    const db = await openPagesDb();
    return new PageStore(FS, db, workspace, path, chunkSize, fold);
  }

  /** Load the stored image into MEMFS. Returns the number of bytes restored (0: new workspace). */
  async restore() {
    const dir = this.path.slice(0, this.path.lastIndexOf("/"));
    if (dir) this.FS.mkdirTree(dir);
    // Everything in one snapshot, all requests at once: the chunks come back as Blob handles.
    const tx = this.db.transaction(["meta", "chunks", "pages"], "readonly");
    const chunks = tx.objectStore("chunks");
    const pages = tx.objectStore("pages");
    const range = keyRange(this.workspace);
    const [meta, chunkValues, chunkKeys, pageValues, pageKeys] = await Promise.all([
      request(tx.objectStore("meta").get(this.workspace)),
      request(chunks.getAll(range)), request(chunks.getAllKeys(range)),
      request(pages.getAll(range)), request(pages.getAllKeys(range)),
    ]);
    if (!meta) return 0;
    const logged = new Set(pageKeys.map((k) => k[1]));
    const image = await assemble(meta, chunkKeys, chunkValues, logged);
    for (let i = 0; i < pageKeys.length; i++) {
      const at = pageKeys[i][1] * PAGE_SIZE;
      if (at >= meta.size) continue;
      const page = new Uint8Array(pageValues[i]);
      image.set(page.subarray(0, Math.min(page.length, meta.size - at)), at);
    }
    this.FS.writeFile(this.path, image, { canOwn: true });
    this.chunkSize = meta.chunkSize;
    this.format = meta.format ?? 1;
    this.storedSize = meta.size;
    this.generation = meta.generation;
    this.schemaVersion = meta.schemaVersion || 0;
    this.logged = logged;
    return meta.size;
  }

  /** Start recording which pages of the database file change. Call after restore(). */
  track() {
    this.dirty.start();
    this.scheduleFold();
  }

  untrack() {
    this.dirty.stop?.();
  }

  markDirty(start, length) {
    this.dirty.add(start, length);
  }

  /** Mark the whole file dirty (after replacing it wholesale). */
  markAllDirty() {
    this.markDirty(0, Math.max(this.fileSize(), 1));
  }

  /** The MEMFS node's bytes without copying the whole file (a flush copies only its pages). */
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
    return this.dirty.pending;
  }

  /** Pages in the log, not yet folded into the chunks. */
  get logSize() {
    return this.logged.size;
  }

  /** Run `start()` once no flush or fold is in flight; `start` returns a promise or null (nothing to do). */
  async exclusive(start) {
    while (this.flushing) await this.flushing.catch(() => {});
    const running = start();
    if (!running) return null;
    this.flushing = running;
    try {
      return await running;
    } finally {
      if (this.flushing === running) this.flushing = null;
    }
  }

  /**
   * Write the dirty pages and the header in one strict-durability transaction.
   * Resolves to {generation, ms, chunks, pages, bytes} once IndexedDB reports it durable, or null
   * when nothing changed. On failure the dirty pages are kept, so the next flush retries them.
   */
  async flush(schemaVersion = this.schemaVersion) {
    if (this.closed) throw new PersistError("closed", "This workspace is no longer open here.");
    const result = await this.exclusive(() =>
      (this.pending || schemaVersion !== this.schemaVersion ? this._flush(schemaVersion) : null));
    if (result) this.scheduleFold();
    return result;
  }

  async _flush(schemaVersion) {
    const started = performance.now();
    const { contents, size } = this.fileContents();
    // Take the dirty pages now: writes that land while IndexedDB works belong to the next flush.
    const taken = this.dirty.take();
    const { shrunkTo } = taken;
    const pageCount = Math.ceil(size / PAGE_SIZE);
    const dirty = new Set(taken.pages.filter((p) => p < pageCount));
    // Bytes past the stored end (or a truncation) that no write touched read as zeros in the
    // file but may be stale in the store: store them too.
    const low = Math.min(this.storedSize, shrunkTo ?? Infinity);
    for (let p = Math.floor(low / PAGE_SIZE); p < pageCount; p++) dirty.add(p);
    const { chunks, pages } = this.plan(dirty);
    let bytes = 0;
    const generation = this.generation + 1;
    try {
      const tx = this.db.transaction(["chunks", "pages", "meta"], "readwrite", { durability: "strict" });
      const chunkStore = tx.objectStore("chunks");
      const pageStore = tx.objectStore("pages");
      if (size < this.storedSize) {
        // meta.size is authoritative; drop what lies past the end so it cannot come back.
        chunkStore.delete(keyRange(this.workspace, Math.ceil(size / this.chunkSize)));
        pageStore.delete(keyRange(this.workspace, pageCount));
      }
      for (const c of chunks) {
        const blob = this.chunkBlob(contents, size, c);
        bytes += blob.size;
        chunkStore.put(blob, [this.workspace, c]);
        pageStore.delete(this.chunkPages(c));
      }
      for (const p of pages) {
        // slice(), never subarray(): structured clone of a view would copy its whole buffer.
        const page = contents.slice(p * PAGE_SIZE, Math.min(size, (p + 1) * PAGE_SIZE));
        bytes += page.byteLength;
        pageStore.put(page.buffer, [this.workspace, p]);
      }
      tx.objectStore("meta").put(this.meta(size, generation, schemaVersion), this.workspace);
      await transactionDone(tx);
    } catch (error) {
      this.dirty.giveBack(taken);  // nothing was stored: retry these next time
      throw error instanceof PersistError ? error : classify(error);
    }
    const perChunk = this.chunkSize / PAGE_SIZE;
    for (const p of this.logged) {
      if (p >= pageCount || chunks.has(Math.floor(p / perChunk))) this.logged.delete(p);
    }
    for (const p of pages) this.logged.add(p);
    this.storedSize = size;
    this.generation = generation;
    this.schemaVersion = schemaVersion;
    return { generation, ms: performance.now() - started, chunks: chunks.size, pages: pages.length, bytes };
  }

  /**
   * Which dirty pages go to the log and which chunks are written whole: a chunk at least half
   * dirty (an import, a vacuum, a fresh workspace) is cheaper whole, since logged pages are
   * written a second time when they are folded.
   */
  plan(dirty) {
    const perChunk = this.chunkSize / PAGE_SIZE;
    const counts = new Map();
    for (const p of dirty) {
      const c = Math.floor(p / perChunk);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const chunks = new Set([...counts].filter(([, n]) => n * 2 >= perChunk).map(([c]) => c));
    const pages = [...dirty].filter((p) => !chunks.has(Math.floor(p / perChunk))).sort((a, b) => a - b);
    return { chunks, pages };
  }

  meta(size, generation, schemaVersion) {
    return { size, generation, chunkSize: this.chunkSize, format: this.format, pageSize: PAGE_SIZE,
             schemaVersion, savedAt: Date.now() };
  }

  /** A copy of chunk `c` of the file (the Blob constructor copies the bytes it is given). */
  chunkBlob(contents, size, c, chunkSize = this.chunkSize) {
    return new Blob([contents.subarray(c * chunkSize, Math.min(size, (c + 1) * chunkSize))]);
  }

  /** The log keys of chunk `c`'s pages. */
  chunkPages(c) {
    const perChunk = this.chunkSize / PAGE_SIZE;
    return keyRange(this.workspace, c * perChunk, (c + 1) * perChunk);
  }

  get needsRewrite() {
    return this.storedSize > 0 && (this.format !== FORMAT || this.chunkSize !== this.preferredChunkSize);
  }

  /**
   * Fold logged pages into their chunks (at most `stepBytes` of chunks in one transaction), or
   * rewrite an image stored in an older format or chunk size. Only committed state is folded:
   * this does nothing while writes wait for a flush. Resolves to {ms, chunks, pages, bytes,
   * rewrite} or null when there was nothing to do. On failure the stored image is unchanged.
   */
  fold({ stepBytes = FOLD_STEP_BYTES } = {}) {
    return this.exclusive(() => {
      if (this.pending || this.closed || !this.storedSize || !this.dirty.tracking) return null;
      if (this.needsRewrite) return this._fold(null);
      return this.logged.size ? this._fold(stepBytes) : null;
    });
  }

  async _fold(stepBytes) {
    const started = performance.now();
    // The file equals the stored image now (nothing dirty, no flush in flight): copy what the
    // fold writes before anything else runs, so edits made meanwhile cannot leak into it.
    const { contents, size } = this.fileContents();
    const rewrite = stepBytes === null;
    const chunkSize = rewrite ? this.preferredChunkSize : this.chunkSize;
    const perChunk = chunkSize / PAGE_SIZE;
    let chunks = rewrite
      ? Array.from({ length: Math.ceil(size / chunkSize) }, (_, c) => c)
      : [...new Set([...this.logged].map((p) => Math.floor(p / perChunk)))].sort((a, b) => a - b);
    if (!rewrite) chunks = chunks.slice(0, Math.max(1, Math.floor(stepBytes / chunkSize)));
    const blobs = chunks.map((c) => this.chunkBlob(contents, size, c, chunkSize));
    const generation = this.generation;
    let tx;
    try {
      tx = this.db.transaction(["chunks", "pages", "meta"], "readwrite", { durability: "strict" });
    } catch (error) {
      throw classify(error);
    }
    const metaStore = tx.objectStore("meta");
    const check = metaStore.get(this.workspace);
    // Write only over the image this store last committed (another tab may own it by now).
    check.onsuccess = () => {
      if (check.result?.generation !== generation || check.result?.size !== size) {
        tx.abort();
        return;
      }
      const chunkStore = tx.objectStore("chunks");
      const pageStore = tx.objectStore("pages");
      if (rewrite) {
        chunkStore.delete(keyRange(this.workspace));
        pageStore.delete(keyRange(this.workspace));
      }
      chunks.forEach((c, i) => {
        chunkStore.put(blobs[i], [this.workspace, c]);
        if (!rewrite) pageStore.delete(keyRange(this.workspace, c * perChunk, (c + 1) * perChunk));
      });
      if (rewrite) metaStore.put({ ...check.result, chunkSize, format: FORMAT }, this.workspace);
    };
    try {
      await transactionDone(tx);
    } catch (error) {
      if (check.result && check.result.generation !== generation) {
        this.closed = true;
        throw new PersistError("store_changed", "The saved workspace was changed elsewhere.");
      }
      throw classify(error);
    }
    const folded = this.logged.size;
    if (rewrite) {
      this.logged.clear();
      this.chunkSize = chunkSize;
      this.format = FORMAT;
    } else {
      const done = new Set(chunks);
      for (const p of this.logged) if (done.has(Math.floor(p / perChunk))) this.logged.delete(p);
    }
    return { ms: performance.now() - started, chunks: chunks.length, pages: folded - this.logged.size,
             bytes: blobs.reduce((n, b) => n + b.size, 0), rewrite };
  }

  /** Fold once the worker has been idle a while, or soon when the log has grown. */
  scheduleFold(delay = null) {
    if (!this.autoFold || this.closed || !this.dirty.tracking) return;
    if (!this.logged.size && !this.needsRewrite) return;
    clearTimeout(this.foldTimer);
    const wait = delay ?? (this.logged.size >= this.foldPages ? 0 : this.foldIdleMs);
    this.foldTimer = setTimeout(() => this.foldInBackground(), wait);
  }

  async foldInBackground() {
    this.foldTimer = null;
    try {
      const result = await this.fold();
      this.foldError = null;
      // More to fold (a step limit): carry on, one step at a time, letting saves in between.
      if (result && this.logged.size) this.scheduleFold(0);
    } catch (error) {
      this.foldError = error;  // nothing was lost: the log stays, and the next flush tries again
    }
  }

  /** Stop folding and tracking (the workspace is handed over or closed). */
  async close() {
    this.closed = true;
    clearTimeout(this.foldTimer);
    this.foldTimer = null;
    while (this.flushing) await this.flushing.catch(() => {});
    this.untrack();
  }

  /** Remove the stored image, log included (used by tests and "reset workspace"). */
  async clear() {
    clearTimeout(this.foldTimer);
    this.foldTimer = null;
    while (this.flushing) await this.flushing.catch(() => {});
    const tx = this.db.transaction(["chunks", "pages", "meta"], "readwrite", { durability: "strict" });
    for (const name of ["chunks", "pages"]) tx.objectStore(name).delete(keyRange(this.workspace));
    tx.objectStore("meta").delete(this.workspace);
    await transactionDone(tx);
    this.logged.clear();
    this.storedSize = 0;
    this.chunkSize = this.preferredChunkSize;
    this.format = FORMAT;
  }
}
