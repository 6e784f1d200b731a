// The page's static controls (sidebar buttons, the document toolbar, the view switch, the drawer)
// and the keyboard shortcuts, wired to what they do.

import { $, modKey } from "./dom.mjs";
import { installShortcuts, openShortcutsHelp } from "./shortcuts.mjs";
import { closeMenu } from "./menu.mjs";

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
 * Wire every control. `panels` opens the sidebar's panels: {quickOpen, trash, activity, storage,
 * exportWorkspace, importWorkspace, history(artifact)}; `pickFiles(folder)` chooses files to upload.
 */
export function wireControls({ store, actions, documents, editor, layout, panels, pickFiles }) {
  const on = (id, fn) => $(id).addEventListener("click", fn);
  const openItem = () => documents.openItem();
  const history = () => { const it = openItem(); if (it) panels.history(it.artifact); };
  on("#new-document", () => actions.newDocument());
  on("#new-folder", () => actions.newFolder());
  on("#upload-file", () => pickFiles());
  on("#quick-open", () => panels.quickOpen());
  on("#open-search", () => panels.search());
  on("#open-trash", () => panels.trash());
  on("#open-activity", () => panels.activity());
  on("#open-storage", () => panels.storage());
  on("#export-workspace", () => panels.exportWorkspace());
  on("#import-workspace", () => panels.importWorkspace());
  on("#show-shortcuts", () => openShortcutsHelp());
  on("#doc-history", history);
  on("#doc-download", () => { const it = openItem(); if (it) actions.download(it); });
  on("#doc-rename", () => actions.rename(openItem()));
  on("#doc-move", () => actions.move(openItem()));
  on("#doc-delete", () => actions.remove(openItem()));
  on("#drawer-open", () => layout.openDrawer());
  on("#drawer-close", () => layout.closeDrawer());
  on("#scrim", () => layout.closeDrawer());
  $("#view-toggle").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-view]");
    if (b) layout.setView(b.dataset.view);
  });
  for (const k of document.querySelectorAll("[data-mod-key]")) k.textContent = `${modKey} ${k.dataset.modKey}`;

  const ready = () => store.state.ready;
  installShortcuts({
    save: async () => {
      if (!ready() || !editor.current) return;
      await editor.flush();
      store.emit("save-status");
    },
    newDocument: () => { if (ready()) actions.newDocument(); },
    quickOpen: () => { if (ready()) panels.quickOpen(); },
    search: () => { if (ready()) panels.search(); },
    export: () => panels.exportWorkspace(),
    cycleView: () => layout.cycleView(),
    history: () => { if (ready()) history(); },
    help: () => openShortcutsHelp(),
    escape: () => { closeMenu(); layout.closeDrawer(); },
  });
}
