// Text typed but not yet confirmed durable, kept in localStorage until the engine says it is.
//
// A save goes through the data worker and IndexedDB, which a reload or a closing window can cut
// short; localStorage is written synchronously on every input, so what the user typed is on
// disk before the next keystroke. Each open document has two keys: a record (`meta`) and, at
// times, a full copy of its unsaved text.
//
// Writing the whole text on every keystroke costs O(document) (a megabyte per key in a big
// note), so the record holds the edits instead: for each text the unsaved one was typed on top
// of (`anchors`: the last saved text and the text of a save in flight, by fingerprint) the
// edits since it, as CodeMirror ChangeSet JSON, small while the user types in one place. The
// next open applies them to the engine's text when it is one of those anchors. A full copy
// (with its own edits since) is written only now and then (when typing pauses, the edits grow
// big, or the page hides), for an engine text that is none of them (changed elsewhere): then
// the two are merged. `bases` are the anchors' fingerprints, as before. No DOM in here (tested
// with node).
const TEXT_KEY = "quire.unsaved.";
const META_KEY = "quire.unsaved-meta.";
// Text typed into a document still opening is kept under its own key: it goes in front of the
// content when it arrives, and must never overwrite what an earlier page left for the document.
export const TYPED = "typed:";

const FNV_START = 0x811c9dc5;
const IDLE_SLICE = 1 << 16; // characters between looks at the idle deadline

/** FNV-1a over text[from, to), continuing from `h`. */
function fnv(text, h, from, to) {
  for (let i = from; i < to; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** A fingerprint of a text (FNV-1a over its UTF-16 units, with the length): cheap, not secure. */
export function fingerprint(text) {
  return `${text.length}:${(fnv(text, FNV_START, 0, text.length) >>> 0).toString(16)}`;
}

/**
 * fingerprint(text), computed in slices while the page is idle, then `done(fp)`: a megabyte
 * takes several milliseconds, which should not land between two keystrokes in one piece.
 */
export function fingerprintWhenIdle(text, done) {
  let h = FNV_START, at = 0;
  const step = (deadline) => {
    do {
      const end = Math.min(text.length, at + IDLE_SLICE);
      h = fnv(text, h, at, end);
      at = end;
    } while (at < text.length && deadline.timeRemaining() > 1);
    if (at < text.length) requestIdleCallback(step, { timeout: 2000 });
    else done(`${text.length}:${(h >>> 0).toString(16)}`);
  };
  requestIdleCallback(step, { timeout: 2000 });
}

export class Recovery {
  /** `storage`: a Web Storage object (localStorage); null or a throwing one keeps nothing. */
  constructor(storage = globalThis.localStorage ?? null) {
    this.storage = storage;
    this.failed = false; // the last write was refused (storage full or blocked)
  }

  /**
   * Keep `text` (a full copy) as the unsaved text of document `id`. `bases`: fingerprints of
   * the texts it was typed on top of; `prefix`: it was typed before the document's content
   * arrived and goes in front of it. Returns false when the browser refused to store it.
   */
  keep(id, text, { bases = [], prefix = false } = {}) {
    if (!this.storage || !id) return false;
    try {
      this.storage.setItem(TEXT_KEY + id, text);
      this.failed = !this.write(id, { bases, prefix, copy: true });
      return !this.failed;
    } catch {
      this.failed = true;
      return false;
    }
  }

  /**
   * Keep the unsaved text of `id` as edits: `anchors` [{fp, edits}] (ChangeSet JSON from the
   * text with fingerprint `fp`), and `copyEdits`, the edits since the full copy kept last by
   * keep() (null: there is none, or it is stale). O(edits), not O(text).
   */
  keepEdits(id, { bases = [], anchors = [], copyEdits = null }) {
    if (!this.storage || !id) return false;
    const meta = { bases, prefix: false, anchors, copy: copyEdits !== null };
    if (copyEdits !== null) meta.copyEdits = copyEdits;
    this.failed = !this.write(id, meta);
    return !this.failed;
  }

  write(id, meta) {
    try {
      this.storage.setItem(META_KEY + id, JSON.stringify({ ...meta, at: Date.now() }));
      return true;
    } catch {
      return false;
    }
  }

  /** Note that `base` (a fingerprint) is also a text the kept one continues (a save was sent). */
  addBase(id, base) {
    const meta = this.meta(id);
    if (!meta || meta.bases.includes(base)) return;
    meta.bases = [...meta.bases.slice(-7), base];
    this.write(id, meta);
  }

  meta(id) {
    if (!this.storage || !id) return null;
    try {
      const meta = JSON.parse(this.storage.getItem(META_KEY + id) || "null");
      if (!meta || !Array.isArray(meta.bases)) return null;
      return meta;
    } catch {
      return null;
    }
  }

  /**
   * The kept text of document `id`: {text, bases, prefix, at}, or null. `current`: the text
   * the engine holds now (edits kept against it are applied to it).
   */
  get(id, current = null) {
    const meta = this.meta(id);
    if (!meta) return null;
    let text = null;
    if (typeof current === "string" && Array.isArray(meta.anchors) && meta.anchors.length) {
      const fp = fingerprint(current);
      const anchor = meta.anchors.find((a) => a && a.fp === fp);
      if (anchor) text = applyEdits(current, anchor.edits);
    }
    if (text === null && meta.copy !== false) {
      let copy = null;
      try { copy = this.storage.getItem(TEXT_KEY + id); } catch { copy = null; }
      if (typeof copy === "string") text = meta.copyEdits ? applyEdits(copy, meta.copyEdits) : copy;
    }
    return typeof text === "string" ? { ...meta, text } : null;
  }

  /** Forget the full copy of `id` (edits against anchors keep its text). */
  dropCopy(id) {
    try { this.storage?.removeItem(TEXT_KEY + id); } catch { /* blocked storage */ }
  }

  /** The engine confirmed the document's text: forget what was kept for it. */
  drop(id) {
    if (!this.storage || !id) return;
    try {
      this.storage.removeItem(TEXT_KEY + id);
      this.storage.removeItem(META_KEY + id);
    } catch { /* blocked storage: nothing was kept either */ }
  }

  /** Ids of the documents with kept text. */
  ids() {
    const out = [];
    if (!this.storage) return out;
    try {
      for (let i = 0; i < this.storage.length; i++) {
        const key = this.storage.key(i);
        if (key && key.startsWith(META_KEY)) out.push(key.slice(META_KEY.length));
      }
    } catch { /* blocked storage */ }
    return out;
  }
}

/**
 * `text` with `edits` (CodeMirror ChangeSet JSON: a number keeps that many characters, [n]
 * deletes n, [n, ...lines] replaces n with the lines joined by "\n") applied; null when the
 * edits do not fit the text (they were made on another one).
 */
export function applyEdits(text, edits) {
  if (edits == null) return text;
  if (!Array.isArray(edits)) return null;
  const out = [];
  let pos = 0;
  for (const part of edits) {
    if (typeof part === "number") {
      if (part < 0 || pos + part > text.length) return null;
      out.push(text.slice(pos, pos + part));
      pos += part;
    } else if (Array.isArray(part) && typeof part[0] === "number" && part[0] >= 0) {
      if (pos + part[0] > text.length) return null;
      pos += part[0];
      if (part.length > 1) out.push(part.slice(1).join("\n"));
    } else {
      return null;
    }
  }
  return pos === text.length ? out.join("") : null;
}

/**
 * What to show for a document whose engine text is `current` when `kept` (from Recovery.get)
 * was left unsaved: null when there is nothing to recover, else the text to show. The kept text
 * wins outright when the engine holds a text it was typed on top of; otherwise the two are
 * merged so that neither loses a line.
 */
export function recoveredText(current, kept) {
  if (!kept || typeof current !== "string") return null;
  if (kept.prefix) return kept.text ? kept.text + current : null;
  if (kept.text === current) return null;
  if (kept.bases.includes(fingerprint(current))) return kept.text;
  return unionMerge(current, kept.text);
}

/**
 * What the last page left unsaved for document `id`, whose engine text is `current`:
 * {text, stale, typed, bases}, or null when nothing was kept. `text`: what to show (null: the
 * kept text recovers nothing); `stale`: the document's own record recovers nothing (it may be
 * dropped); `typed`: text typed while it was opening goes in front (its TYPED record);
 * `bases`: fingerprints of texts the kept one continues. Reads only: the callers drop.
 */
export function keptText(recovery, id, current) {
  const kept = recovery.get(id, current);
  const typed = recovery.get(TYPED + id);
  if (!kept && !typed) return null;
  let text = recoveredText(current, kept);
  const stale = text === null;
  if (typed) text = (typed.text || "") + (text ?? current);
  const bases = kept ? [...kept.bases, ...(kept.anchors ?? []).map((a) => a?.fp)].filter((fp) => typeof fp === "string") : [];
  return { text: text === current ? null : text, stale, typed: Boolean(typed), bases: [...new Set(bases)] };
}

/** The change from `a` to `b` that keeps their common start and end: {from, to, insert}. */
export function differingPart(a, b) {
  const most = Math.min(a.length, b.length);
  let start = 0;
  while (start < most && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let end = 0;
  while (end < most - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++;
  return { from: start, to: a.length - end, insert: b.slice(start, b.length - end) };
}

/**
 * Both texts, line by line: their common first and last lines once, and in between the lines
 * of `a` followed by those of `b`. Nothing of either is dropped (lines may repeat).
 */
export function unionMerge(a, b) {
  const x = a.split("\n"), y = b.split("\n");
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const middle = [...x.slice(head, x.length - tail), ...y.slice(head, y.length - tail)];
  return [...x.slice(0, head), ...middle, ...x.slice(x.length - tail)].join("\n");
}
