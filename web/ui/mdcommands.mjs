// Markdown commands of the editor: Ctrl+B (bold), Ctrl+I (italic), Ctrl+K with a selection
// (link; without one, Ctrl+K stays the app's quick open). Each is a CodeMirror command: a
// function of the view that dispatches one transaction (one undo step) and returns whether it
// applied. They take the CodeMirror classes they need, so they can be tested without a DOM.

/**
 * A command that wraps each selection range in `mark` (`**`), or unwraps it when it is already
 * wrapped (inside or just outside the selection). An empty selection gets an empty pair with
 * the caret between.
 */
export function toggleWrap(mark, { EditorSelection }) {
  return (view) => {
    const { state } = view;
    if (state.readOnly) return false;
    const n = mark.length;
    const tx = state.changeByRange((range) => {
      const { from, to } = range;
      const inner = state.sliceDoc(from, to);
      if (inner.length >= 2 * n && inner.startsWith(mark) && inner.endsWith(mark)) {
        return {
          changes: [{ from, to: from + n }, { from: to - n, to }],
          range: EditorSelection.range(from, to - 2 * n),
        };
      }
      if (state.sliceDoc(from - n, from) === mark && state.sliceDoc(to, to + n) === mark && !(n === 1 && isDoubled(state, from, to, mark))) {
        return {
          changes: [{ from: from - n, to: from }, { from: to, to: to + n }],
          range: EditorSelection.range(from - n, to - n),
        };
      }
      return {
        changes: [{ from, insert: mark }, { from: to, insert: mark }],
        range: EditorSelection.range(from + n, to + n),
      };
    });
    view.dispatch(state.update(tx, { scrollIntoView: true, userEvent: "input.format" }));
    return true;
  };
}

/** `*x*` inside `**x**`: the single marks around the selection belong to a bold pair. */
function isDoubled(state, from, to, mark) {
  return state.sliceDoc(from - 2, from) === mark + mark && state.sliceDoc(to, to + 2) === mark + mark;
}

/** Ctrl+K: the selected text becomes `[text](url)`, with `url` selected to type over. */
export function insertLink({ EditorSelection }) {
  return (view) => {
    const { state } = view;
    if (state.readOnly || state.selection.ranges.every((r) => r.empty)) return false;
    const tx = state.changeByRange((range) => {
      const text = state.sliceDoc(range.from, range.to);
      const insert = `[${text}](url)`;
      const start = range.from + text.length + 3;
      return { changes: { from: range.from, to: range.to, insert }, range: EditorSelection.range(start, start + 3) };
    });
    view.dispatch(state.update(tx, { scrollIntoView: true, userEvent: "input.format" }));
    return true;
  };
}

/** The editor's Markdown key bindings, for CodeMirror's keymap facet. */
export function markdownBindings(cm) {
  return [
    { key: "Mod-b", run: toggleWrap("**", cm) },
    { key: "Mod-i", run: toggleWrap("*", cm) },
    { key: "Mod-k", run: insertLink(cm) },
  ];
}
