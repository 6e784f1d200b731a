// Completion of `[[wiki links]]` in the editor: after `[[`, note names from the workspace
// (the engine's `links.complete`, ranked there: exact, prefix, word, substring, fuzzy).
// Picking one writes the link text the engine suggests (a path when the name is not unique)
// and closes the link with `]]` unless it is closed already.

// `[[` then the name typed so far (no `]`, `|`, `#` or line break: those end the name part).
const OPEN_LINK = /\[\[[^\]|#\n]*$/;

/** A CodeMirror completion source; `call(method, params)` reads from the engine. */
export function linkCompletion(call) {
  return async (context) => {
    const match = context.matchBefore(OPEN_LINK);
    if (!match) return null;
    const query = match.text.slice(2);
    let found;
    try {
      found = await call("links.complete", { query, limit: 20 });
    } catch {
      return null; // the engine is not ready (or this tab does not own it): no suggestions
    }
    if (context.aborted || !Array.isArray(found) || !found.length) return null;
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
  };
}
