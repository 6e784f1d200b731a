// The workspace as the page shows it: reading the tree again, opening a document, re-reading the
// open one. Emits workspace-changed, document-opening and document-opened on the store.

import { reportError } from "./notifications.mjs";

const OPEN_KEY = "quire.open";
const SUMMARY_KEYS = ["path", "name", "size_bytes", "updated_at", "mime_type", "hash"];

export class Documents {
  /** `session`: {call()}; `tree`: the sidebar Tree; `editor`: the Editor. */
  constructor({ store, session, tree, editor }) {
    this.store = store;
    this.session = session;
    this.tree = tree;
    this.editor = editor;
    // A saved document's new size, time and hash go into the tree's listing without a re-read.
    store.on("document-saved", ({ artifact }) => this.patchListing(artifact));
  }

  /** Read the tree again and show it; the open document is closed if it is gone. */
  async refreshTree() {
    try {
      const data = await this.session.call("tree.list", {});
      this.tree.render(data);
      const open = this.editor.current;
      if (open && !this.tree.byId(open.id)) this.editor.close();
      this.store.emit("workspace-changed", this.tree.data);
    } catch (err) {
      reportError(err, "Could not list documents");
    }
  }

  /** Open a document (`artifact`: its content, when the caller has it already). */
  async open(id, { focus = false, artifact = null } = {}) {
    this.store.emit("document-opening", { id });
    if (!this.store.canRead()) return;
    try {
      const doc = await this.editor.open(id, { focus, artifact });
      if (!doc) return;
      this.tree.select({ type: "artifact", id });
      const a = this.tree.byId(id);
      if (a) this.tree.reveal(a.path);
      try { localStorage.setItem(OPEN_KEY, id); } catch { /* private mode */ }
      this.store.emit("document-opened", { id });
    } catch (err) {
      reportError(err, "Could not open the document");
    }
  }

  /**
   * Open the document that was open when the page was last closed, if it still exists. It runs
   * once the page is ready, after the tree is read: a document the user opened or began meanwhile
   * (New document right after the page is ready) stays open, with what is typed into it.
   */
  async openLast() {
    if (this.editor.current || this.editor.loading) return;
    let last = null;
    try { last = localStorage.getItem(OPEN_KEY); } catch { /* blocked storage */ }
    if (last && this.tree.byId(last)) await this.open(last);
    else this.editor.close();
  }

  /** Re-read the open document (after a restore, a rename or move of its folder, another tab). */
  reloadOpen() {
    if (!this.editor.current) return null;
    return this.editor.reload().catch((e) => reportError(e, "Could not reload the document"));
  }

  /** The tree item for the open document, for the toolbar's actions (null when none is open). */
  openItem() {
    const doc = this.editor.current;
    return doc ? { type: "artifact", id: doc.id, path: doc.artifact.path, artifact: doc.artifact } : null;
  }

  patchListing(artifact) {
    const list = this.tree.data.artifacts;
    const i = list.findIndex((a) => a.id === artifact.id);
    if (i < 0) return;
    const patch = {};
    for (const k of SUMMARY_KEYS) if (artifact[k] !== undefined) patch[k] = artifact[k];
    list[i] = { ...list[i], ...patch };
  }
}
