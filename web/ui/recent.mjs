// Recent notes: the documents opened last on this device, newest first (kept in localStorage,
// only ids), topped up with the documents edited last; and the "Recent notes" picker.

import { displayName } from "./kinds.mjs";
import { fuzzyFilter } from "./fuzzy.mjs";
import { openPicker } from "./picker.mjs";
import { noteEntry } from "./palette.mjs";

const KEY = "quire.recent";
const KEPT = 30;

export class Recent {
  /** `tree`: the sidebar Tree (what exists); every `document-opened` joins the list. */
  constructor({ store, tree }) {
    this.tree = tree;
    store.on("document-opened", ({ id }) => this.add(id));
  }

  ids() {
    try {
      const ids = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids.filter((x) => typeof x === "string") : [];
    } catch { return []; }
  }

  add(id) {
    const ids = [id, ...this.ids().filter((x) => x !== id)].slice(0, KEPT);
    try { localStorage.setItem(KEY, JSON.stringify(ids)); } catch { /* private mode: not kept */ }
  }

  /** Up to `limit` live documents: opened last first, then edited last. */
  notes(limit = 10) {
    const opened = this.ids().map((id) => this.tree.byId(id)).filter(Boolean);
    const seen = new Set(opened.map((a) => a.id));
    const edited = this.tree.artifacts().filter((a) => !seen.has(a.id))
      .sort((a, b) => (b.updated_at || 0) - (a.updated_at || 0));
    return opened.concat(edited).slice(0, limit);
  }
}

/** The "Recent notes" picker: filter by name, Enter opens. */
export function openRecent({ recent, tree, documents }) {
  openPicker({
    label: "Recent notes",
    placeholder: "Recent notes — type to filter…",
    empty: "No recent note matches.",
    entries(query) {
      const notes = recent.notes(KEPT);
      const items = query.trim()
        ? fuzzyFilter(notes, query, displayName).map((m) => noteEntry(m.item, documents, tree, m.positions, { when: true }))
        : notes.map((a) => noteEntry(a, documents, tree, undefined, { when: true }));
      return [{ title: "Recent", items }];
    },
  });
}
