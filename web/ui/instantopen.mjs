// Instant open: the document open when the page was last left is shown, with its last saved
// text, the moment the page's modules run, before Python has started. Its text and summary are
// kept in localStorage (read synchronously); typing works at once and is kept like any unsaved
// text (recovery.mjs). Once the engine is ready and the document is opened for real, what was
// typed is handed to the engine: at once when the engine holds the text the page showed,
// merged otherwise (the text shown was older than the engine's). The Editor (editor.mjs)
// extends InstantOpen, which extends Autosave.

import { $ } from "./dom.mjs";
import { Autosave } from "./autosave.mjs";

const SNAPSHOT_KEY = "quire.snapshot";
const SNAPSHOT_TEXT_KEY = "quire.snapshot-text";
// Bigger documents are not copied on every save; they open when the engine is ready.
export const SNAPSHOT_MAX_CHARS = 1_000_000;

/** Keep `artifact` with `text` (its saved text) as the document to show on the next load. */
export function keepSnapshot(artifact, text, storage = globalThis.localStorage) {
  try {
    if (typeof text !== "string" || text.length > SNAPSHOT_MAX_CHARS) {
      storage.removeItem(SNAPSHOT_KEY);
      storage.removeItem(SNAPSHOT_TEXT_KEY);
      return;
    }
    const { id, path, name, mime_type, kind } = artifact;
    storage.setItem(SNAPSHOT_TEXT_KEY, text);
    storage.setItem(SNAPSHOT_KEY, JSON.stringify({ id, path, name, mime_type, kind }));
  } catch { /* storage full or blocked: the document opens once the engine is ready */ }
}

/** Forget the snapshot (no document is open, or it is gone). */
export function dropSnapshot(storage = globalThis.localStorage) {
  try {
    storage.removeItem(SNAPSHOT_KEY);
    storage.removeItem(SNAPSHOT_TEXT_KEY);
  } catch { /* blocked storage */ }
}

/** The snapshot kept last time: {artifact, text}, or null. */
export function readSnapshot(storage = globalThis.localStorage) {
  try {
    const artifact = JSON.parse(storage.getItem(SNAPSHOT_KEY) || "null");
    const text = storage.getItem(SNAPSHOT_TEXT_KEY);
    if (!artifact || typeof artifact.id !== "string" || typeof text !== "string") return null;
    return { artifact, text };
  } catch {
    return null;
  }
}

export class InstantOpen extends Autosave {
  /** Before the engine is ready: show the document open last time, from its snapshot. */
  showSnapshot() {
    const snap = readSnapshot();
    if (!snap || this.doc || this.loading) return false;
    this.show({ ...snap.artifact, text: snap.text }, { provisional: true });
    $("#boot").hidden = true;
    return true;
  }

  /**
   * The engine is ready and has the snapshot's document: when it holds the text shown, the
   * editor goes on as it is (what was typed is saved now); otherwise its text is shown, with
   * what was typed here merged in.
   */
  adoptSnapshot(artifact) {
    const doc = this.doc;
    if (artifact.text === doc.savedText && typeof artifact.text === "string") {
      doc.provisional = false;
      doc.artifact = { ...doc.artifact, ...artifact };
      this.showTitle(doc.artifact);
      if (doc.kind === "markdown") this.preview.renderNow(this.view.text());
      if (typeof doc.recoveredOver === "string") this.announceRecovered(doc, doc.recoveredOver);
      delete doc.recoveredOver;
      this.saveSoon(0);
      return doc;
    }
    // What was typed meanwhile goes through localStorage: keep all of it there first.
    if (this.unsaved(doc)) this.keepCopy(doc);
    this.doc = null;
    this.view.forget(doc.id);
    this.show(artifact);
    return this.doc;
  }
}
