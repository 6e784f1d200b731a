// The open document: a text editor with autosave (Markdown gets a live preview), or an info
// card with a download button for binary files. Opening one is in opening.mjs, the note shown
// before the engine is ready in instantopen.mjs, saving in autosave.mjs: the Editor extends
// Opening, which extends InstantOpen, which extends Autosave.

import { $ } from "./dom.mjs";
import { showFrame, showTitle } from "./docframe.mjs";
import { EDITOR_LABEL, firstTextView } from "./firstview.mjs";
import { Preview } from "./preview.mjs";
import { FileCard } from "./filecard.mjs";
import { TextView } from "./textview.mjs";
import { linkCompletion } from "./linkcomplete.mjs";
import { Opening } from "./opening.mjs";
import { keepSnapshot, dropSnapshot } from "./snapshot.mjs";
import { freshTrack } from "./keptedits.mjs";

const SAVE_DELAY_MS = 400;

export class Editor extends Opening {
  /**
   * `session`: {call(), mutate()}; `store`: the page's Store (save-status, save-failed and
   * document-saved go out on it); `summaryOf(id)`: what the tree knows of a document;
   * `showEditor()`: leave the preview-only view; `download(artifact)`: a binary file's button;
   * `attachFiles(artifact, files)`: images pasted or dropped into a note → {markdown, done};
   * `replace(artifact)`: a binary file's "Replace file…" button.
   */
  constructor({ session, store, summaryOf, showEditor, download, attachFiles = null, replace = null }) {
    super();
    this.attachFiles = attachFiles;
    this.session = session;
    this.store = store;
    this.summaryOf = summaryOf;
    this.showEditor = showEditor;
    // The first screen's view, when the page showed the note open last before it was put
    // together (firstview.mjs): it is taken over as it is, text, caret and all.
    this.view = firstTextView() ?? new TextView($("#editor"), { label: EDITOR_LABEL });
    this.view.bind({
      onChange: (u) => this.onInput(u.changes),
      onBlur: () => this.saveSoon(0),
      complete: linkCompletion((method, params) => this.session.call(method, params), {
        refresh: () => this.view.refreshCompletion(),
      }),
      onFiles: (files, pos) => this.attach(files, pos),
    });
    this.preview = new Preview(session, $("#preview"));
    this.card = new FileCard({ session, download, replace, store }, $("#binary"));
    this.doc = null; // the shown document: {id, artifact, kind, savedText, binary, inFlight, failed, text}
    this.loading = null; // the document being opened: {id, binary, settled, done, typed}
    this.detached = new Map(); // id -> a document switched away from whose text is not saved yet
    this.readOnly = false;
    this.timer = null;

    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.save();
    });
    window.addEventListener("pagehide", () => {
      this.save();
      // The next load shows this document at once, with the text the engine last confirmed.
      if (this.doc && !this.doc.binary && !this.doc.provisional) keepSnapshot(this.doc.artifact, this.doc.savedText);
    });
    // Leaving while a save is not confirmed asks first (what was typed is in localStorage too).
    window.addEventListener("beforeunload", (event) => {
      if (!this.isDirty()) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  get current() { return this.doc; }

  /** The text in the editor now (of the shown document, or typed into one still opening). */
  text() { return this.view.text(); }

  // For the panes beside the editor (preview, search), on the shown document. Lines here are
  // 0-based, as the preview counts them (the TextView's are 1-based, as CodeMirror's).
  /** Replace line `n` (a task ticked in the preview): one undoable edit, saved as typing is. */
  replaceLine(n, text) {
    if (!this.doc || this.doc.binary || this.readOnly || this.loading) return false;
    this.view.replaceLine(n + 1, text);
    return true;
  }
  select(from, to = from) { this.view.select(from, to); }
  /** The main selection as [from, to] offsets into the text. */
  selection() { return this.view.selection(); }
  scrollToLine(n) { this.view.scrollToLine(Math.floor(n) + 1); }
  topLine() { return this.view.topLine() - 1; }
  /** The element that scrolls the text (the preview follows it in split view). */
  get scroller() { return this.view.scroller; }
  /** Call `fn(topLine)` when the editor scrolls; returns the function that stops it. */
  onScroll(fn) { return this.view.onScroll((line) => fn(line - 1)); }

  /**
   * Re-read the open document from the engine (after a restore, a rename, a move, another tab).
   * Unsaved typing is saved first; when the text did not change, the editor is left as it is.
   */
  async reload() {
    const doc = this.doc;
    if (!doc) return;
    if (doc.provisional) {
      this.adoptSnapshot(await this.session.call("artifacts.get", { id: doc.id }));
      return;
    }
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
      const [start, end] = this.view.selection();
      this.show(artifact);
      if (!this.doc.binary) this.view.select(start, end);
      return;
    }
  }

  /** Update the header when the open document was renamed or moved. */
  retitle(artifact) {
    if (!this.doc || artifact.id !== this.doc.id) return;
    this.doc.artifact = { ...this.doc.artifact, ...artifact };
    this.showTitle(this.doc.artifact);
  }

  /** `first`: the first screen's view, which shows the (provisional) document already. */
  show(artifact, { provisional = false, first = null } = {}) {
    this.clearTimer();
    this.loading = null;
    // A document reopened before its earlier text was saved continues from that text.
    const earlier = this.detached.get(artifact.id);
    this.detached.delete(artifact.id);
    if (earlier) earlier.artifact = { ...earlier.artifact, ...artifact };
    this.doc = earlier || this.newDoc(artifact);
    this.doc.provisional = provisional;
    const { kind, binary } = this.doc;
    // What the first screen kept of its typing is the edits it hands over, not a recovery.
    const recovered = earlier || binary || first ? null : this.recoveredFor(artifact);
    const text = earlier ? earlier.text : recovered ?? this.doc.savedText;
    showFrame(kind);
    $("#doc-download").hidden = binary; // the file card has its own Download button
    this.showTitle(this.doc.artifact);
    this.card.clear();
    if (binary) {
      this.view.load(null, "");
      this.view.applySettings({ busy: false, readOnly: true, placeholder: "" });
      this.preview.clear();
      this.card.show(this.doc.artifact);
    } else {
      this.view.applySettings({
        busy: false, readOnly: this.readOnly,
        placeholder: kind === "markdown" ? "Start writing… Markdown works: # headings, **bold**, - lists" : "",
      });
      // The document's own undo history comes back with it (a changed text is one more edit).
      this.loadView(earlier ? earlier.text : this.doc.savedText, first);
      this.primeBase(this.doc);
      if (recovered !== null) this.view.setText(recovered);
      if (!provisional) keepSnapshot(this.doc.artifact, this.doc.savedText);
      if (provisional) {
        this.preview.clear(); // the renderer is the engine's: it comes when the engine is ready
      } else if (kind === "markdown") {
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
        // Said again once the engine is ready (a slow start can outlast the note).
        if (provisional) this.doc.recoveredOver = this.doc.savedText;
      }
    }
    this.store.emit("save-status");
  }

  /** Put the shown document's text in the view (`first`: the first screen's view has it). */
  loadView(loaded, first) {
    if (first) {
      this.doc.savedDoc = first.savedDoc;
      this.doc.track = freshTrack(first.empty);
      if (first.bases.length) this.doc.carried = first.bases;
      return;
    }
    this.view.load(this.doc.id, loaded);
    // Whether the shown text is the saved one is then told by identity (see autosave.mjs).
    this.doc.savedDoc = loaded === this.doc.savedText ? this.view.docRef : null;
    this.doc.track = this.doc.savedDoc ? freshTrack(this.view.emptyChanges()) : null;
  }

  showTitle(a) { showTitle(a); }

  /** Show no document. What was typed into the open one is still saved. */
  close() {
    this.detach();
    dropSnapshot();
    this.card.clear();
    this.view.load(null, "");
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
    this.view.focus();
  }

  setReadOnly(readOnly) {
    this.readOnly = readOnly;
    this.view.setReadOnly(readOnly || Boolean(this.loading?.binary) || Boolean(this.doc?.binary));
    if (readOnly) this.clearTimer();
  }

  /** Images pasted or dropped into the open note: files beside it, and links to them here. */
  attach(files, pos) {
    const images = files.filter((f) => f.type.startsWith("image/"));
    if (!images.length || !this.attachFiles || !this.doc || this.doc.binary || this.readOnly || this.loading) return false;
    const { markdown, done } = this.attachFiles(this.doc.artifact, images);
    this.view.insert(markdown, pos);
    this.attaching = done;
    return true;
  }

  /** Replace the whole text of the shown document (as an edit the user can undo). */
  setText(text) {
    this.view.setText(text);
  }

  /** The text changed (`changes`: CodeMirror's ChangeSet, when the edit is known). */
  onInput(changes = null) {
    this.keepUnsaved(changes);
    // While a document opens, what is typed stays in the text area until it arrives.
    if (this.loading) { this.store.emit("save-status"); return; }
    if (!this.doc || this.doc.binary || this.readOnly) return;
    this.store.emit("save-status");
    // The preview reads the text only when it renders (debounced, and only while visible).
    if (this.doc.kind === "markdown") this.preview.update(() => this.view.text(), { length: this.view.length });
    this.saveSoon(SAVE_DELAY_MS);
  }
}
