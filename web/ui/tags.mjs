// The sidebar's tag list: every tag with the number of notes that carry it (nested tags under
// their parent, whose count includes them), from the engine's tag index. A click on a tag lists
// its notes; a click on a note opens it.

import { h, replace, debounce, dirname } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { reportError } from "./notifications.mjs";

const OPEN_KEY = "quire.tags-open";

export class TagList {
  /** `session`: {call()}; `open(id)`: opens a document. */
  constructor({ store, session, open }) {
    this.store = store;
    this.session = session;
    this.open = open;
    this.list = h("ul", { class: "tag-list", role: "list", "aria-label": "Tags" });
    this.total = h("span", { class: "links-count" });
    this.box = h("details", { class: "side-tags", id: "side-tags", open: localStorage.getItem(OPEN_KEY) !== "closed", hidden: true },
      h("summary", {}, "Tags ", this.total), this.list);
    this.box.addEventListener("toggle", () => {
      try { localStorage.setItem(OPEN_KEY, this.box.open ? "open" : "closed"); } catch { /* private mode */ }
    });
    const nav = document.querySelector("#sidebar .side-nav");
    nav.before(this.box);
    const later = debounce(() => this.refresh(), 600);
    store.on("workspace-changed", () => this.refresh());
    store.on("document-saved", later);
    store.on("role-changed", () => this.refresh());
  }

  async refresh() {
    if (!this.store.canRead()) return;
    let tags;
    try { tags = await this.session.call("tags.list", {}); } catch { return; }
    this.box.hidden = !tags.length;
    this.total.textContent = tags.length ? String(countAll(tags)) : "";
    replace(this.list, tags.map((t) => this.row(t, 0)));
  }

  row(tag, depth) {
    return [h("li", { class: "tag-row" },
      h("button", {
        type: "button", class: "tag-btn", style: { "--depth": depth },
        "aria-label": `#${tag.tag}, ${tag.count} note${tag.count === 1 ? "" : "s"}`,
        onclick: () => this.showNotes(tag),
      }, h("span", { class: "tag-name" }, `#${depth ? tag.name : tag.tag}`), h("span", { class: "tag-count" }, String(tag.count)))),
    ...tag.children.map((c) => this.row(c, depth + 1))];
  }

  async showNotes(tag) {
    let notes;
    try { notes = await this.session.call("tags.notes", { tag: tag.tag }); } catch (err) {
      reportError(err, "Could not list the notes of this tag");
      return;
    }
    const d = openDialog({
      title: `#${tag.tag}`, size: "medium",
      body: [h("p", { class: "hint" }, `${notes.length} note${notes.length === 1 ? "" : "s"} tagged #${tag.tag}${tag.children.length ? " or a tag below it" : ""}.`),
        h("ul", { class: "list", "aria-label": `Notes tagged #${tag.tag}` }, notes.map((n) => h("li", { class: "list-row" },
          h("button", { type: "button", class: "list-main list-open", onclick: () => { d.close(); this.open(n.id); } },
            h("div", { class: "list-title" }, n.name.replace(/\.md$/i, "")),
            h("div", { class: "list-meta" }, `${dirname(n.path)} · #${n.tag}`)))))],
    });
  }
}

function countAll(tags) {
  return tags.reduce((n, t) => n + 1 + countAll(t.children), 0);
}
