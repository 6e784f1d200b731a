// The card shown for a file that is not text: what it is, its size, where its bytes are (while
// they wait or upload, looked at again every STATE_POLL_MS), Download and "Replace file…"
// buttons, and a thumbnail for images.

import { h, icon, replace, formatBytes, formatWhen } from "./dom.mjs";
import { readFile, fileState, FILES_CHANGED } from "./cloudfiles.mjs";
import { displayName, kindOf, iconFor, sizeOf } from "./kinds.mjs";

const IMAGE_PREVIEW_MAX = 8 * 1024 * 1024;
const STATE_POLL_MS = 1000;
const MOVING = new Set(["waiting", "uploading"]);

export class FileCard {
  /** `session`: {call()}; `download(artifact)`: what its Download button does; `replace(artifact)`:
   * its "Replace file…" button (web/ui/replacefile.mjs; none without it), disabled while
   * `store` (the page's Store) says this tab cannot write. */
  constructor({ session, download, replace = null, store = null }, el) {
    this.session = session;
    this.download = download;
    this.replace = replace;
    this.store = store;
    store?.on("role-changed", () => this.syncWritable());
    this.el = el;
    this.shownId = null;
    this.imageUrl = null;
    this.shown = null;
    window.addEventListener(FILES_CHANGED, () => { if (this.shown && this.shownId === this.shown.id) this.showState(this.shown, this.el); });
  }

  show(a) {
    this.clear();
    this.shownId = a.id;
    this.shown = a;
    const size = sizeOf(a);
    const card = h("div", { class: "file-card" },
      icon(iconFor(kindOf(a)), "icon file-icon"),
      h("h2", {}, displayName(a)),
      a.pending_upload ? h("span", { class: "pill" }, "Kept on this device — waiting to upload") : null,
      h("span", { class: "pill", id: "file-state", hidden: true }),
      h("dl", {},
        h("dt", {}, "Type"), h("dd", {}, a.mime_type || "unknown"),
        h("dt", {}, "Size"), h("dd", {}, formatBytes(size)),
        h("dt", {}, "Path"), h("dd", {}, a.path),
        a.updated_at ? [h("dt", {}, "Changed"), h("dd", {}, formatWhen(a.updated_at))] : null,
      ),
      h("div", { class: "file-actions" },
        h("button", { type: "button", class: "btn btn-primary", onclick: () => this.download(a) },
          icon("download"), "Download"),
        this.replace ? h("button", { type: "button", class: "btn", id: "file-replace", onclick: () => this.replace(a) },
          icon("upload"), "Replace file…") : null),
    );
    replace(this.el, card);
    this.syncWritable();
    this.showState(a, card);
    if ((a.mime_type || "").startsWith("image/") && a.mime_type !== "image/svg+xml" && (size ?? 0) <= IMAGE_PREVIEW_MAX) {
      this.showImage(a, card);
    }
  }

  /** "Replace file…" only where this tab may write (a read-only tab follows another). */
  syncWritable() {
    const button = this.el.querySelector("#file-replace");
    if (button && this.store) button.disabled = !this.store.canWrite();
  }

  async showImage(a, card) {
    try {
      const { data, mime_type: type } = await readFile(this.session, a.id);
      if (this.shownId !== a.id) return;
      this.imageUrl = URL.createObjectURL(new Blob([data], { type: type || a.mime_type }));
      card.querySelector(".file-icon")?.replaceWith(h("img", { src: this.imageUrl, alt: displayName(a) }));
    } catch { /* the card without a thumbnail is fine */ }
  }

  /** Where a large file's bytes are (on this device, uploading, in the cloud only). */
  async showState(a, card) {
    clearTimeout(this.stateTimer);
    try {
      const { state, text } = await fileState(this.session, a.id);
      const pill = card.querySelector("#file-state");
      if (this.shownId !== a.id || !text || !pill) return;
      const older = pill.previousElementSibling; // the upload flag the card was drawn with: the engine's word is newer
      if (older?.classList.contains("pill")) older.remove();
      pill.textContent = text;
      pill.hidden = false;
      // Waiting or uploading: look again until the bytes are in the cloud (a quick upload may end between the queue's looks).
      if (MOVING.has(state)) this.stateTimer = setTimeout(() => { if (this.shownId === a.id) this.showState(a, card); }, STATE_POLL_MS);
    } catch { /* a read-only tab: the card without it is fine */ }
  }

  clear() {
    clearTimeout(this.stateTimer);
    if (this.imageUrl) URL.revokeObjectURL(this.imageUrl);
    this.imageUrl = null;
    this.shownId = null;
    replace(this.el);
  }
}
