// Keyboard shortcuts for the common actions, and the "Keyboard shortcuts" help dialog.

import { h, modKey } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";

export const SHORTCUTS = [
  { keys: [modKey, "S"], what: "Save now" },
  { keys: ["Alt", "N"], what: "New document" },
  { keys: [modKey, "K"], what: "Quick open: find a document by path" },
  { keys: [modKey, "Shift", "F"], what: "Search the text of every document" },
  { keys: [modKey, "Shift", "E"], what: "Export workspace" },
  { keys: [modKey, "Shift", "P"], what: "Switch edit / split / preview" },
  { keys: ["Alt", "H"], what: "History of the open document" },
  { keys: ["F2"], what: "Rename the selected item (in the sidebar)" },
  { keys: ["Delete"], what: "Move the selected item to Trash (in the sidebar)" },
  { keys: ["Shift", "F10"], what: "More actions for the selected item (in the sidebar)" },
  { keys: ["Esc"], what: "Close a dialog or menu" },
  { keys: ["?"], what: "Show this list" },
];

/** Install the global key handler. `on` maps action names to functions. */
export function installShortcuts(on) {
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.isComposing) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    const inDialog = Boolean(document.querySelector("dialog[open]"));
    let action = null;
    if (mod && !e.shiftKey && !e.altKey && key === "s") action = "save";
    else if (mod && !e.shiftKey && !e.altKey && key === "k") action = "quickOpen";
    else if (mod && e.shiftKey && !e.altKey && e.code === "KeyE") action = "export";
    else if (mod && e.shiftKey && !e.altKey && e.code === "KeyF") action = "search";
    else if (mod && e.shiftKey && !e.altKey && e.code === "KeyP") action = "cycleView";
    else if (e.altKey && !mod && !e.shiftKey && e.code === "KeyN") action = "newDocument";
    else if (e.altKey && !mod && !e.shiftKey && e.code === "KeyH") action = "history";
    else if (e.key === "?" && !mod && !e.altKey && !isTyping(e.target)) action = "help";
    else if (e.key === "Escape") action = "escape";
    if (!action) return;
    // Ctrl+S always stops the browser's "save page"; other shortcuts wait while a dialog is open.
    if (action === "save") e.preventDefault();
    if (inDialog && action !== "save") return;
    if (!on[action]) return;
    if (action !== "escape") e.preventDefault();
    on[action](e);
  });
}

function isTyping(el) {
  return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

export function openShortcutsHelp() {
  const rows = SHORTCUTS.map((s) => h("tr", {},
    h("td", {}, s.what),
    h("td", {}, s.keys.flatMap((k, i) => [i ? " " : null, h("kbd", { class: "kbd" }, k)])),
  ));
  openDialog({
    title: "Keyboard shortcuts", size: "medium",
    body: [h("table", { class: "shortcuts" }, h("tbody", {}, rows))],
  });
}
