// Completion of `[[wiki links]]` in the editor: after `[[`, note names from the workspace
// (the engine's `links.complete`, ranked there: exact, prefix, word, substring, fuzzy).
// Picking one writes the link text the engine suggests (a path when the name is not unique)
// and closes the link with `]]` unless it is closed already.
//
// The engine can be slow to answer (it works through what the background indexer queued
// first). While a source's answer is pending, CodeMirror shows the list disabled: Enter then
// types a line break instead of picking. So the source never keeps the list waiting once it
// has shown one: it answers at once with the last answer narrowed to the names that still
// match what is typed, asks the engine meanwhile, and refreshes the list when the engine's
// answer is in. Only the very first list of a link waits for the engine.

// `[[` then the name typed so far (no `]`, `|`, `#` or line break: those end the name part).
const OPEN_LINK = /\[\[[^\]|#\n]*$/;
const KEPT_ANSWERS = 32;
const ANSWER_TTL_MS = 5000; // notes come and go: an answer is reused only this long

/**
 * A CodeMirror completion source; `call(method, params)` reads from the engine;
 * `refresh()` asks the editor to run the source again (an answer came in while a list shows).
 */
export function linkCompletion(call, { refresh = () => {} } = {}) {
  const answers = new Map(); // query -> {at, found: Promise|array}
  let last = null; // the newest answer the engine gave: [note, …]

  const ask = (query) => {
    const kept = answers.get(query);
    if (kept && Date.now() - kept.at < ANSWER_TTL_MS) return kept;
    const entry = { at: Date.now(), found: null };
    entry.found = call("links.complete", { query, limit: 20 }).then((found) => {
      entry.found = Array.isArray(found) ? found : [];
      last = entry.found;
      return entry.found;
    }, () => {
      answers.delete(query); // the engine is not ready (or this tab does not own it)
      return [];
    });
    answers.set(query, entry);
    while (answers.size > KEPT_ANSWERS) answers.delete(answers.keys().next().value);
    return entry;
  };

  return (context) => {
    const match = context.matchBefore(OPEN_LINK);
    if (!match) return null;
    const query = match.text.slice(2);
    const entry = ask(query);
    if (Array.isArray(entry.found)) return result(match, entry.found);
    const interim = last ? last.filter((note) => stillMatches(note, query)) : [];
    if (!interim.length) {
      return entry.found.then((found) => (context.aborted ? null : result(match, found)));
    }
    entry.found.then(() => refresh());
    return result(match, interim);
  };
}

/** Whether the letters of `query` appear in order in the note's name or path (any case). */
export function stillMatches(note, query) {
  const hay = `${note.name} ${note.path}`.toLowerCase();
  let at = 0;
  for (const ch of query.toLowerCase()) {
    if (ch === " ") continue;
    at = hay.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

function result(match, found) {
  if (!found.length) return null;
  return {
    from: match.from + 2,
    options: found.map((note) => ({
      label: note.name.replace(/\.md$/i, ""),
      detail: note.path,
      type: "text",
      apply: (view, _completion, from, to) => {
        const closed = view.state.sliceDoc(to, to + 2) === "]]";
        const insert = closed ? note.link : `${note.link}]]`;
        view.dispatch({ changes: { from, to, insert }, selection: { anchor: from + insert.length }, userEvent: "input.complete" });
      },
    })),
    filter: false, // the engine ranked them; each keystroke asks it again
  };
}
