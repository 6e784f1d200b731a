// Text typed but not yet confirmed durable, kept in localStorage until the engine says it is.
//
// A save goes through the data worker and IndexedDB, which a reload or a closing window can cut
// short; localStorage is written synchronously on every input, so what the user typed is on
// disk before the next keystroke. Each open document has two keys: its text, and a small record
// of the texts it was typed on top of (`bases`: fingerprints of the last saved text and of each
// text sent to the engine since), so the next open can tell whether the engine holds one of them
// (the recovered text simply continues it) or something else (both are kept, merged by lines).
// No DOM in here (tested with node).

const TEXT_KEY = "quire.unsaved.";
const META_KEY = "quire.unsaved-meta.";

/** A fingerprint of a text (FNV-1a over its UTF-16 units, with the length): cheap, not secure. */
export function fingerprint(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${text.length}:${(h >>> 0).toString(16)}`;
}

export class Recovery {
  /** `storage`: a Web Storage object (localStorage); null or a throwing one keeps nothing. */
  constructor(storage = globalThis.localStorage ?? null) {
    this.storage = storage;
    this.failed = false; // the last write was refused (storage full or blocked)
  }

  /**
   * Keep `text` as the unsaved text of document `id`. `bases`: fingerprints of the texts it was
   * typed on top of; `prefix`: it was typed before the document's content arrived and goes in
   * front of it. Returns false when the browser refused to store it.
   */
  keep(id, text, { bases = [], prefix = false } = {}) {
    if (!this.storage || !id) return false;
    try {
      this.storage.setItem(TEXT_KEY + id, text);
      this.storage.setItem(META_KEY + id, JSON.stringify({ bases, prefix, at: Date.now() }));
      this.failed = false;
      return true;
    } catch {
      this.failed = true;
      return false;
    }
  }

  /** Note that `base` (a fingerprint) is also a text the kept one continues (a save was sent). */
  addBase(id, base) {
    const meta = this.meta(id);
    if (!meta || meta.bases.includes(base)) return;
    meta.bases = [...meta.bases.slice(-7), base];
    try { this.storage.setItem(META_KEY + id, JSON.stringify(meta)); } catch { /* kept text stays */ }
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

  /** The kept text of document `id`: {text, bases, prefix, at}, or null. */
  get(id) {
    const meta = this.meta(id);
    let text = null;
    try { text = this.storage?.getItem(TEXT_KEY + id) ?? null; } catch { text = null; }
    return meta && typeof text === "string" ? { ...meta, text } : null;
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
