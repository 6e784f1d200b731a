// One tab owns the workspace (so notes never fork): the banner that says it is open in another
// tab, the read-only state while it is, and "Use here" to take it over. Meanwhile this tab shows
// the workspace read-only, its reads answered by the owning tab, and follows what that tab
// saves; when the owning tab goes away, this one offers to take over at once.

import { $ } from "./dom.mjs";
import { setSaveState, reportError, hideTask } from "./notifications.mjs";

export class Ownership {
  /**
   * `engine`: {takeOver()}, its "ownership" and "peer-changed" events; `editor`: {save()};
   * `documents`: {refreshTree(), reloadOpen(), openLast()}, to show what the owning tab has.
   */
  constructor({ store, engine, editor, documents }) {
    this.store = store;
    this.engine = engine;
    this.editor = editor;
    this.documents = documents;
    engine.addEventListener("ownership", (e) => this.change(e.detail?.state));
    engine.addEventListener("peer-changed", () => this.follow());
    $("#use-here").addEventListener("click", () => this.useHere());
  }

  /** The owning tab changed the workspace: show what it saved (this tab is read-only). */
  async follow() {
    if (this.store.state.ownership === "owner") return;
    await this.view({ first: !this.store.state.booted && !this.editor.current });
  }

  /**
   * Show the workspace read-only from the owning tab (the tree, and the open document again or,
   * the first time, the one open last); false when no tab answers (one that is taking over
   * answers once it runs, and says so: then this runs again).
   */
  async view({ first }) {
    try {
      await this.engine.read("tree.list", {});
    } catch {
      return false;
    }
    if (this.store.state.ownership === "owner") return false;
    this.store.set({ viewing: true });
    await this.documents.refreshTree();
    if (first) {
      $("#empty").hidden = true;
      await this.documents.openLast();
    } else {
      await this.documents.reloadOpen();
    }
    return true;
  }

  /** The engine says who owns the workspace now: "owner" | "elsewhere" | "released". */
  change(next) {
    const { store } = this;
    // The role's listeners (controls, editor, status) run once, after the banner is up to date.
    store.batch(() => {
      const before = store.state.ownership;
      store.set({ ownership: next });
      const btn = $("#use-here");
      btn.disabled = false;
      btn.textContent = "Use here";
      if (next === "owner") this.owned(before);
      else if (next === "elsewhere") this.elsewhere();
      else if (next === "released") this.released();
      else if (next === "free") this.free();
    });
  }

  owned(before) {
    $("#ownership-banner").hidden = true;
    this.store.set({ viewing: false });
    if (before === "released" || before === "free" || this.store.state.booted) {
      // Nothing is editable until the engine runs here again and shows what the other tab saved.
      this.store.set({ ready: false });
      setSaveState("loading", { message: "Opening…" });
    }
  }

  elsewhere() {
    $("#ownership-text").textContent = "This workspace is open in another tab. Use it here to edit in this tab; the other tab saves its work and steps aside.";
    $("#ownership-banner").hidden = false;
    if (this.store.state.booted) return;
    $("#boot").hidden = true;
    $("#empty-title").textContent = "Open in another tab";
    $("#empty-text").textContent = "Quire edits a workspace in one tab at a time, so your notes never fork. Choose “Use here” to continue in this tab.";
    $("#empty").hidden = false;
    setSaveState("readonly", { message: "Read-only: open in another tab" });
    const tree = $("#tree");
    tree.removeAttribute("aria-busy");
    if (!this.store.state.viewing) {
      tree.replaceChildren();
      this.view({ first: true });
    }
  }

  free() {
    $("#ownership-text").textContent = "The tab that had this workspace open has closed. Use it here to keep working.";
    $("#ownership-banner").hidden = false;
    setSaveState("readonly", { message: "Read-only: not open in any tab" });
  }

  released() {
    this.editor.save();
    $("#ownership-text").textContent = "This workspace is open in another tab. This tab is read-only now — use it here to keep editing.";
    $("#ownership-banner").hidden = false;
    // From now on the tab that took over answers this tab's reads, and says what it saves.
    this.view({ first: false });
  }

  async useHere() {
    const btn = $("#use-here");
    btn.disabled = true;
    btn.textContent = "Taking over…";
    const emptyShown = !$("#empty").hidden;
    if (!this.store.state.booted) {
      $("#empty").hidden = true;
      $("#boot").hidden = false;
    }
    try {
      await this.engine.takeOver();
    } catch (err) {
      // Still read-only here (the other tab keeps the workspace): back to what was shown.
      btn.disabled = false;
      btn.textContent = "Use here";
      if (this.store.state.booted) {
        hideTask();
      } else {
        $("#boot").hidden = true;
        $("#empty").hidden = !emptyShown;
      }
      reportError(err, "Could not take over the workspace");
    }
  }
}
