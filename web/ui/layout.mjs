// The page's layout: the view of a Markdown document (edit, split, preview; a narrow window has
// no room for split), the sidebar as a drawer in narrow windows, and the controls that need a
// ready engine or a writable tab (`data-needs="read" | "ready" | "write"`; "read" also works in a tab that shows another tab's workspace), kept in step with the role.

import { $ } from "./dom.mjs";

const VIEW_KEY = "quire.view";
const VIEWS = ["edit", "split", "preview"];

/** The view the user chose last time (split for a first visit). */
export function savedView() {
  try { return localStorage.getItem(VIEW_KEY) || "split"; } catch { return "split"; }
}

export class Layout {
  /** `editor`: {setReadOnly(readOnly)}, told when the tab may or may not write. */
  constructor({ store, editor }) {
    this.store = store;
    this.editor = editor;
    this.app = $("#app");
    this.narrow = window.matchMedia("(max-width: 700px)");
    this.narrow.addEventListener("change", () => this.syncViewButtons());
    store.on("role-changed", () => this.syncControls());
    store.on("document-opening", () => this.closeDrawer());
  }

  /** The view the user chose last time (split for a first visit). */
  restoreView() {
    this.setView(savedView());
  }

  setView(view) {
    if (!VIEWS.includes(view)) view = "split";
    this.app.dataset.view = view;
    this.syncViewButtons();
    try { localStorage.setItem(VIEW_KEY, view); } catch { /* private mode */ }
  }

  get view() { return this.app.dataset.view; }

  /** The next view of a Markdown document (Alt+V); other kinds have one view. */
  cycleView() {
    if (this.app.dataset.kind !== "markdown") return;
    const order = this.narrow.matches ? ["edit", "preview"] : VIEWS;
    const i = order.indexOf(this.app.dataset.view);
    this.setView(order[(i + 1) % order.length]);
  }

  /** In a narrow window there is no room for split: it shows the editor. */
  syncViewButtons() {
    let shown = this.app.dataset.view;
    if (this.narrow.matches && shown === "split") shown = "edit";
    for (const b of $("#view-toggle").querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.view === shown));
  }

  openDrawer() {
    this.app.classList.add("drawer");
    $("#scrim").hidden = false;
    $("#drawer-open").setAttribute("aria-expanded", "true");
    ($("#tree [tabindex='0']") || $("#new-document")).focus();
  }

  closeDrawer() {
    if (!this.app.classList.contains("drawer")) return;
    this.app.classList.remove("drawer");
    $("#scrim").hidden = true;
    $("#drawer-open").setAttribute("aria-expanded", "false");
  }

  syncControls() {
    for (const el of document.querySelectorAll("[data-needs]")) {
      const needs = el.dataset.needs;
      el.disabled = needs === "write" ? !this.store.canWrite()
        : needs === "read" ? !this.store.canRead() : !this.store.isReady();
    }
    this.editor.setReadOnly(!this.store.canWrite());
  }
}
