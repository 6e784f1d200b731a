// Selecting a range of the open document's text and scrolling it into view (a search hit): the
// one place the search panel reaches into the editor, through the editor's own API.

/** The open document's text as the editor shows it. */
export function editorText(editor) {
  return editor.text();
}

/** Select `from`..`to` (offsets into the text), focus the editor and scroll the range into view
 * (leaving the preview-only view first: a match in a hidden editor is not in view). */
export function selectInEditor(editor, from, to) {
  editor.focus();
  editor.select(from, to);
}
