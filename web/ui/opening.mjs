// Opening a document: the editor switches at once (title, an empty text area, focus) and the
// content follows. What is typed before it arrives is kept and put where the caret would have
// been (in front of the text; a new document starts with it). The document switched away from
// keeps saving in the background; if that fails, its text is kept and shown again when it is
// reopened. The text area is never overwritten with text the user has not seen saved.
// The Editor (editor.mjs) extends Opening, which extends InstantOpen.

import { kindOf } from "./kinds.mjs";
import { showFrame } from "./docframe.mjs";
import { TYPED } from "./autosave.mjs";
import { InstantOpen } from "./instantopen.mjs";

const TEXT_KINDS = new Set(["markdown", "code", "text"]);

export class Opening extends InstantOpen {
  /**
   * Switch to a document before its content is here, so typing can start at once.
   * `summary` is what the tree knows ({id?, path, name, mime_type, kind}); a new document has no id yet.
   */
  begin(summary, { focus = false } = {}) {
    this.detach();
    const known = Boolean(summary.path || summary.name);
    const binary = known && !TEXT_KINDS.has(kindOf(summary));
    let settle;
    const settled = new Promise((resolve) => { settle = resolve; });
    const load = { id: summary.id ?? null, binary, settled, settle, done: false, typed: "" };
    this.loading = load;
    this.card.clear();
    this.preview.clear();
    showFrame(binary ? "binary" : kindOf(summary) === "markdown" ? "markdown" : "text");
    if (known) this.showTitle(summary);
    this.view.load(null, "");
    this.view.applySettings({ readOnly: this.readOnly || binary, placeholder: load.id ? "Opening…" : "Start writing…", busy: true });
    if (focus) this.focus();
    this.store.emit("save-status");
    return load;
  }

  async open(id, { focus = false, artifact = null } = {}) {
    if (this.doc?.provisional && this.doc.id === id) {
      return this.adoptSnapshot(artifact ?? await this.session.call("artifacts.get", { id }));
    }
    if (this.doc && this.doc.id === id) { if (focus) this.focus(); return this.doc; }
    const load = this.loading && this.loading.id === id
      ? this.loading : this.begin(this.summaryOf(id) || { id }, { focus });
    if (focus) this.focus();
    let fresh = artifact;
    try {
      fresh ??= await this.session.call("artifacts.get", { id });
    } catch (err) {
      this.abandon(load);
      throw err;
    }
    return this.arrive(load, fresh);
  }

  /** The content of a document being opened is here: show it, with what was typed meanwhile. */
  arrive(load, artifact) {
    load.settle();
    if (load.done) return this.doc && this.doc.id === artifact.id ? this.doc : null;
    load.done = true;
    if (load !== this.loading) {
      // The user moved on before it arrived: what was typed for it is saved all the same.
      if (load.typed) this.keepTyped(artifact, load.typed);
      return null;
    }
    const typed = this.view.text();
    const caret = this.view.selection();
    // What this page typed meanwhile goes in below; its own key was only a stand-in.
    if (typed && load.id) this.recovery.drop(TYPED + load.id);
    this.show(artifact);
    if (typed && !this.doc.binary) {
      this.view.prepend(typed, caret);
    }
    return this.doc;
  }

  /** Opening failed: nothing to show. */
  abandon(load) {
    load.settle();
    load.done = true;
    if (load === this.loading) this.close();
  }

  /** Stop showing the open document; what was typed into it keeps saving in the background. */
  detach() {
    this.clearTimer();
    if (this.loading) {
      this.loading.typed = this.view.text();
      this.loading = null;
    }
    this.view.setBusy(false);
    const doc = this.doc;
    this.doc = null;
    if (doc && !doc.binary) {
      doc.text = this.view.text();
      if (this.unsaved(doc)) {
        this.detached.set(doc.id, doc);
        this.save(doc);
      }
    }
  }
}
