// Quire's page: boots the engine (a Pyodide worker behind ../engine/client.mjs), then wires the
// sidebar tree, the editor, the panels and the shortcuts to it. No framework, no build step.

import { $, modKey } from "./dom.mjs";
import { setSaveState, setOnline, showError, clearErrors, initNotifications, showTask, hideTask, note } from "./notifications.mjs";
import { Tree } from "./tree.mjs";
import { Editor } from "./editor.mjs";
import { Actions } from "./actions.mjs";
import { openMenu, closeMenu } from "./menu.mjs";
import { openHistory } from "./versions.mjs";
import { openTrash } from "./trash.mjs";
import { openActivity } from "./activity.mjs";
import { openStorage } from "./storage.mjs";
import { exportWorkspace, openImport } from "./transfer.mjs";
import { openQuickOpen } from "./quickopen.mjs";
import { installShortcuts, openShortcutsHelp } from "./shortcuts.mjs";
import { registerServiceWorker, watchConnectivity } from "./net.mjs";
import { showAccount } from "./account.mjs";

/** Apply a stylesheet (preloaded by index.html); resolves once it applies, or failed to load. */
function applyStylesheet(url) {
  const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: url });
  const applied = new Promise((resolve) => { link.onload = link.onerror = resolve; });
  document.head.append(link);
  return applied;
}

// The components' styles (dialogs, panels, preview): the shell's own are inline in index.html,
// so the first paint never waits for these; no component shows before they apply.
await applyStylesheet(new URL("../app.css", import.meta.url).href);

const VIEW_KEY = "quire.view";
const OPEN_KEY = "quire.open";
const VIEWS = ["edit", "split", "preview"];
const BOOT_PHASES = {
  runtime: "Starting Python…", packages: "Loading packages…", restore: "Opening your workspace…",
  migrate: "Upgrading the workspace…", ready: "Ready",
};

const appEl = $("#app");
const state = {
  booted: false, // the engine has been ready in this tab before
  ready: false, // the engine answers in this tab now
  ownership: "owner", // "owner" | "elsewhere" | "released"
  pending: 0,
  lastSaveAt: null,
  saveError: null,
};

const ctx = {
  engine: null,
  tree: null,
  editor: null,
  actions: null,
  // The engine answers only in the tab that owns the workspace.
  isReady: () => state.ready && state.ownership === "owner",
  canWrite: () => state.ready && state.ownership === "owner",
  mutate,
  fail,
  refreshTree,
  openDocument,
  reloadOpen: () => ctx.editor.current ? ctx.editor.reload().catch((e) => fail(e, "Could not reload the document")) : null,
  saveStateChanged: () => renderSaveState(),
  saveFailed: (err) => { state.saveError = err; fail(err, "Not saved", { kind: "save" }); },
  artifactChanged,
  download: (a) => ctx.actions.download({ id: a.id, ...a }),
  setView,
  itemMenu,
  renameItem: (item) => ctx.actions.rename(item),
  deleteItem: (item) => ctx.actions.remove(item),
  moveItem: (item, folder) => ctx.actions.moveTo(item, folder),
  uploadFiles: (files, folder) => ctx.actions.upload(files, folder),
};

// ---------- engine calls ----------

/** Call a mutating engine method. Resolves once the change is durable; "Saved" follows. */
async function mutate(method, params, { context = "", quiet = false } = {}) {
  if (!ctx.canWrite()) {
    const err = { code: "read_only", message: "This tab is read-only: the workspace is open in another tab." };
    if (quiet) throw err;
    fail(err, context);
    return null;
  }
  state.pending++;
  renderSaveState();
  try {
    const result = await ctx.engine.call(method, params);
    state.lastSaveAt = new Date();
    if (state.saveError) {
      state.saveError = null;
      clearErrors("save");
      note("Saving works again");
    }
    return result;
  } catch (err) {
    if (quiet) throw err;
    fail(err, context);
    return null;
  } finally {
    state.pending--;
    renderSaveState();
  }
}

function fail(err, context = "", { kind = "" } = {}) {
  // A change that committed but could not be made durable was already reported by the
  // engine's save-error event.
  if (err && err.committed) return;
  if (err && err.code === "quota_exceeded") {
    showError("The browser's storage for this site is full. Nothing already saved is lost — empty the trash or export and remove large files, then keep going.", context || "Not saved", { kind: "save" });
  } else {
    showError(err, context, { kind });
  }
}

// A change the engine holds but browser storage refused (full, or failing): try again now and
// then, so it is saved as soon as there is room, without waiting for the next keystroke.
const STORAGE_RETRY_MS = 5000;
let storageRetry = null;

function retryStorageSoon() {
  clearTimeout(storageRetry);
  storageRetry = setTimeout(retryStorage, STORAGE_RETRY_MS);
}

async function retryStorage() {
  storageRetry = null;
  if (!state.saveError || !ctx.canWrite()) return;
  try {
    // Any engine call first writes what it holds unsaved; unsent text goes out with the editor.
    if (ctx.editor.isDirty()) await ctx.editor.flush();
    else await mutate("workspace.info", {}, { quiet: true });
  } catch {
    // Still refused: the engine's save-error event has scheduled the next try.
  }
}

function renderSaveState() {
  if (!state.ready) return;
  if (state.ownership !== "owner") setSaveState("readonly", { message: "Read-only — open in another tab" });
  else if (state.saveError && !ctx.editor.inFlight) setSaveState("error", { message: "Not saved" });
  else if (state.pending > 0 || ctx.editor.isDirty()) setSaveState("saving");
  else if (state.lastSaveAt) setSaveState("saved", { at: state.lastSaveAt });
  else setSaveState("idle", { message: "All changes saved" });
}

// ---------- tree and documents ----------

async function refreshTree() {
  try {
    const data = await ctx.engine.call("tree.list", {});
    ctx.tree.render(data);
    const open = ctx.editor.current;
    if (open && !ctx.tree.byId(open.id)) ctx.editor.close();
  } catch (err) {
    fail(err, "Could not list documents");
  }
}

/** Open a document (`artifact`: its content, when the caller has it already). */
async function openDocument(id, { focus = false, artifact = null } = {}) {
  closeDrawer();
  if (!ctx.isReady()) return;
  try {
    const doc = await ctx.editor.open(id, { focus, artifact });
    if (!doc) return;
    ctx.tree.select({ type: "artifact", id });
    const a = ctx.tree.byId(id);
    if (a) ctx.tree.reveal(a.path);
    try { localStorage.setItem(OPEN_KEY, id); } catch { /* private mode */ }
  } catch (err) {
    fail(err, "Could not open the document");
  }
}

function artifactChanged(artifact) {
  const list = ctx.tree.data.artifacts;
  const i = list.findIndex((a) => a.id === artifact.id);
  if (i >= 0) list[i] = { ...list[i], ...pick(artifact, ["path", "name", "size_bytes", "updated_at", "mime_type", "hash"]) };
}

function pick(obj, keys) {
  const out = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function itemMenu(item, at, opener) {
  const a = ctx.actions;
  const w = !ctx.canWrite();
  const r = !ctx.isReady();
  const items = item.type === "folder" ? [
    { label: "New document here", icon: "doc-plus", run: () => a.newDocument(item.path), disabled: w },
    { label: "New folder here", icon: "folder-plus", run: () => a.newFolder(item.path), disabled: w },
    { label: "Upload here", icon: "upload", run: () => pickFiles(item.path), disabled: w },
    "-",
    { label: "Rename", icon: "pencil", run: () => a.rename(item), disabled: w },
    { label: "Move", icon: "move", run: () => a.move(item), disabled: w },
    "-",
    { label: "Delete", icon: "trash", run: () => a.remove(item), danger: true, disabled: w },
  ] : [
    { label: "Open", icon: "doc", run: () => openDocument(item.id, { focus: true }), disabled: r },
    { label: "Rename", icon: "pencil", run: () => a.rename(item), disabled: w },
    { label: "Move", icon: "move", run: () => a.move(item), disabled: w },
    { label: "Download", icon: "download", run: () => a.download(item), disabled: r },
    { label: "History", icon: "history", run: () => openHistory(ctx, item.artifact || item), disabled: r },
    "-",
    { label: "Delete", icon: "trash", run: () => a.remove(item), danger: true, disabled: w },
  ];
  openMenu(items, { at, opener, label: `Actions for ${item.type === "folder" ? item.path : (item.artifact?.name || item.path)}` });
}

function openItem() {
  const doc = ctx.editor.current;
  return doc ? { type: "artifact", id: doc.id, path: doc.artifact.path, artifact: doc.artifact } : null;
}

let uploadFolder = null;
function pickFiles(folder = null) {
  uploadFolder = folder;
  $("#upload-input").click();
}

// ---------- view, drawer, controls ----------

const narrowQuery = window.matchMedia("(max-width: 700px)");

function setView(view) {
  if (!VIEWS.includes(view)) view = "split";
  appEl.dataset.view = view;
  syncViewButtons();
  try { localStorage.setItem(VIEW_KEY, view); } catch { /* private mode */ }
}

/** In a narrow window there is no room for split: it shows the editor. */
function syncViewButtons() {
  let shown = appEl.dataset.view;
  if (narrowQuery.matches && shown === "split") shown = "edit";
  for (const b of $("#view-toggle").querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.view === shown));
}
narrowQuery.addEventListener("change", syncViewButtons);

function cycleView() {
  const order = narrowQuery.matches ? ["edit", "preview"] : VIEWS;
  const i = order.indexOf(appEl.dataset.view);
  setView(order[(i + 1) % order.length]);
}

function openDrawer() {
  appEl.classList.add("drawer");
  $("#scrim").hidden = false;
  $("#drawer-open").setAttribute("aria-expanded", "true");
  ($("#tree [tabindex='0']") || $("#new-document")).focus();
}

function closeDrawer() {
  if (!appEl.classList.contains("drawer")) return;
  appEl.classList.remove("drawer");
  $("#scrim").hidden = true;
  $("#drawer-open").setAttribute("aria-expanded", "false");
}

function syncControls() {
  for (const el of document.querySelectorAll("[data-needs]")) {
    el.disabled = el.dataset.needs === "write" ? !ctx.canWrite() : !ctx.isReady();
  }
  ctx.editor.setReadOnly(!ctx.canWrite());
  renderSaveState();
}

function wireControls() {
  const on = (id, fn) => $(id).addEventListener("click", fn);
  on("#new-document", () => ctx.actions.newDocument());
  on("#new-folder", () => ctx.actions.newFolder());
  on("#upload-file", () => pickFiles());
  $("#upload-input").addEventListener("change", (e) => {
    const files = [...e.target.files];
    e.target.value = "";
    const folder = uploadFolder;
    uploadFolder = null;
    ctx.actions.upload(files, folder || undefined);
  });
  on("#quick-open", () => openQuickOpen(ctx));
  on("#open-trash", () => openTrash(ctx));
  on("#open-activity", () => openActivity(ctx));
  on("#open-storage", () => openStorage(ctx));
  on("#export-workspace", () => exportWorkspace(ctx));
  on("#import-workspace", () => openImport(ctx));
  on("#show-shortcuts", () => openShortcutsHelp());
  on("#doc-history", () => { const it = openItem(); if (it) openHistory(ctx, it.artifact); });
  on("#doc-download", () => { const it = openItem(); if (it) ctx.actions.download(it); });
  on("#doc-rename", () => ctx.actions.rename(openItem()));
  on("#doc-move", () => ctx.actions.move(openItem()));
  on("#doc-delete", () => ctx.actions.remove(openItem()));
  on("#drawer-open", openDrawer);
  on("#drawer-close", closeDrawer);
  on("#scrim", closeDrawer);
  on("#use-here", useHere);
  $("#view-toggle").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-view]");
    if (b) setView(b.dataset.view);
  });
  for (const k of document.querySelectorAll("[data-mod-key]")) k.textContent = `${modKey} ${k.dataset.modKey}`;

  installShortcuts({
    save: async () => {
      if (!state.ready || !ctx.editor.current) return;
      await ctx.editor.flush();
      renderSaveState();
    },
    newDocument: () => { if (state.ready) ctx.actions.newDocument(); },
    quickOpen: () => { if (state.ready) openQuickOpen(ctx); },
    export: () => exportWorkspace(ctx),
    cycleView: () => { if (appEl.dataset.kind === "markdown") cycleView(); },
    history: () => { const it = state.ready && openItem(); if (it) openHistory(ctx, it.artifact); },
    help: () => openShortcutsHelp(),
    escape: () => { closeMenu(); closeDrawer(); },
  });
}

// ---------- ownership (one tab owns the workspace) ----------

function onOwnership(next) {
  const before = state.ownership;
  state.ownership = next;
  const banner = $("#ownership-banner");
  const text = $("#ownership-text");
  const btn = $("#use-here");
  btn.disabled = false;
  btn.textContent = "Use here";
  if (next === "owner") {
    banner.hidden = true;
    if (before === "released") {
      // Nothing is editable until the engine runs here again and shows what the other tab saved.
      state.ready = false;
      setSaveState("loading", { message: "Opening…" });
    }
  } else if (next === "elsewhere") {
    text.textContent = "This workspace is open in another tab. Use it here to edit in this tab; the other tab saves its work and steps aside.";
    banner.hidden = false;
    if (!state.booted) {
      $("#boot").hidden = true;
      $("#empty-title").textContent = "Open in another tab";
      $("#empty-text").textContent = "Quire edits a workspace in one tab at a time, so your notes never fork. Choose “Use here” to continue in this tab.";
      $("#empty").hidden = false;
      setSaveState("readonly", { message: "Open in another tab" });
      const tree = $("#tree");
      tree.removeAttribute("aria-busy");
      tree.replaceChildren();
    }
  } else if (next === "released") {
    ctx.editor.save();
    text.textContent = "This workspace is open in another tab. This tab is read-only now — use it here to keep editing.";
    banner.hidden = false;
  }
  syncControls();
}

async function useHere() {
  const btn = $("#use-here");
  btn.disabled = true;
  btn.textContent = "Taking over…";
  if (!state.booted) {
    $("#empty").hidden = true;
    $("#boot").hidden = false;
  }
  try {
    await ctx.engine.takeOver();
  } catch (err) {
    btn.disabled = false;
    btn.textContent = "Use here";
    fail(err, "Could not take over the workspace");
  }
}

// ---------- boot ----------

function onProgress({ phase, fraction, message }) {
  if (phase === "import" || phase === "export") {
    showTask(message || (phase === "import" ? "Importing…" : "Exporting…"), fraction);
    return;
  }
  if (state.booted && phase !== "ready") {
    showTask(message || BOOT_PHASES[phase] || "Working…", fraction);
    return;
  }
  const bar = $("#boot-progress");
  if (typeof fraction === "number") bar.value = Math.max(0, Math.min(1, fraction));
  $("#boot-message").textContent = message || BOOT_PHASES[phase] || "Starting…";
}

const emptyTitle = $("#empty-title").textContent;
const emptyText = [...$("#empty-text").childNodes].map((n) => n.cloneNode(true));

async function onReady(detail) {
  const again = state.booted;
  state.booted = true;
  $("#empty-title").textContent = emptyTitle;
  $("#empty-text").replaceChildren(...emptyText.map((n) => n.cloneNode(true)));
  hideTask();
  $("#boot").hidden = true;
  appEl.dataset.state = "ready";
  if (again) {
    // Taken back from another tab: show what it saved before this tab edits again.
    await refreshTree();
    await ctx.reloadOpen();
  }
  state.ready = true;
  syncControls();
  if (!again) {
    await refreshTree();
    const last = localStorage.getItem(OPEN_KEY);
    if (last && ctx.tree.byId(last)) await openDocument(last);
    else ctx.editor.close();
  }
  renderSaveState();
  if (detail && typeof detail.bootMs === "number") console.info(`Quire ready in ${Math.round(detail.bootMs)} ms`);
}

function bootFailed(err, what) {
  $("#boot-message").textContent = "Quire could not start.";
  $("#boot-progress").value = 0;
  setSaveState("error", { message: "Not started" });
  showError(err, what);
}

async function boot() {
  initNotifications();
  setSaveState("loading", { message: "Loading…" });
  setView(localStorage.getItem(VIEW_KEY) || "split");
  wireControls();

  watchConnectivity(setOnline);
  showAccount();
  registerServiceWorker({
    onUpdateReady: (activate) => {
      $("#update-banner").hidden = false;
      $("#update-reload").onclick = async () => {
        await ctx.editor?.flush();
        activate();
      };
    },
  });

  let Engine;
  try {
    ({ Engine } = await import("../engine/client.mjs"));
  } catch (err) {
    bootFailed(err, "Could not load the engine");
    return;
  }
  const engine = new Engine();
  ctx.engine = engine;
  ctx.tree = new Tree(ctx);
  ctx.editor = new Editor(ctx);
  ctx.actions = new Actions(ctx);
  // Before another tab takes over, send whatever is typed but not yet saved.
  engine.beforeRelease = () => ctx.editor.flush();

  engine.addEventListener("progress", (e) => onProgress(e.detail || {}));
  engine.addEventListener("ready", (e) => onReady(e.detail));
  engine.addEventListener("saved", (e) => {
    const at = e.detail?.at;
    state.lastSaveAt = at ? new Date(at) : new Date();
    renderSaveState();
  });
  engine.addEventListener("save-error", (e) => {
    state.saveError = e.detail;
    fail(e.detail || {}, "Not saved", { kind: "save" });
    renderSaveState();
    retryStorageSoon();
  });
  engine.addEventListener("ownership", (e) => onOwnership(e.detail?.state));

  try {
    await engine.start();
  } catch (err) {
    bootFailed(err, "Could not open the workspace");
  }
}

// Keep the first paint free of work: boot right after it.
boot();
// For the console and browser tests: the page's state (read it, don't drive the app through it).
window.quire = Object.assign(window.quire ?? {}, { ui: { ctx, state } });
