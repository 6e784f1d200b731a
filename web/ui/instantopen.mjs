// Instant open: the document open when the page was last left is shown, with its last saved
// text, the moment the page's modules run, before Python has started. Its text and summary are
// kept in localStorage (read synchronously); typing works at once and is kept like any unsaved
// text (recovery.mjs). Once the engine is ready and the document is opened for real, what was
// typed is handed to the engine: at once when the engine holds the text the page showed,
// merged otherwise (the text shown was older than the engine's). Opening (opening.mjs)
// extends InstantOpen, which extends Autosave.

import { $ } from "./dom.mjs";
import { Autosave } from "./autosave.mjs";
import { TYPED } from "./recovery.mjs";
import { readSnapshot } from "./snapshot.mjs";
import { takeFirstView } from "./firstview.mjs";

export class InstantOpen extends Autosave {
  /** Before the engine is ready: show the document open last time, from its snapshot. */
  showSnapshot() {
    // The first screen may show it already (firstview.mjs): it is taken over with what was typed.
    const first = takeFirstView();
    const snap = first ? first.snapshot : readSnapshot();
    if (!snap || this.doc || this.loading) return false;
    this.show({ ...snap.artifact, text: snap.text }, { provisional: true, first });
    if (first && !first.changes.empty) this.onInput(first.changes);
    if (first?.recovered) this.tookRecovered(first);
    $("#boot").hidden = true;
    return true;
  }

  /**
   * The first view showed unsaved text the last page left: it is this document's own record
   * now (written above), and it is said, as for text recovered here (see Editor.show).
   */
  tookRecovered(first) {
    if (first.typedKept && !this.recovery.failed) this.recovery.drop(TYPED + first.id);
    if (first.changes.empty) return;
    this.announceRecovered(this.doc, first.snapshot.text);
    this.doc.recoveredOver = first.snapshot.text; // said again once the engine is ready
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
