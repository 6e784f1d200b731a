// The command palette (Ctrl+P, Ctrl+Shift+P): every action of the app by name, with its keys,
// fuzzy-matched; recent notes on an empty query, and notes whose name matches below the
// actions. The actions are the table of commands.mjs.

import { dirname, formatWhen } from "./dom.mjs";
import { displayName, kindOf, iconFor } from "./kinds.mjs";
import { COMMANDS, keyLabels } from "./commands.mjs";
import { fuzzyFilter } from "./fuzzy.mjs";
import { openPicker } from "./picker.mjs";

const NOTES_SHOWN = 8;

/** A note as a picker entry (`when`: also say when it was last edited). */
export function noteEntry(a, documents, tree, positions, { when = false } = {}) {
  const folder = dirname(a.path);
  const where = folder === "/" ? "" : folder.slice(1);
  const edited = when && a.updated_at ? `edited ${formatWhen(a.updated_at)}` : "";
  return {
    title: displayName(a), positions, icon: iconFor(kindOf(a)),
    detail: [where, edited].filter(Boolean).join(" · "),
    run: () => { tree.reveal(a.path); documents.open(a.id, { focus: true }); },
  };
}

/**
 * `run(id)`: run a command; `available(command)`: whether it can run now; `recent`: the
 * Recent list; `tree`, `documents`: the notes and opening one; `searchText(query)`: the
 * search panel, for the query typed.
 */
export function openPalette({ run, available, recent, tree, documents, searchText }) {
  const commands = COMMANDS.filter((c) => c.palette !== false);
  const entry = (c, positions) => ({
    title: c.title, positions, icon: c.icon, disabled: !available(c),
    keys: (c.keys || []).map((k) => keyLabels(k)),
    run: () => run(c.id),
  });
  openPicker({
    label: "Command palette",
    placeholder: "Type a command or a note's name…",
    empty: "No command or note matches.",
    entries(query) {
      if (!query.trim()) {
        return [
          { title: "Recent notes", items: recent.notes(NOTES_SHOWN).map((a) => noteEntry(a, documents, tree)) },
          { title: "Commands", items: commands.map((c) => entry(c)) },
        ];
      }
      const matched = fuzzyFilter(commands, query, (c) => c.title);
      const notes = fuzzyFilter(tree.artifacts(), query, displayName).slice(0, NOTES_SHOWN);
      const text = { title: `Search all documents for “${query.trim()}”`, icon: "text-search", run: () => searchText(query.trim()) };
      return [
        { title: "Commands", items: matched.map((m) => entry(m.item, m.positions)) },
        { title: "Notes", items: notes.map((m) => noteEntry(m.item, documents, tree, m.positions)) },
        { title: "Full text", items: [text] },
      ];
    },
  });
}
