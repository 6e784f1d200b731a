// The keyboard shortcuts and the "Keyboard shortcuts" help list, both made from the action
// table (commands.mjs): a key does what the palette's entry of the same command does.

import { h } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { COMMANDS, commandForKey, keyLabels } from "./commands.mjs";

/** The help list's rows: every key combination of the table, with what it does. */
export const SHORTCUTS = COMMANDS.filter((c) => c.keys).flatMap((c) =>
  c.keys.map((spec) => ({ id: c.id, keys: keyLabels(spec), what: c.title })));

// Keys that work while a dialog is open: saving (which also stops the browser's "save page").
const IN_DIALOGS = new Set(["save"]);
// Single printed keys (such as "?") are text while typing.
const PRINTED = new Set(["help"]);

/** Install the global key handler. `on` maps command ids to functions. */
export function installShortcuts(on) {
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.isComposing) return;
    const c = commandForKey(e);
    if (!c) return;
    if (PRINTED.has(c.id) && isTyping(e.target)) return;
    if (c.id === "save") e.preventDefault();
    if (document.querySelector("dialog[open]") && !IN_DIALOGS.has(c.id)) return;
    if (!on[c.id]) return;
    if (c.id !== "escape") e.preventDefault();
    on[c.id](e);
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
