// Every action of the app, in one table: the command palette lists it, the keyboard shortcuts
// (and their help list) come from its `keys`, and menus take their labels and icons from it.
// What each action does is given by controls.mjs (handlers by `id`).
//
// An entry: `id`; `title` (the palette's and the shortcuts list's words); `label`/`icon` (a
// menu's, when shorter); `keys` (one or more "Mod+Shift+F" strings: Mod is Ctrl, or ⌘ on a
// Mac; letters match by physical key); `needs` ("read": also in a tab showing another tab's
// workspace, "ready", "write", "doc": an open document, "read-doc": an open document, also in
// a tab showing another tab's workspace, "markdown": an open Markdown document) — the palette shows what cannot run now as disabled;
// `scope` ("sidebar": a key the tree handles itself, listed for help only); `palette: false`
// for keys that are not commands.

import { modKey } from "./dom.mjs";

export const COMMANDS = [
  { id: "palette", title: "Command palette", keys: ["Mod+P", "Mod+Shift+P"], palette: false },
  { id: "save", title: "Save now", keys: ["Mod+S"], needs: "doc" },
  { id: "newDocument", title: "New document", keys: ["Alt+N"], needs: "write", icon: "doc-plus" },
  { id: "newFolder", title: "New folder", needs: "write", icon: "folder-plus" },
  { id: "upload", title: "Upload files", needs: "write", icon: "upload" },
  { id: "today", title: "Open today's note", keys: ["Alt+D"], needs: "ready", icon: "calendar" },
  { id: "recent", title: "Recent notes", keys: ["Alt+R"], needs: "read", icon: "recent" },
  { id: "quickOpen", title: "Quick open: find a document by path", keys: ["Mod+K"], needs: "read", icon: "search" },
  { id: "search", title: "Search the text of every document", keys: ["Mod+Shift+F"], needs: "read", icon: "text-search" },
  { id: "cycleView", title: "Switch edit / split / preview", keys: ["Alt+V"], needs: "markdown" },
  { id: "viewEdit", title: "View: edit only", needs: "markdown" },
  { id: "viewSplit", title: "View: edit and preview side by side", needs: "markdown" },
  { id: "viewPreview", title: "View: preview only", needs: "markdown" },
  { id: "history", title: "History of the open document", label: "History", keys: ["Alt+H"], needs: "read-doc", icon: "history" },
  { id: "rename", title: "Rename the open document", label: "Rename", needs: "doc", icon: "pencil" },
  { id: "move", title: "Move the open document to another folder", label: "Move", needs: "doc", icon: "move" },
  { id: "download", title: "Download the open document", label: "Download", needs: "read-doc", icon: "download" },
  { id: "delete", title: "Move the open document to Trash", label: "Delete", needs: "doc", icon: "trash" },
  { id: "trash", title: "Open Trash", needs: "ready", icon: "trash" },
  { id: "activity", title: "Open Activity", needs: "read", icon: "activity" },
  { id: "storage", title: "Open Storage", needs: "ready", icon: "storage" },
  { id: "encryption", title: "Set up encryption…", label: "Encryption", needs: "ready", icon: "lock" },
  { id: "careSettings", title: "Settings: keeping history, trash and activity", needs: "ready", icon: "settings" },
  { id: "records", title: "Agent tasks and citations", needs: "ready", icon: "records" },
  { id: "export", title: "Export workspace", keys: ["Mod+Shift+E"], needs: "ready", icon: "export" },
  { id: "exportFiles", title: "Export with files (.zip)", label: "Export with files", needs: "ready", icon: "export" },
  { id: "import", title: "Import workspace", needs: "write", icon: "import" },
  { id: "help", title: "Keyboard shortcuts", keys: ["?"], icon: "keyboard" },
  { id: "renameSelected", title: "Rename the selected item (in the sidebar)", keys: ["F2"], scope: "sidebar", palette: false },
  { id: "deleteSelected", title: "Move the selected item to Trash (in the sidebar)", keys: ["Delete"], scope: "sidebar", palette: false },
  { id: "menuSelected", title: "More actions for the selected item (in the sidebar)", keys: ["Shift+F10"], scope: "sidebar", palette: false },
  { id: "escape", title: "Close a dialog or menu", keys: ["Escape"], palette: false },
];

const BY_ID = new Map(COMMANDS.map((c) => [c.id, c]));

/** The entry of `id` (throws for an unknown id: a typo must not make a dead control). */
export function command(id) {
  const c = BY_ID.get(id);
  if (!c) throw new Error(`unknown command: ${id}`);
  return c;
}

/** A menu entry for `id`: its label and icon from the table, with `run` and `disabled`. */
export function menuItem(id, run, { disabled = false, danger = false } = {}) {
  const c = command(id);
  return { label: c.label || c.title, icon: c.icon, run, disabled, danger };
}

/** "Mod+Shift+F" as the keys a person presses: ["Ctrl", "Shift", "F"]. */
export function keyLabels(spec, mod = modKey) {
  return spec.split("+").map((k) => ({ Mod: mod, Escape: "Esc" }[k] || k));
}

/** `spec` in `aria-keyshortcuts` form ("Control+Shift+F"). */
export function ariaKeys(spec) {
  return spec.split("+").map((k) => ({ Mod: "Control" }[k] || k)).join("+");
}

/** Whether a keydown event is the key combination `spec` ("Mod+Shift+F", "Alt+N", "?", "F2"). */
export function matchesKey(e, spec) {
  const parts = spec.split("+");
  const key = parts.pop();
  const want = new Set(parts);
  const mod = e.ctrlKey || e.metaKey;
  if (mod !== want.has("Mod") || e.altKey !== want.has("Alt")) return false;
  if (/^[A-Z]$/.test(key)) return e.shiftKey === want.has("Shift") && e.code === `Key${key}`;
  // Printed characters such as "?" already carry their Shift.
  if (key.length === 1) return e.key === key;
  return e.shiftKey === want.has("Shift") && e.key === key;
}

/** The command whose keys this event presses (global ones only), or null. */
export function commandForKey(e) {
  for (const c of COMMANDS) {
    if (c.scope || !c.keys) continue;
    if (c.keys.some((k) => matchesKey(e, k))) return c;
  }
  return null;
}
