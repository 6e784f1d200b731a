// One tab owns the workspace (so notes never fork): the banner that says it is open in another
// tab, the read-only state while it is, and "Use here" to take it over.

import { $ } from "./dom.mjs";
import { setSaveState, reportError } from "./notifications.mjs";

export class Ownership {
  /** `engine`: {takeOver()}, its "ownership" events; `editor`: {save()}. */
  constructor({ store, engine, editor }) {
    this.store = store;
    this.engine = engine;
    this.editor = editor;
    engine.addEventListener("ownership", (e) => this.change(e.detail?.state));
    $("#use-here").addEventListener("click", () => this.useHere());
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
    });
  }

  owned(before) {
    $("#ownership-banner").hidden = true;
    if (before === "released") {
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
    setSaveState("readonly", { message: "Open in another tab" });
    const tree = $("#tree");
    tree.removeAttribute("aria-busy");
    tree.replaceChildren();
  }

  released() {
    this.editor.save();
    $("#ownership-text").textContent = "This workspace is open in another tab. This tab is read-only now — use it here to keep editing.";
    $("#ownership-banner").hidden = false;
  }

  async useHere() {
    const btn = $("#use-here");
    btn.disabled = true;
    btn.textContent = "Taking over…";
    if (!this.store.state.booted) {
      $("#empty").hidden = true;
      $("#boot").hidden = false;
    }
    try {
      await this.engine.takeOver();
    } catch (err) {
      btn.disabled = false;
      btn.textContent = "Use here";
      reportError(err, "Could not take over the workspace");
    }
  }
}
