// The open document: a text editor with autosave (Markdown gets a live preview), or an info
// card with a download button for binary files. Saving is in autosave.mjs.
//
// Opening: the editor switches at once (title, an empty text area, focus) and the content
// follows. What is typed before it arrives is kept and put where the caret would have been (in
// front of the text; a new document starts with it). The document switched away from keeps
// saving in the background; if that fails, its text is kept and shown again when it is reopened.
// The text area is never overwritten with text the user has not seen saved.

import { $, dirname } from "./dom.mjs";
import { displayName, kindOf } from "./kinds.mjs";
import { Preview } from "./preview.mjs";
import { FileCard } from "./filecard.mjs";
import { Autosave, TYPED } from "./autosave.mjs";

const SAVE_DELAY_MS = 400;
const TEXT_KINDS = new Set(["markdown", "code", "text"]);

export class Editor extends Autosave {
  /**
   * `session`: {call(), mutate()}; `store`: the page's Store (save-status, save-failed and
   * document-saved go out on it); `summaryOf(id)`: what the tree knows of a document;
   * `showEditor()`: leave the preview-only view; `download(artifact)`: a binary file's button.
   */
  constructor({ session, store, summaryOf, showEditor, download }) {
    super();
    this.session = session;
    this.store = store;
    this.summaryOf = summaryOf;
    this.showEditor = showEditor;
    this.textarea = $("#editor");
    this.preview = new Preview(session, $("#preview"));
    this.card = new FileCard({ session, download }, $("#binary"));
    this.doc = null; // the shown document: {id, artifact, kind, savedText, binary, inFlight, failed, text}
    this.loading = null; // the document being opened: {id, binary, settled, done, typed}
    this.detached = new Map(); // id -> a document switched away from whose text is not saved yet
    this.readOnly = false;
    this.timer = null;

    this.textarea.addEventListener("input", () => this.onInput());
    this.textarea.addEventListener("blur", () => this.saveSoon(0));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.save();
    });
    window.addEventListener("pagehide", () => this.save());
    // Leaving while a save is not confirmed asks first (what was typed is in localStorage too).
    window.addEventListener("beforeunload", (event) => {
      if (!this.isDirty()) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  get current() { return this.doc; }

  /** The text in the editor now (of the shown document, or typed into one still opening). */
  text() { return this.textarea.value; }

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
    const app = $("#app");
    app.dataset.kind = binary ? "binary" : kindOf(summary) === "markdown" ? "markdown" : "text";
    $("#empty").hidden = true;
    $("#doc").hidden = false;
    $("#doc-actions").hidden = false;
    $("#panes").hidden = binary;
    $("#binary").hidden = !binary;
    if (known) this.showTitle(summary);
    this.textarea.value = "";
    this.textarea.readOnly = this.readOnly || binary;
    this.textarea.placeholder = load.id ? "Opening…" : "Start writing…";
    this.textarea.setAttribute("aria-busy", "true");
    if (focus) this.focus();
    this.store.emit("save-status");
    return load;
  }

  async open(id, { focus = false, artifact = null } = {}) {
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
    const typed = this.textarea.value;
    const caret = [this.textarea.selectionStart, this.textarea.selectionEnd];
    // What this page typed meanwhile goes in below; its own key was only a stand-in.
    if (typed && load.id) this.recovery.drop(TYPED + load.id);
    this.show(artifact);
    if (typed && !this.doc.binary) {
      this.textarea.value = typed + this.textarea.value;
      this.textarea.setSelectionRange(caret[0], caret[1]);
      this.onInput();
    }
    return this.doc;
  }

  /** Opening failed: nothing to show. */
  abandon(load) {
    load.settle();
    load.done = true;
    if (load === this.loading) this.close();
  }

  keepTyped(artifact, typed) {
    if (typeof artifact.text !== "string") return;
    if (this.doc && this.doc.id === artifact.id) {
      this.recovery.drop(TYPED + artifact.id);
      this.textarea.value = typed + this.textarea.value;
      this.onInput();
      return;
    }
    const doc = this.detached.get(artifact.id) || { ...this.newDoc(artifact), text: artifact.text };
    doc.text = typed + doc.text;
    this.detached.set(doc.id, doc);
    this.adoptTyped(doc);
    this.save(doc);
  }

  newDoc(artifact) {
    const text = typeof artifact.text === "string" ? artifact.text : null;
    const kind = text === null ? "binary" : kindOf(artifact) === "markdown" ? "markdown" : "text";
    return { id: artifact.id, artifact, kind, savedText: text, binary: text === null, inFlight: null, failed: null, text };
  }

  /** Stop showing the open document; what was typed into it keeps saving in the background. */
  detach() {
    this.clearTimer();
    if (this.loading) {
      this.loading.typed = this.textarea.value;
      this.loading = null;
    }
    this.textarea.removeAttribute("aria-busy");
    const doc = this.doc;
    this.doc = null;
    if (doc && !doc.binary) {
      doc.text = this.textarea.value;
      if (this.unsaved(doc)) {
        this.detached.set(doc.id, doc);
        this.save(doc);
      }
    }
  }

  /**
   * Re-read the open document from the engine (after a restore, a rename, a move, another tab).
   * Unsaved typing is saved first; when the text did not change, the editor is left as it is.
   */
  async reload() {
    const doc = this.doc;
    if (!doc) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.flush();
      const artifact = await this.session.call("artifacts.get", { id: doc.id });
      if (this.doc !== doc) return;
      if (this.unsaved(doc)) continue; // typed meanwhile, or not saved: never overwrite it
      if (!doc.binary && artifact.text === doc.savedText) {
        doc.artifact = { ...doc.artifact, ...artifact };
        this.showTitle(doc.artifact);
        return;
      }
      const [start, end] = [this.textarea.selectionStart, this.textarea.selectionEnd];
      this.show(artifact);
      if (!this.doc.binary) this.textarea.setSelectionRange(start, end);
      return;
    }
  }

  /** Update the header when the open document was renamed or moved. */
  retitle(artifact) {
    if (!this.doc || artifact.id !== this.doc.id) return;
    this.doc.artifact = { ...this.doc.artifact, ...artifact };
    this.showTitle(this.doc.artifact);
  }

  show(artifact) {
    this.clearTimer();
    this.loading = null;
    this.textarea.removeAttribute("aria-busy");
    // A document reopened before its earlier text was saved continues from that text.
    const earlier = this.detached.get(artifact.id);
    this.detached.delete(artifact.id);
    if (earlier) earlier.artifact = { ...earlier.artifact, ...artifact };
    this.doc = earlier || this.newDoc(artifact);
    const { kind, binary } = this.doc;
    const recovered = earlier || binary ? null : this.recoveredFor(artifact);
    const text = earlier ? earlier.text : recovered ?? this.doc.savedText;
    const app = $("#app");
    app.dataset.kind = kind;
    $("#empty").hidden = true;
    $("#doc").hidden = false;
    $("#doc-actions").hidden = false;
    $("#panes").hidden = binary;
    $("#binary").hidden = !binary;
    $("#doc-download").hidden = binary; // the file card has its own Download button
    this.showTitle(this.doc.artifact);
    this.card.clear();
    if (binary) {
      this.textarea.value = "";
      this.preview.clear();
      this.card.show(this.doc.artifact);
    } else {
      this.textarea.value = text;
      this.textarea.readOnly = this.readOnly;
      this.textarea.scrollTop = 0;
      this.textarea.setSelectionRange(0, 0);
      this.textarea.placeholder = kind === "markdown" ? "Start writing… Markdown works: # headings, **bold**, - lists" : "";
      if (kind === "markdown") {
        if (!earlier && typeof artifact.html === "string") this.preview.showEngineHtml(artifact.html);
        else this.preview.renderNow(text);
      } else {
        this.preview.clear();
      }
      if (earlier) this.saveSoon(0);
      if (recovered !== null) {
        this.onInput();
        this.saveSoon(0);
        this.announceRecovered(this.doc, this.doc.savedText);
      }
    }
    this.store.emit("save-status");
  }

  showTitle(a) {
    $("#doc-name").textContent = displayName(a);
    const folder = dirname(a.path || "/");
    $("#doc-crumbs").textContent = folder === "/" ? "" : folder.split("/").filter(Boolean).join(" / ");
    document.title = `${displayName(a)} — Quire`;
  }

  /** Show no document. What was typed into the open one is still saved. */
  close() {
    this.detach();
    this.card.clear();
    this.textarea.value = "";
    this.preview.clear();
    $("#doc").hidden = true;
    $("#doc-actions").hidden = true;
    $("#empty").hidden = !this.store.isReady();
    $("#doc-name").textContent = "Quire";
    $("#doc-crumbs").textContent = "";
    document.title = "Quire";
    delete $("#app").dataset.kind;
    this.store.emit("save-status");
  }

  focus() {
    const text = this.doc ? !this.doc.binary : Boolean(this.loading && !this.loading.binary);
    if (!text) return;
    this.showEditor();
    this.textarea.focus();
  }

  setReadOnly(readOnly) {
    this.readOnly = readOnly;
    this.textarea.readOnly = readOnly || Boolean(this.loading?.binary);
    if (readOnly) this.clearTimer();
  }

  /** Replace the whole text of the shown document (as an edit the user can undo). */
  setText(text) {
    this.textarea.value = text;
  }

  onInput() {
    this.keepUnsaved();
    // While a document opens, what is typed stays in the text area until it arrives.
    if (this.loading) { this.store.emit("save-status"); return; }
    if (!this.doc || this.doc.binary || this.readOnly) return;
    this.store.emit("save-status");
    if (this.doc.kind === "markdown") this.preview.update(this.textarea.value);
    this.saveSoon(SAVE_DELAY_MS);
  }

}
