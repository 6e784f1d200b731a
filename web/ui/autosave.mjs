// The editor's saving half (the Editor in editor.mjs extends it). Typing schedules a save
// (debounced); blur, hiding the page and Ctrl+S save at once. Only one update is in flight per
// document; whatever is typed meanwhile is sent right after, so no keystroke is lost. The status
// says "Saved" only after the engine call resolved, which happens once the change is durable in
// IndexedDB. A document switched away from keeps saving in the background; if that fails, its
// text is kept and shown again when it is reopened.
//
// Until the engine confirms a save, the newest text of each document is also kept in
// localStorage (recovery.mjs), written on every input: a reload or a closed window cannot lose
// it, and the next open offers it back. For the shown document what is written per input is
// the edit (keptedits.mjs), and whether it is unsaved is told by CodeMirror's immutable text
// (the one saved is kept), so a keystroke costs the same in a 1 MB note as in a short one.
//
// It works on the Editor's fields: doc (the shown document), detached (documents switched away
// from whose text is not saved yet), loading, view (the TextView), readOnly, timer, session and store.

import { Recovery, TYPED, fingerprint, fingerprintWhenIdle, keptText } from "./recovery.mjs";
import { note } from "./notifications.mjs";
import { kindOf } from "./kinds.mjs";
import { addAnchor, addChanges, copyTrack, freshTrack, keepOnly, writeTrack } from "./keptedits.mjs";

export { TYPED };
export const RECOVERED_NOTE = "Recovered text you typed before the page closed";
// After this long without typing while a save is still unconfirmed, a full copy is kept too.
const COPY_IDLE_MS = 3000;

export class Autosave {
  constructor() {
    this.recovery = new Recovery();
  }

  /**
   * Keep the newest text of the shown (or opening) document where a reload cannot lose it.
   * `changes`: the CodeMirror ChangeSet of the input (then only the edit is written).
   */
  keepUnsaved(changes = null) {
    if (this.readOnly) return;
    if (this.loading) {
      if (this.loading.id) this.recovery.keep(TYPED + this.loading.id, this.textOf(null), { prefix: true });
      return;
    }
    const doc = this.doc;
    if (!doc || doc.binary) return;
    if (!this.unsaved(doc)) {
      this.recovery.drop(doc.id);
      doc.track = freshTrack(this.view.emptyChanges());
      return;
    }
    const track = doc.track;
    if (changes && track && addChanges(track, changes)
        && writeTrack(this.recovery, doc.id, track, this.basesOf(doc), () => this.baseOf(doc))) {
      this.copySoon(doc);
      return;
    }
    this.keepCopy(doc);
  }

  /** Keep a full copy of the shown document's text; later edits count from it. */
  keepCopy(doc) {
    clearTimeout(this.copyTimer);
    if (doc !== this.doc || this.readOnly) return;
    this.baseOf(doc);
    this.recovery.keep(doc.id, this.textOf(doc), { bases: this.basesOf(doc) });
    doc.track = copyTrack(this.view.emptyChanges());
    if (doc.sent && doc.inFlight) addAnchor(doc.track, doc.sent, this.view.emptyChanges());
  }

  /** A save that stays unconfirmed while typing pauses: keep a full copy as well, when idle. */
  copySoon(doc) {
    clearTimeout(this.copyTimer);
    this.copyTimer = setTimeout(() => requestIdleCallback(() => {
      if (doc === this.doc && this.unsaved(doc) && !doc.track?.copy?.empty) this.keepCopy(doc);
    }, { timeout: 2000 }), COPY_IDLE_MS);
  }

  /** The fingerprint of the document's saved text (computed once per saved text). */
  baseOf(doc) { return (doc.base ??= fingerprint(doc.savedText)); }

  /** Fingerprint the saved text while the page is idle, so the first keystroke need not. */
  primeBase(doc) {
    const text = doc.savedText;
    if (doc.base != null || typeof text !== "string") return;
    fingerprintWhenIdle(text, (fp) => { if (doc.base == null && doc.savedText === text) doc.base = fp; });
  }

  /**
   * The texts the unsaved one continues: the saved text, a save in flight, and those the last
   * page's record named (`doc.carried`, until a save is confirmed: the engine may hold one).
   */
  basesOf(doc) {
    const bases = doc.sent ? [this.baseOf(doc), doc.sent] : [this.baseOf(doc)];
    return doc.carried ? [...new Set([...bases, ...doc.carried])] : bases;
  }

  /**
   * The text to show for `artifact` when this page left unsaved text for it last time: that
   * text (merged with the engine's if the engine holds something else), or null.
   */
  recoveredFor(artifact) {
    if (this.readOnly || typeof artifact.text !== "string") return null;
    const kept = keptText(this.recovery, artifact.id, artifact.text);
    if (!kept) return null;
    if (kept.stale) this.recovery.drop(artifact.id);
    if (kept.typed) this.recovery.drop(TYPED + artifact.id);
    return kept.text;
  }

  /** Text typed into a document that was still opening now belongs to `doc` (and its own key). */
  adoptTyped(doc) {
    this.recovery.drop(TYPED + doc.id);
    this.keepDetached(doc);
  }

  /** Keep a document's unsaved text when it is not the shown one. */
  keepDetached(doc) {
    if (this.readOnly || doc.binary || doc.text === doc.savedText) return;
    doc.base ??= fingerprint(doc.savedText);
    this.recovery.keep(doc.id, doc.text, { bases: [doc.base] });
  }

  /** What was typed into a document still opening when the user moved on: saved all the same. */
  keepTyped(artifact, typed) {
    if (typeof artifact.text !== "string") return;
    if (this.doc && this.doc.id === artifact.id) {
      this.recovery.drop(TYPED + artifact.id);
      this.view.prepend(typed, [typed.length, typed.length]);
      return;
    }
    const doc = this.detached.get(artifact.id) || { ...this.newDoc(artifact), text: artifact.text };
    doc.text = typed + doc.text;
    this.detached.set(doc.id, doc);
    this.adoptTyped(doc);
    this.save(doc);
  }

  /** The editor's record of a document from the engine's artifact. */
  newDoc(artifact) {
    const text = typeof artifact.text === "string" ? artifact.text : null;
    const kind = text === null ? "binary" : kindOf(artifact) === "markdown" ? "markdown" : "text";
    return { id: artifact.id, artifact, kind, savedText: text, binary: text === null, inFlight: null, failed: null, text };
  }

  /** Say that recovered text is shown; Undo goes back to the text the engine had. */
  announceRecovered(doc, engineText) {
    note(RECOVERED_NOTE, {
      ms: 30000,
      undo: () => {
        if (this.doc !== doc) return;
        this.setText(engineText);
        this.onInput();
      },
    });
  }
  /** True while a save of any document is on its way to the engine. */
  get inFlight() {
    return [this.doc, ...this.detached.values()].some((d) => d && d.inFlight);
  }

  /** The newest text of a document: the editor's for the shown one (or the one opening). */
  textOf(doc) { return doc === this.doc || !doc ? this.view.text() : doc.text; }

  unsaved(doc) {
    if (!doc || doc.binary) return false;
    if (doc.inFlight) return true;
    // The shown document: CodeMirror's text is immutable, so the one saved is the same object.
    if (doc === this.doc && doc.savedDoc) return this.view.docRef !== doc.savedDoc;
    return this.textOf(doc) !== doc.savedText;
  }

  /** True while something typed is not yet confirmed durable. */
  isDirty() {
    if (this.loading && this.view.length > 0) return true;
    return this.unsaved(this.doc) || [...this.detached.values()].some((d) => this.unsaved(d));
  }

  saveSoon(ms) {
    this.clearTimer();
    if (!this.unsaved(this.doc)) return;
    this.timer = setTimeout(() => this.save(), ms);
  }

  clearTimer() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Send a document's newest text if it changed (the open one by default). Resolves when that
   * text is durable (or the save failed). While an update is in flight, the newest text is
   * queued and sent as soon as it returns.
   */
  save(doc = this.doc) {
    if (doc === this.doc) this.clearTimer();
    // A snapshot shown before the engine is ready is saved once the engine has opened it.
    if (!doc || doc.binary || this.readOnly || doc.provisional) return Promise.resolve();
    if (doc.inFlight) return doc.inFlight.then(() => this.save(doc));
    const shown = doc === this.doc;
    const content = this.textOf(doc);
    const sentDoc = shown ? this.view.docRef : null;
    if (content === doc.savedText) {
      if (shown) doc.savedDoc = sentDoc;
      this.recovery.drop(doc.id);
      this.forget(doc);
      this.store.emit("save-status");
      return Promise.resolve();
    }
    doc.sent = fingerprint(content);
    if (shown && doc.track) {
      addAnchor(doc.track, doc.sent, this.view.emptyChanges());
      if (!writeTrack(this.recovery, doc.id, doc.track, this.basesOf(doc), () => this.baseOf(doc))) this.keepCopy(doc);
    } else {
      this.recovery.addBase(doc.id, doc.sent);
    }
    doc.inFlight = this.session.mutate("artifacts.update", { id: doc.id, content }, { context: "Saving failed", quiet: true })
      .then((artifact) => {
        doc.savedText = content;
        doc.base = doc.sent;
        doc.carried = null;
        doc.savedDoc = sentDoc;
        doc.failed = null;
        this.keepSince(doc, content);
        if (artifact && typeof artifact === "object") {
          doc.artifact = { ...doc.artifact, ...artifact };
          this.store.emit("document-saved", { artifact: doc.artifact });
        }
        // Saving works (again): texts of documents switched away from that failed go out too.
        for (const other of this.detached.values()) if (other !== doc && other.failed && !other.inFlight) this.save(other);
      }, (err) => {
        doc.failed = err;
        this.store.emit("save-failed", err);
      })
      .finally(() => {
        doc.inFlight = null;
        doc.sent = null;
        // Keystrokes that arrived during the save go out now.
        if (!doc.failed && this.textOf(doc) !== doc.savedText) this.save(doc);
        else this.forget(doc);
        this.store.emit("save-status");
      });
    this.store.emit("save-status");
    return doc.inFlight;
  }

  /** A save of `content` is durable: localStorage keeps only what was typed since. */
  keepSince(doc, content) {
    const shown = doc === this.doc;
    doc.sent = null;
    if (shown && doc.savedDoc ? this.view.docRef === doc.savedDoc : this.textOf(doc) === content) {
      this.recovery.drop(doc.id);
      if (shown) doc.track = freshTrack(this.view.emptyChanges());
      return;
    }
    if (shown && doc.track) {
      keepOnly(doc.track, doc.base);
      if (writeTrack(this.recovery, doc.id, doc.track, [doc.base], () => doc.base)) return;
    }
    if (shown) this.keepCopy(doc);
    else this.recovery.keep(doc.id, this.textOf(doc), { bases: [doc.base] });
  }

  /** A document switched away from is let go once its text is saved. */
  forget(doc) {
    if (doc !== this.doc && !this.unsaved(doc)) this.detached.delete(doc.id);
  }

  /**
   * Save until nothing is pending: the open document, those switched away from, and what was
   * typed into one still opening (used before exporting, deleting, or handing over the workspace).
   */
  async flush() {
    if (this.loading && this.view.length > 0) await this.loading.settled;
    for (let round = 0; round < 5 && !this.readOnly; round++) {
      const docs = [this.doc, ...this.detached.values()].filter((d) => this.unsaved(d));
      if (!docs.length) return;
      await Promise.all(docs.map((d) => this.save(d)));
      if (docs.every((d) => d.failed)) return;
    }
  }
}
