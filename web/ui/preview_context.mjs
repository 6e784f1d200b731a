// What the preview needs from the rest of the page, in one place: the open note's path, the
// workspace's items (to find images and linked notes), opening a note, a file's bytes, and the
// editor as the source of the text (scroll sync, task checkboxes).

import { readFile } from "./cloudfiles.mjs";

/**
 * The editor as the preview's `source` (preview_sync.mjs). The editor's own line API is used
 * when it has one (`replaceLine(n, text)`, `topLine()`, `scrollToLine(n)`, `scroller`); a plain
 * text area otherwise.
 */
export function editorSource(editor) {
  const line = (name) => (typeof editor[name] === "function" ? (...args) => editor[name](...args) : undefined);
  return {
    get element() { return editor.scroller || editor.textarea; },
    text: () => (typeof editor.text === "function" ? editor.text() : editor.textarea.value),
    replaceLine: line("replaceLine"),
    topLine: line("topLine"),
    scrollToLine: line("scrollToLine"),
  };
}

/** Connect `editor.preview` to the page: `documents` opens notes, `session` reads files. */
export function connectPreview({ editor, tree, session, store, documents }) {
  const preview = editor.preview;
  const source = editorSource(editor);
  preview.connect({
    notePath: () => editor.current?.artifact?.path ?? "/",
    artifacts: () => tree.artifacts(),
    // A large image's bytes may be on this device or in S3 only (files.add keeps them out of the SQLite file).
    download: (id) => readFile(session, id),
    canWrite: () => store.canWrite(),
    splitView: () => (source.element.checkVisibility ? source.element.checkVisibility() : true),
    source,
    openNote: (id, fragment) => {
      if (editor.current?.id === id) { preview.scrollTo(fragment); return; }
      preview.scrollTo(fragment, { later: true });
      documents().open(id);
    },
  });
}
