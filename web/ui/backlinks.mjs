// The links panel under a Markdown note: "Linked from" (each note that links here, with the
// sentence around each link) and "Unlinked mentions" (notes that name it without a link, read
// only when that section is opened). Both come from the engine's link index.

import { h, replace, dirname } from "./dom.mjs";

const OPEN_KEY = "quire.links-panel";

/** One entry per sentence (two links in one sentence show it once, both marked). */
function bySentence(contexts) {
  const out = new Map();
  for (const c of contexts) {
    const key = `${c.line}\u0000${c.text}`;
    if (!out.has(key)) out.set(key, { text: c.text, spans: [] });
    if (c.start >= 0 && c.end <= c.text.length && c.start < c.end) out.get(key).spans.push([c.start, c.end]);
  }
  return [...out.values()];
}

/** A sentence with the links (or mentions) in it marked. */
function sentence({ text, spans }) {
  const parts = [];
  let at = 0;
  for (const [start, end] of spans.sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    parts.push(text.slice(at, start), h("mark", {}, text.slice(start, end)));
    at = end;
  }
  parts.push(text.slice(at));
  return h("p", { class: "links-context" }, parts);
}

function noteRows(entries, open, label) {
  if (!entries.length) return h("p", { class: "links-empty" }, label);
  return h("ul", { class: "links-list" }, entries.map(({ source, contexts: all }) => {
    const contexts = bySentence(all);
    return h("li", { class: "links-item" },
      h("button", {
        type: "button", class: "links-note", title: source.path,
        onclick: () => open(source.id),
      }, h("span", { class: "links-name" }, source.name.replace(/\.md$/i, "")),
      h("span", { class: "links-folder" }, dirname(source.path) === "/" ? "" : dirname(source.path))),
      contexts.slice(0, 5).map(sentence),
      contexts.length > 5 ? h("p", { class: "links-more" }, `and ${contexts.length - 5} more in this note`) : null,
    );
  }));
}

export class LinksPanel {
  /** `session`: {call()}; `open(id)`: opens a document; shown for the open Markdown note. */
  constructor({ store, session, editor, open }) {
    this.store = store;
    this.session = session;
    this.editor = editor;
    this.open = open;
    this.shownId = null;
    this.asked = 0; // answers to older questions are dropped
    this.count = h("span", { class: "links-count" });
    this.linked = h("div", { class: "links-body" });
    this.mentions = h("div", { class: "links-body" });
    this.mentionCount = h("span", { class: "links-count" });
    this.linkedBox = h("details", { class: "links-section", open: localStorage.getItem(OPEN_KEY) !== "closed" },
      h("summary", {}, "Linked from ", this.count), this.linked);
    this.linkedBox.addEventListener("toggle", () => {
      try { localStorage.setItem(OPEN_KEY, this.linkedBox.open ? "open" : "closed"); } catch { /* private mode */ }
    });
    this.mentionBox = h("details", { class: "links-section" },
      h("summary", {}, "Unlinked mentions ", this.mentionCount), this.mentions);
    this.mentionBox.addEventListener("toggle", () => { if (this.mentionBox.open) this.loadMentions(); });
    this.el = h("aside", { class: "links-panel", id: "links-panel", "aria-label": "Links to this note", hidden: true },
      this.linkedBox, this.mentionBox);
    document.getElementById("doc").append(this.el);
    store.on("document-opened", () => this.refresh());
    store.on("workspace-changed", () => this.refresh());
    store.on("role-changed", () => this.refresh());
  }

  /** The open note, when it is a Markdown note the engine can answer about. */
  target() {
    const doc = this.editor.current;
    const kind = document.getElementById("app").dataset.kind;
    return doc && kind === "markdown" && this.store.canRead() ? doc.id : null;
  }

  async refresh() {
    const id = this.target();
    const asked = ++this.asked;
    if (!id) { this.el.hidden = true; this.shownId = null; return; }
    let res;
    try {
      res = await this.session.call("links.backlinks", { id, mentions: false });
    } catch {
      if (asked === this.asked) this.el.hidden = true; // a note that just went away
      return;
    }
    const doc = this.editor.current;
    if (asked !== this.asked || !doc || doc.id !== id) return; // it moved on meanwhile
    const changed = this.shownId !== id;
    this.shownId = id;
    this.count.textContent = String(res.linked.length);
    const name = (doc.artifact?.name || "").replace(/\.md$/i, "");
    replace(this.linked, noteRows(res.linked, this.open, `No other note links here yet. Write [[${name}]] in one.`));
    if (changed) {
      this.mentionCount.textContent = "";
      replace(this.mentions);
      this.mentionBox.open = false;
    } else if (this.mentionBox.open) {
      this.loadMentions();
    }
    this.el.hidden = false;
  }

  async loadMentions() {
    const id = this.shownId;
    if (!id) return;
    replace(this.mentions, h("p", { class: "links-empty" }, "Looking…"));
    let res;
    try {
      res = await this.session.call("links.backlinks", { id, mentions: true });
    } catch { return; }
    if (this.shownId !== id) return;
    this.mentionCount.textContent = String(res.mentions.length);
    replace(this.mentions, noteRows(res.mentions, this.open, "No note names it without a link."));
  }
}
