// The menu of a folder or document in the sidebar (its "…" button, a right click, Shift+F10):
// what can be done with it, each entry off while the tab cannot do it.

import { openMenu } from "./menu.mjs";

/**
 * Build the function that opens an item's menu.
 * `actions`: the Actions; `open(id, opts)`: open a document; `history(artifact)`: its history;
 * `pickFiles(folder)`: choose files to upload into a folder.
 */
export function itemMenuOpener({ store, actions: a, open, history, pickFiles }) {
  return function openItemMenu(item, at, opener) {
    const w = !store.canWrite();
    const r = !store.isReady();
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
      { label: "Open", icon: "doc", run: () => open(item.id, { focus: true }), disabled: r },
      { label: "Rename", icon: "pencil", run: () => a.rename(item), disabled: w },
      { label: "Move", icon: "move", run: () => a.move(item), disabled: w },
      { label: "Download", icon: "download", run: () => a.download(item), disabled: r },
      { label: "History", icon: "history", run: () => history(item.artifact || item), disabled: r },
      "-",
      { label: "Delete", icon: "trash", run: () => a.remove(item), danger: true, disabled: w },
    ];
    const name = item.type === "folder" ? item.path : (item.artifact?.name || item.path);
    openMenu(items, { at, opener, label: `Actions for ${name}` });
  };
}
