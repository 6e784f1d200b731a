// The parts of CodeMirror 6 the page's editor uses (web/ui/textview.mjs), bundled by
// scripts/editor_bundle.py with esbuild into web/vendor/codemirror/codemirror.mjs: one ES
// module, served from the app's origin and precached like every vendored file.
//
// Only what the page uses: `markdown()` of @codemirror/lang-markdown is not exported, since it
// brings the HTML, CSS and JavaScript languages for HTML nested in Markdown (180 of the bundle's
// 567 KB), which the editor does not highlight (textview.mjs markdownSupport); every warm reload
// parses and evaluates the whole bundle before the first screen takes typing.
export { EditorState, EditorSelection, Compartment, Transaction, Annotation, StateEffect, StateField, Text, Prec } from "@codemirror/state";
export { EditorView, ViewPlugin, keymap, placeholder, drawSelection, dropCursor, highlightSpecialChars } from "@codemirror/view";
export { history, historyKeymap, defaultKeymap, indentMore, indentLess, undo, redo, isolateHistory } from "@codemirror/commands";
export { markdownLanguage, markdownKeymap, pasteURLAsLink, insertNewlineContinueMarkup, deleteMarkupBackward } from "@codemirror/lang-markdown";
export { syntaxHighlighting, HighlightStyle, indentUnit } from "@codemirror/language";
export { search, searchKeymap, openSearchPanel, closeSearchPanel, highlightSelectionMatches } from "@codemirror/search";
export { autocompletion, completionKeymap, startCompletion, closeCompletion, completionStatus } from "@codemirror/autocomplete";
export { tags } from "@lezer/highlight";
