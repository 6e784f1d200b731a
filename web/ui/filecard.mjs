// The card shown for a file that is not text: what it is, its size, whether it still waits to
// be uploaded, a Download button, and a thumbnail for images.

import { h, icon, replace, formatBytes, formatWhen } from "./dom.mjs";
import { displayName, kindOf, iconFor, sizeOf } from "./kinds.mjs";

const IMAGE_PREVIEW_MAX = 8 * 1024 * 1024;

export class FileCard {
  /** `session`: {call()}; `download(artifact)`: what its Download button does. */
  constructor({ session, download }, el) {
    this.session = session;
    this.download = download;
    this.el = el;
    this.shownId = null;
    this.imageUrl = null;
  }

  show(a) {
    this.clear();
    this.shownId = a.id;
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
      h("button", { type: "button", class: "btn btn-primary", onclick: () => this.download(a) },
        icon("download"), "Download"),
    );
    replace(this.el, card);
    if ((a.mime_type || "").startsWith("image/") && a.mime_type !== "image/svg+xml" && (size ?? 0) <= IMAGE_PREVIEW_MAX) {
      this.showImage(a, card);
    }
  }

  async showImage(a, card) {
    try {
      const { data, mime_type: type } = await this.session.call("artifacts.download", { id: a.id });
      if (this.shownId !== a.id) return;
      this.imageUrl = URL.createObjectURL(new Blob([data], { type: type || a.mime_type }));
      card.querySelector(".file-icon")?.replaceWith(h("img", { src: this.imageUrl, alt: displayName(a) }));
    } catch { /* the card without a thumbnail is fine */ }
  }

  clear() {
    if (this.imageUrl) URL.revokeObjectURL(this.imageUrl);
    this.imageUrl = null;
    this.shownId = null;
    replace(this.el);
  }
}
