// The menu of a folder or document in the sidebar (its "…" button, a right click, Shift+F10):
// what can be done with it, each entry off while the tab cannot do it.

import { openMenu } from "./menu.mjs";
import { menuItem as entry } from "./commands.mjs";
import { canReplace } from "./replacefile.mjs";

/**
 * Build the function that opens an item's menu.
 * `actions`: the Actions; `open(id, opts)`: open a document; `history(artifact)`: its history;
 * `pickFiles(folder)`: choose files to upload into a folder; `replace(artifact)`: "Replace file…"
 * (web/ui/replacefile.mjs), offered for a file that is not a Markdown note.
 */
export function itemMenuOpener({ store, actions: a, open, history, pickFiles, replace = null }) {
  return function openItemMenu(item, at, opener) {
    const w = !store.canWrite();
    const r = !store.isReady();
    const items = item.type === "folder" ? [
      { label: "New document here", icon: "doc-plus", run: () => a.newDocument(item.path), disabled: w },
      { label: "New folder here", icon: "folder-plus", run: () => a.newFolder(item.path), disabled: w },
      { label: "Upload here", icon: "upload", run: () => pickFiles(item.path), disabled: w },
      "-",
      entry("rename", () => a.rename(item), { disabled: w }),
      entry("move", () => a.move(item), { disabled: w }),
      "-",
      entry("delete", () => a.remove(item), { danger: true, disabled: w }),
    ] : [
      { label: "Open", icon: "doc", run: () => open(item.id, { focus: true }), disabled: r },
      entry("rename", () => a.rename(item), { disabled: w }),
      entry("move", () => a.move(item), { disabled: w }),
      entry("download", () => a.download(item), { disabled: r }),
      replace && canReplace(item.artifact)
        ? { label: "Replace file…", icon: "upload", run: () => replace({ ...item.artifact, id: item.id }), disabled: w } : null,
      entry("history", () => history(item.artifact || item), { disabled: r }),
      "-",
      entry("delete", () => a.remove(item), { danger: true, disabled: w }),
    ];
    const name = item.type === "folder" ? item.path : (item.artifact?.name || item.path);
    openMenu(items.filter(Boolean), { at, opener, label: `Actions for ${name}` });
  };
}
