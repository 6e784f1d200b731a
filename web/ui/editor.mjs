// The open document: a text editor with autosave (Markdown gets a live preview), or an info
// card with a download button for binary files.
//
// Autosave: typing schedules a save (debounced); blur, hiding the page and Ctrl+S save at once.
// Only one update is in flight per document; whatever is typed meanwhile is sent right after,
// so no keystroke is lost. The status says "Saved" only after the engine call resolved, which
// happens once the change is durable in IndexedDB.

import { $, h, icon, replace, formatBytes, formatWhen, dirname } from "./dom.mjs";
import { displayName, kindOf, iconFor, sizeOf } from "./kinds.mjs";
import { Preview } from "./preview.mjs";

const SAVE_DELAY_MS = 400;
const IMAGE_PREVIEW_MAX = 8 * 1024 * 1024;

export class Editor {
  constructor(ctx) {
    this.ctx = ctx;
    this.textarea = $("#editor");
    this.preview = new Preview(ctx.engine, $("#preview"));
    this.doc = null; // {id, artifact, kind, savedText, binary}
    this.inFlight = null;
    this.failed = null;
    this.readOnly = false;
    this.timer = null;
    this.imageUrl = null;
    this.loadSeq = 0;

    this.textarea.addEventListener("input", () => this.onInput());
    this.textarea.addEventListener("blur", () => this.saveSoon(0));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.save();
    });
    window.addEventListener("pagehide", () => this.save());
  }

  get current() { return this.doc; }

  /** True while something typed is not yet confirmed durable. */
  isDirty() {
    return Boolean(this.doc && !this.doc.binary && (this.inFlight || this.textarea.value !== this.doc.savedText));
  }

  hasError() { return Boolean(this.failed); }

  async open(id, { focus = false } = {}) {
    if (this.doc && this.doc.id === id) { if (focus) this.focus(); return this.doc; }
    await this.flush();
    const seq = ++this.loadSeq;
    const artifact = await this.ctx.engine.call("artifacts.get", { id });
    if (seq !== this.loadSeq) return null; // another open() won the race
    this.show(artifact);
    if (focus) this.focus();
    return this.doc;
  }

  /** Re-read the open document from the engine (after a restore, a rename, a move). */
  async reload() {
    if (!this.doc) return;
    const artifact = await this.ctx.engine.call("artifacts.get", { id: this.doc.id });
    const keepCaret = this.textarea.selectionStart;
    this.show(artifact);
    if (!this.doc.binary) this.textarea.setSelectionRange(keepCaret, keepCaret);
  }

  /** Update the header when the open document was renamed or moved. */
  retitle(artifact) {
    if (!this.doc || artifact.id !== this.doc.id) return;
    this.doc.artifact = { ...this.doc.artifact, ...artifact };
    this.showTitle();
  }

  show(artifact) {
    this.clearTimer();
    this.failed = null;
    const text = typeof artifact.text === "string" ? artifact.text : null;
    const kind = text === null ? "binary" : kindOf(artifact) === "markdown" ? "markdown" : "text";
    this.doc = { id: artifact.id, artifact, kind, savedText: text, binary: text === null };
    const app = $("#app");
    app.dataset.kind = kind;
    $("#empty").hidden = true;
    $("#doc").hidden = false;
    $("#doc-actions").hidden = false;
    $("#panes").hidden = this.doc.binary;
    $("#binary").hidden = !this.doc.binary;
    $("#doc-download").hidden = this.doc.binary; // the file card has its own Download button
    this.showTitle();
    this.revokeImage();
    if (this.doc.binary) {
      this.textarea.value = "";
      this.preview.clear();
      this.renderFileCard(artifact);
    } else {
      this.textarea.value = text;
      this.textarea.readOnly = this.readOnly;
      this.textarea.scrollTop = 0;
      this.textarea.setSelectionRange(0, 0);
      this.textarea.placeholder = kind === "markdown" ? "Start writing… Markdown works: # headings, **bold**, - lists" : "";
      if (kind === "markdown") {
        if (typeof artifact.html === "string") this.preview.showEngineHtml(artifact.html);
        else this.preview.renderNow(text);
      } else {
        this.preview.clear();
      }
    }
    this.ctx.saveStateChanged();
  }

  showTitle() {
    const a = this.doc.artifact;
    $("#doc-name").textContent = displayName(a);
    const folder = dirname(a.path);
    $("#doc-crumbs").textContent = folder === "/" ? "" : folder.split("/").filter(Boolean).join(" / ");
    document.title = `${displayName(a)} — Quire`;
  }

  renderFileCard(a) {
    const size = sizeOf(a);
    const card = h("div", { class: "file-card" },
      icon(iconFor(kindOf(a)), "icon file-icon"),
      h("h2", {}, displayName(a)),
      a.pending_upload ? h("span", { class: "pill" }, "Kept on this device — waiting to upload") : null,
      h("dl", {},
        h("dt", {}, "Type"), h("dd", {}, a.mime_type || "unknown"),
        h("dt", {}, "Size"), h("dd", {}, formatBytes(size)),
        h("dt", {}, "Path"), h("dd", {}, a.path),
        a.updated_at ? [h("dt", {}, "Changed"), h("dd", {}, formatWhen(a.updated_at))] : null,
      ),
      h("button", { type: "button", class: "btn btn-primary", onclick: () => this.ctx.download(a) },
        icon("download"), "Download"),
    );
    replace($("#binary"), card);
    if ((a.mime_type || "").startsWith("image/") && a.mime_type !== "image/svg+xml" && (size ?? 0) <= IMAGE_PREVIEW_MAX) {
      this.showImage(a, card);
    }
  }

  async showImage(a, card) {
    try {
      const { data, mime_type: type } = await this.ctx.engine.call("artifacts.download", { id: a.id });
      if (!this.doc || this.doc.id !== a.id) return;
      this.imageUrl = URL.createObjectURL(new Blob([data], { type: type || a.mime_type }));
      card.querySelector(".file-icon")?.replaceWith(h("img", { src: this.imageUrl, alt: displayName(a) }));
    } catch { /* the card without a thumbnail is fine */ }
  }

  revokeImage() {
    if (this.imageUrl) URL.revokeObjectURL(this.imageUrl);
    this.imageUrl = null;
  }

  close() {
    this.clearTimer();
    this.doc = null;
    this.revokeImage();
    this.textarea.value = "";
    this.preview.clear();
    $("#doc").hidden = true;
    $("#doc-actions").hidden = true;
    $("#empty").hidden = !this.ctx.isReady();
    $("#doc-name").textContent = "Quire";
    $("#doc-crumbs").textContent = "";
    document.title = "Quire";
    delete $("#app").dataset.kind;
    this.ctx.saveStateChanged();
  }

  focus() {
    if (this.doc && !this.doc.binary) {
      if ($("#app").dataset.view === "preview") this.ctx.setView("split");
      this.textarea.focus();
    }
  }

  setReadOnly(readOnly) {
    this.readOnly = readOnly;
    this.textarea.readOnly = readOnly;
    if (readOnly) this.clearTimer();
  }

  onInput() {
    if (!this.doc || this.doc.binary || this.readOnly) return;
    this.ctx.saveStateChanged();
    if (this.doc.kind === "markdown") this.preview.update(this.textarea.value);
    this.saveSoon(SAVE_DELAY_MS);
  }

  saveSoon(ms) {
    this.clearTimer();
    if (!this.isDirty()) return;
    this.timer = setTimeout(() => this.save(), ms);
  }

  clearTimer() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Send the current text if it changed. Resolves when that text is durable (or the save failed).
   * While an update is in flight, the newest text is queued and sent as soon as it returns.
   */
  save() {
    this.clearTimer();
    const doc = this.doc;
    if (!doc || doc.binary || this.readOnly) return Promise.resolve();
    if (this.inFlight) return this.inFlight.then(() => (this.doc === doc ? this.save() : undefined));
    const content = this.textarea.value;
    if (content === doc.savedText) return Promise.resolve();
    this.inFlight = this.ctx.mutate("artifacts.update", { id: doc.id, content }, { context: "Saving failed", quiet: true })
      .then((artifact) => {
        doc.savedText = content;
        this.failed = null;
        if (artifact && typeof artifact === "object") {
          doc.artifact = { ...doc.artifact, ...artifact };
          this.ctx.artifactChanged(doc.artifact);
        }
      }, (err) => {
        this.failed = err;
        this.ctx.saveFailed(err);
      })
      .finally(() => {
        this.inFlight = null;
        // Keystrokes that arrived during the save go out now.
        if (this.doc === doc && !this.failed && this.textarea.value !== doc.savedText) this.save();
        this.ctx.saveStateChanged();
      });
    this.ctx.saveStateChanged();
    return this.inFlight;
  }

  /** Save until nothing is pending (used before switching documents or handing over the workspace). */
  async flush() {
    for (let i = 0; i < 5 && this.isDirty() && !this.readOnly; i++) {
      await this.save();
      if (this.failed) break;
    }
  }
}
