// The notice of a merge conflict from sync: a note both devices changed in the same lines. The
// engine kept this device's text current and the other device's as a version marked "conflict"
// (and an activity entry); the notice says so in words and opens the note's history.

import { $, h, icon, basename } from "./dom.mjs";

const MAX_NOTICES = 3;

export class ConflictNotice {
  /** `history(artifact)`: opens a note's history; `tree`: {byId(id)} for the note's summary. */
  constructor({ history, tree }) {
    this.history = history;
    this.tree = tree;
  }

  announce(conflicts) {
    const banners = $("#banners");
    for (const { artifact_id: id, path } of conflicts) {
      banners.querySelector(`.sync-conflict[data-id="${CSS.escape(id || "")}"]`)?.remove();
      banners.append(this.notice(id, path || ""));
    }
    const all = banners.querySelectorAll(".sync-conflict");
    for (let i = 0; i < all.length - MAX_NOTICES; i++) all[i].remove();
  }

  notice(id, path) {
    const row = h("section", { class: "banner banner-info sync-conflict", dataset: { id }, "aria-label": "Sync conflict" },
      h("p", {}, h("strong", {}, `“${basename(path)}” was changed on two devices. `),
        "Both texts are kept: this one is current, the other is a conflict version in its history."),
      h("button", { type: "button", class: "btn", onclick: () => this.open(id, row) }, "Open history"),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Dismiss", onclick: () => row.remove() }, icon("close")));
    return row;
  }

  open(id, row) {
    const artifact = this.tree.byId(id);
    if (artifact) this.history(artifact);
    row.remove();
  }
}
