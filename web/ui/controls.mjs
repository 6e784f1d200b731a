// The page's static controls (sidebar buttons, the document toolbar, the view switch, the drawer)
// and the keyboard shortcuts, wired to what they do.

import { $, modKey } from "./dom.mjs";
import { installShortcuts, openShortcutsHelp } from "./shortcuts.mjs";
import { closeMenu } from "./menu.mjs";
import { command, ariaKeys } from "./commands.mjs";

/** The hidden file input behind "Upload": `pick(folder)` opens it, the chosen files go to `upload`. */
export function filePicker(upload) {
  const input = $("#upload-input");
  let folder = null;
  input.addEventListener("change", (e) => {
    const files = [...e.target.files];
    e.target.value = "";
    const into = folder;
    folder = null;
    upload(files, into || undefined);
  });
  return function pick(into = null) {
    folder = into;
    input.click();
  };
}

/**
 * Wire every control. `panels` opens the sidebar's panels: {quickOpen, search, palette, recent,
 * today, trash, activity, storage, exportWorkspace, importWorkspace, history(artifact)};
 * `pickFiles(folder)` chooses files to upload. Returns the handlers of commands.mjs's table by
 * id, and whether a command can run now, for the command palette.
 */
export function wireControls(parts) {
  const { layout } = parts;
  const on = (id, fn) => $(id).addEventListener("click", fn);
  const handlers = commandHandlers(parts);
  // Each button runs its command; its keys (for assistive technology) come from the table.
  const BUTTONS = {
    "#new-document": "newDocument",
    "#new-folder": "newFolder",
    "#upload-file": "upload",
    "#quick-open": "quickOpen",
    "#open-search": "search",
    "#open-recent": "recent",
    "#open-today": "today",
    "#open-trash": "trash",
    "#open-activity": "activity",
    "#open-storage": "storage",
    "#open-care-settings": "careSettings",
    "#open-records": "records",
    "#export-workspace": "export",
    "#export-with-files": "exportFiles",
    "#import-workspace": "import",
    "#show-shortcuts": "help",
    "#doc-history": "history",
    "#doc-download": "download",
    "#doc-rename": "rename",
    "#doc-move": "move",
    "#doc-delete": "delete",
  };
  for (const [sel, id] of Object.entries(BUTTONS)) {
    const keys = command(id).keys;
    if (keys) $(sel).setAttribute("aria-keyshortcuts", keys.map(ariaKeys).join(" "));
    on(sel, handlers[id]);
  }
  on("#drawer-open", () => layout.openDrawer());
  on("#drawer-close", () => layout.closeDrawer());
  on("#scrim", () => layout.closeDrawer());
  $("#view-toggle").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-view]");
    if (b) layout.setView(b.dataset.view);
  });
  for (const k of document.querySelectorAll("[data-mod-key]")) k.textContent = `${modKey} ${k.dataset.modKey}`;
  installShortcuts(handlers);

  return { handlers, available: availability(parts.store, parts.editor) };
}

/** What each command of the table does (by id). */
function commandHandlers({ store, actions, documents, editor, layout, panels, pickFiles }) {
  const openItem = () => documents.openItem();
  const run = (fn) => () => { const it = openItem(); if (it) fn(it); };
  const ready = () => store.state.ready;
  const readable = () => store.canRead(); // also a tab showing another tab's workspace
  const handlers = {
    palette: () => { if (readable()) panels.palette(); },
    save: async () => {
      if (!ready() || !editor.current) return;
      await editor.flush();
      store.emit("save-status");
    },
    newDocument: () => { if (ready()) actions.newDocument(); },
    newFolder: () => actions.newFolder(),
    upload: () => pickFiles(),
    today: () => { if (ready()) panels.today(); },
    recent: () => { if (readable()) panels.recent(); },
    quickOpen: () => { if (readable()) panels.quickOpen(); },
    search: () => { if (readable()) panels.search(); },
    cycleView: () => layout.cycleView(),
    viewEdit: () => layout.setView("edit"),
    viewSplit: () => layout.setView("split"),
    viewPreview: () => layout.setView("preview"),
    history: () => { if (readable()) run((it) => panels.history(it.artifact))(); },
    rename: () => actions.rename(openItem()),
    move: () => actions.move(openItem()),
    download: run((it) => actions.download(it)),
    delete: () => actions.remove(openItem()),
    trash: () => panels.trash(),
    activity: () => panels.activity(),
    storage: () => panels.storage(),
    careSettings: () => panels.careSettings(),
    encryption: () => panels.encryption(),
    records: () => panels.records(),
    export: () => panels.exportWorkspace(),
    exportFiles: () => panels.exportWithFiles(),
    import: () => panels.importWorkspace(),
    help: () => openShortcutsHelp(),
    escape: () => { closeMenu(); layout.closeDrawer(); },
  };
  return handlers;
}

/** Whether a command can run now (the palette shows the others disabled). */
function availability(store, editor) {
  return (c) => {
    const doc = editor.current;
    switch (c.needs) {
      case "ready": return store.isReady();
      case "read": return store.canRead();
      case "write": return store.canWrite();
      case "doc": return store.isReady() && Boolean(doc);
      case "read-doc": return store.canRead() && Boolean(doc);
      case "markdown": return Boolean(doc) && doc.kind === "markdown";
      default: return true;
    }
  };
}
