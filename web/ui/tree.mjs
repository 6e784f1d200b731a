// The sidebar tree of folders and documents (ARIA tree pattern: one tab stop, arrow keys move,
// Right/Left expand and collapse, Enter opens, F2 renames, Delete trashes, Shift+F10 opens the
// item's menu). Drag a document or folder onto a folder to move it; drop files to upload them.

import { $, h, icon, basename, dirname } from "./dom.mjs";
import { displayName, kindOf, iconFor } from "./kinds.mjs";

const EXPANDED_KEY = "quire.tree.expanded";
const DRAG_TYPE = "application/x-quire-item";

export class Tree {
  /**
   * `on`: what the tree's gestures do — {canWrite(), open(id, opts), menu(item, at, opener),
   * rename(item), remove(item), moveTo(item, folder), upload(files, folder)}.
   */
  constructor(on) {
    this.on = on;
    this.root = $("#tree");
    this.wrap = this.root.parentElement;
    this.data = { folders: [], artifacts: [] };
    this.selected = null; // {type: "artifact", id} | {type: "folder", path}
    this.expanded = new Set(loadExpanded());
    this.root.addEventListener("keydown", (e) => this.onKey(e));
    this.initDrop();
  }

  /** Folder paths, including every ancestor of every artifact. */
  folders() {
    const all = new Set(this.data.folders);
    for (const a of this.data.artifacts) {
      for (let d = dirname(a.path); d !== "/"; d = dirname(d)) all.add(d);
    }
    for (const f of [...all]) for (let d = dirname(f); d !== "/"; d = dirname(d)) all.add(d);
    return [...all].sort((a, b) => a.localeCompare(b));
  }

  artifacts() { return this.data.artifacts; }

  byId(id) { return this.data.artifacts.find((a) => a.id === id) || null; }

  render(data) {
    if (data) this.data = { folders: data.folders || [], artifacts: data.artifacts || [] };
    // What was selected may be gone (deleted, moved, replaced by an import): new things then go to the top level.
    const sel = this.selected;
    if (sel && (sel.type === "folder" ? !this.folders().includes(sel.path) : !this.byId(sel.id))) this.selected = null;
    const focusedKey = document.activeElement?.closest?.('[role="treeitem"]')?.dataset.key;
    const model = buildModel(this.folders(), this.data.artifacts);
    this.root.removeAttribute("aria-busy");
    this.root.replaceChildren(...this.renderChildren(model, 1));
    $("#tree-empty").hidden = this.data.artifacts.length > 0 || this.data.folders.length > 0;
    this.syncTabStop(focusedKey);
  }

  renderChildren(node, level) {
    const out = [];
    for (const folder of node.folderList) out.push(this.renderFolder(folder, level));
    for (const a of node.files) out.push(this.renderArtifact(a, level));
    return out;
  }

  renderFolder(folder, level) {
    const open = this.expanded.has(folder.path);
    const selected = this.selected?.type === "folder" && this.selected.path === folder.path;
    const name = basename(folder.path);
    const li = h("li", {
      role: "treeitem", "aria-expanded": String(open), "aria-selected": String(selected),
      "aria-level": String(level), "aria-label": name, tabindex: "-1", class: "is-folder",
      dataset: { key: `f:${folder.path}`, type: "folder", path: folder.path },
    });
    const row = h("div", { class: "tree-row", style: { "--depth": level - 1 }, draggable: "true" },
      h("span", { class: "tree-twisty" }, icon("chevron")),
      icon("folder", "icon tree-icon"),
      h("span", { class: "tree-label" }, name),
      this.moreButton(li, name),
    );
    row.addEventListener("click", (e) => {
      if (e.target.closest(".tree-more")) return;
      this.select({ type: "folder", path: folder.path });
      this.toggle(folder.path);
      li.focus();
    });
    this.wireRow(row, li);
    li.append(row);
    if (open) {
      const kids = this.renderChildren(folder, level + 1);
      if (kids.length) li.append(h("ul", { role: "group" }, kids));
    }
    return li;
  }

  renderArtifact(a, level) {
    const kind = kindOf(a);
    const selected = this.selected?.type === "artifact" && this.selected.id === a.id;
    const name = displayName(a);
    const li = h("li", {
      role: "treeitem", "aria-selected": String(selected), "aria-level": String(level),
      "aria-label": name, tabindex: "-1", class: selected ? "is-open" : "",
      dataset: { key: `a:${a.id}`, type: "artifact", id: a.id, path: a.path },
    });
    const row = h("div", { class: "tree-row", style: { "--depth": level - 1 }, draggable: "true", title: a.path },
      h("span", { class: "tree-twisty" }),
      icon(iconFor(kind), "icon tree-icon"),
      h("span", { class: "tree-label" }, name),
      a.pending_upload ? h("span", { class: "tree-badge", title: "Kept on this device until it can be uploaded" }, "local") : null,
      this.moreButton(li, name),
    );
    row.addEventListener("click", (e) => {
      if (e.target.closest(".tree-more")) return;
      this.on.open(a.id);
      li.focus();
    });
    this.wireRow(row, li);
    li.append(row);
    return li;
  }

  moreButton(li, name) {
    return h("button", {
      type: "button", class: "icon-btn tree-more", tabindex: "-1", "aria-haspopup": "menu",
      "aria-expanded": "false", "aria-label": `More actions for ${name}`,
      onclick: (e) => { e.stopPropagation(); this.on.menu(this.itemOf(li), e.currentTarget, e.currentTarget); },
    }, icon("more"));
  }

  wireRow(row, li) {
    row.addEventListener("contextmenu", (e) => {
      e.preventDefault();
      this.on.menu(this.itemOf(li), { x: e.clientX, y: e.clientY }, null);
    });
    row.addEventListener("dragstart", (e) => {
      e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(this.itemOf(li)));
      e.dataTransfer.effectAllowed = "move";
    });
    if (li.dataset.type === "folder") this.wireDropTarget(row, () => li.dataset.path);
  }

  itemOf(li) {
    if (li.dataset.type === "folder") return { type: "folder", path: li.dataset.path };
    const a = this.byId(li.dataset.id);
    return { type: "artifact", id: li.dataset.id, path: li.dataset.path, artifact: a };
  }

  select(sel) {
    this.selected = sel;
    for (const li of this.root.querySelectorAll('[role="treeitem"]')) {
      const on = sel && (sel.type === "folder"
        ? li.dataset.type === "folder" && li.dataset.path === sel.path
        : li.dataset.type === "artifact" && li.dataset.id === sel.id);
      li.setAttribute("aria-selected", String(Boolean(on)));
      li.classList.toggle("is-open", Boolean(on) && li.dataset.type === "artifact");
    }
    this.syncTabStop();
  }

  /** The folder new documents go to: the selected folder, or the open document's folder. */
  currentFolder() {
    if (!this.selected) return "/";
    if (this.selected.type === "folder") return this.selected.path;
    const a = this.byId(this.selected.id);
    return a ? dirname(a.path) : "/";
  }

  toggle(path, open = !this.expanded.has(path)) {
    if (open) this.expanded.add(path); else this.expanded.delete(path);
    saveExpanded(this.expanded);
    this.render();
    this.focusKey(`f:${path}`);
  }

  /** Expand every ancestor of `path` and scroll the sidebar to it, so it is visible. */
  reveal(path) {
    let changed = false;
    for (let d = dirname(path); d !== "/"; d = dirname(d)) {
      if (!this.expanded.has(d)) { this.expanded.add(d); changed = true; }
    }
    if (changed) { saveExpanded(this.expanded); this.render(); }
    const row = [...this.root.querySelectorAll("[role=treeitem]")].find((li) => li.dataset.path === path);
    row?.querySelector(".tree-row")?.scrollIntoView({ block: "nearest" });
  }

  renameExpanded(oldPath, newPath) {
    const next = new Set();
    for (const p of this.expanded) {
      next.add(p === oldPath || p.startsWith(`${oldPath}/`) ? newPath + p.slice(oldPath.length) : p);
    }
    this.expanded = next;
    saveExpanded(next);
  }

  visibleItems() {
    return [...this.root.querySelectorAll('[role="treeitem"]')].filter((li) => li.offsetParent !== null);
  }

  focusKey(key) {
    const li = [...this.root.querySelectorAll('[role="treeitem"]')].find((x) => x.dataset.key === key);
    if (li) { this.syncTabStop(key); li.focus(); }
  }

  /** Exactly one item is in the tab order: the focused one, else the selected one, else the first. */
  syncTabStop(key = null) {
    const items = [...this.root.querySelectorAll('[role="treeitem"]')];
    let target = key && items.find((li) => li.dataset.key === key);
    target = target || items.find((li) => li.getAttribute("aria-selected") === "true") || items[0];
    for (const li of items) li.tabIndex = li === target ? 0 : -1;
  }

  onKey(e) {
    const li = e.target.closest('[role="treeitem"]');
    if (!li || e.target !== li) return;
    const items = this.visibleItems();
    const i = items.indexOf(li);
    const isFolder = li.dataset.type === "folder";
    const move = (j) => { const t = items[Math.max(0, Math.min(items.length - 1, j))]; if (t) { this.syncTabStop(t.dataset.key); t.focus(); } };
    switch (e.key) {
      case "ArrowDown": move(i + 1); break;
      case "ArrowUp": move(i - 1); break;
      case "Home": move(0); break;
      case "End": move(items.length - 1); break;
      case "ArrowRight":
        if (isFolder && li.getAttribute("aria-expanded") === "false") this.toggle(li.dataset.path, true);
        else if (isFolder) move(i + 1);
        break;
      case "ArrowLeft":
        if (isFolder && li.getAttribute("aria-expanded") === "true") this.toggle(li.dataset.path, false);
        else {
          const parent = li.parentElement.closest('[role="treeitem"]');
          if (parent) { this.syncTabStop(parent.dataset.key); parent.focus(); }
        }
        break;
      case "Enter":
      case " ":
        if (isFolder) { this.select({ type: "folder", path: li.dataset.path }); this.toggle(li.dataset.path); }
        else this.on.open(li.dataset.id, { focus: e.key === "Enter" });
        break;
      case "F2": this.on.rename(this.itemOf(li)); break;
      case "Delete": this.on.remove(this.itemOf(li)); break;
      case "ContextMenu": this.on.menu(this.itemOf(li), li.querySelector(".tree-more"), li.querySelector(".tree-more")); break;
      case "F10":
        if (!e.shiftKey) return;
        this.on.menu(this.itemOf(li), li.querySelector(".tree-more"), li.querySelector(".tree-more"));
        break;
      default: return;
    }
    e.preventDefault();
  }

  // ---------- drag and drop ----------

  wireDropTarget(el, folderOf) {
    el.addEventListener("dragover", (e) => {
      if (!this.acceptsDrop(e)) return;
      e.preventDefault();
      e.stopPropagation();
      el.classList.add("drop-over");
    });
    el.addEventListener("dragleave", () => el.classList.remove("drop-over"));
    el.addEventListener("drop", (e) => {
      el.classList.remove("drop-over");
      this.wrap.classList.remove("drop-target");
      if (!this.acceptsDrop(e)) return;
      e.preventDefault();
      e.stopPropagation();
      this.handleDrop(e, folderOf());
    });
  }

  initDrop() {
    // The whole tree area is a drop target for the top level.
    this.wrap.addEventListener("dragover", (e) => {
      if (!this.acceptsDrop(e)) return;
      e.preventDefault();
      this.wrap.classList.add("drop-target");
    });
    this.wrap.addEventListener("dragleave", (e) => {
      if (!this.wrap.contains(e.relatedTarget)) this.wrap.classList.remove("drop-target");
    });
    this.wrap.addEventListener("drop", (e) => {
      this.wrap.classList.remove("drop-target");
      if (!this.acceptsDrop(e)) return;
      e.preventDefault();
      this.handleDrop(e, "/");
    });
  }

  acceptsDrop(e) {
    if (!this.on.canWrite()) return false;
    const types = [...(e.dataTransfer?.types || [])];
    return types.includes(DRAG_TYPE) || types.includes("Files");
  }

  handleDrop(e, folder) {
    const raw = e.dataTransfer.getData(DRAG_TYPE);
    if (raw) {
      this.on.moveTo(JSON.parse(raw), folder);
    } else if (e.dataTransfer.files?.length) {
      this.on.upload([...e.dataTransfer.files], folder);
    }
  }
}

function buildModel(folders, artifacts) {
  const root = { path: "/", folders: new Map(), files: [] };
  const ensure = (path) => {
    if (path === "/") return root;
    const parent = ensure(dirname(path));
    if (!parent.folders.has(path)) parent.folders.set(path, { path, folders: new Map(), files: [] });
    return parent.folders.get(path);
  };
  for (const f of folders) ensure(f);
  for (const a of artifacts) ensure(dirname(a.path)).files.push(a);
  const finish = (node) => {
    node.folderList = [...node.folders.values()].sort((a, b) => collate(basename(a.path), basename(b.path)));
    node.files.sort((a, b) => collate(displayName(a), displayName(b)));
    node.folderList.forEach(finish);
  };
  finish(root);
  return root;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const collate = (a, b) => collator.compare(a, b);

function loadExpanded() {
  try { return JSON.parse(localStorage.getItem(EXPANDED_KEY) || "[]"); } catch { return []; }
}

function saveExpanded(set) {
  try { localStorage.setItem(EXPANDED_KEY, JSON.stringify([...set])); } catch { /* storage full or blocked: not worth an error */ }
}
