// Which 4 KiB pages of one file in Emscripten's in-memory FS changed since they were last taken.
// FS.write is wrapped to record the byte ranges written to that path, and truncation to record
// how far the file was cut: SQLite shrinks a database (an import, a vacuum) with ftruncate, which
// writes nothing.

export const PAGE_SIZE = 4096;

export class DirtyPages {
  constructor(FS, path) {
    this.FS = FS;
    this.path = path;
    this.pages = new Set();
    this.shrunkTo = null;  // the smallest size a truncation left, if any
    this.stop = null;      // set while tracking
  }

  get tracking() {
    return this.stop !== null;
  }

  get pending() {
    return this.pages.size > 0 || this.shrunkTo !== null;
  }

  add(start, length) {
    const last = Math.floor((start + length - 1) / PAGE_SIZE);
    for (let p = Math.floor(start / PAGE_SIZE); p <= last; p++) this.pages.add(p);
  }

  /** Everything recorded so far, and start afresh: later writes belong to the next take. */
  take() {
    const taken = { pages: [...this.pages], shrunkTo: this.shrunkTo };
    this.pages = new Set();
    this.shrunkTo = null;
    return taken;
  }

  /** Put back what a failed save had taken. */
  giveBack({ pages, shrunkTo }) {
    for (const p of pages) this.pages.add(p);
    if (shrunkTo !== null) this.shrunkTo = Math.min(this.shrunkTo ?? Infinity, shrunkTo);
  }

  start() {
    const dirty = this;
    const FS = this.FS;
    const write = FS.write;
    const truncate = FS.doTruncate;
    const trackedWrite = function write_(stream, buffer, offset, length, position, canOwn) {
      const start = typeof position === "number" ? position : stream.position;
      const written = write.call(this, stream, buffer, offset, length, position, canOwn);
      if (written > 0 && stream.path === dirty.path) dirty.add(start, written);
      return written;
    };
    const trackedTruncate = function truncate_(stream, node, length) {
      const result = truncate.call(this, stream, node, length);
      if (stream ? stream.path === dirty.path : dirty.isFile(node)) {
        dirty.shrunkTo = Math.min(dirty.shrunkTo ?? Infinity, length);
      }
      return result;
    };
    FS.write = trackedWrite;
    if (typeof truncate === "function") FS.doTruncate = trackedTruncate;
    // Unwrap only what is still ours (wrappers of several files unwind in reverse order).
    this.stop = () => {
      if (FS.write === trackedWrite) FS.write = write;
      if (FS.doTruncate === trackedTruncate) FS.doTruncate = truncate;
      this.stop = null;
    };
  }

  isFile(node) {
    try {
      return this.FS.lookupPath(this.path).node === node;
    } catch {
      return false;
    }
  }
}
