// The editing surface: CodeMirror 6 (bundled at build time into ../vendor/codemirror/), with
// Markdown highlighting, soft wrap, no line numbers, list continuation on Enter, Tab to indent
// (Esc then Tab leaves the editor), Ctrl+B / Ctrl+I / Ctrl+K, find and replace (Ctrl+F), and
// one EditorState per open document, so each keeps its own undo history across switches.
//
// This is the only module that knows CodeMirror. The API others use (the editor, and through
// it the preview, search and link completion):
//   text()                       the shown text
//   load(key, text)              show document `key` from its start; its undo history comes
//                                back (a text changed meanwhile is one more edit)
//   setText(text)                replace everything, as one undoable edit
//   insert(at, text)             insert as the user would (one undoable edit)
//   selection() / select(from, to)  the main selection; select also scrolls it into view
//   replaceLine(n, text)         replace line n (1-based), e.g. a task checkbox ticked elsewhere
//   lineCount(), topLine(), scrollToLine(n), onScroll(fn)   for a pane that follows the editor
//   setReadOnly, setPlaceholder, setBusy, focus, forget(key), refreshCompletion()
//   bind(callbacks)              who hears of changes (a view made early is handed over)
//   docRef, emptyChanges()       the text as CodeMirror's immutable Text, and an empty
//                                ChangeSet on it (the unsaved-text keeper composes edits)

import {
  EditorState, EditorSelection, Compartment, EditorView, keymap, placeholder, highlightSpecialChars,
  history, historyKeymap, defaultKeymap, indentMore, indentLess, markdownLanguage, markdownKeymap, pasteURLAsLink,
  syntaxHighlighting, search, searchKeymap, highlightSelectionMatches, autocompletion,
  completionKeymap, dropCursor, Prec, Annotation, startCompletion, completionStatus,
} from "../vendor/codemirror/codemirror.mjs";
import { markdownBindings } from "./mdcommands.mjs";
import { markdownHighlight } from "./texttheme.mjs";
import { differingPart } from "./recovery.mjs";

const HUGE_PARAGRAPH = 50_000; // characters without a blank line
const KEPT_STATES = 24; // documents whose undo history is kept while switched away from
// Marks the edit that brings a kept document up to the text it has now (not the user's typing).
const reloaded = Annotation.define();

export class TextView {
  /**
   * `parent`: the element the editor goes in. `label`: its accessible name. `onChange()`: the
   * user (or setText/insert) changed the text; `onBlur()`: the editor lost focus. `complete`:
   * an optional CodeMirror completion source (the `[[` links). `onFiles(files, pos)`: files
   * pasted or dropped at `pos`; returns true when it took them (the browser then does nothing).
   */
  constructor(parent, { label, ...callbacks }) {
    this.bind(callbacks);
    this.key = null;
    this.states = new Map(); // key -> {state} of documents switched away from
    this.scrollListeners = new Set();
    this.settings = { readOnly: false, placeholder: "", busy: false, kind: "markdown" };
    this.dynamic = new Compartment();
    this.label = label;
    this.view = new EditorView({ parent, state: this.newState("") });
    this.view.contentDOM.addEventListener("blur", () => this.onBlur?.());
    this.view.scrollDOM.addEventListener("scroll", () => {
      for (const fn of this.scrollListeners) fn(this.topLine());
    }, { passive: true });
  }

  /**
   * Who hears of changes, blur and files, and the completion source (the first screen's view
   * is handed to the page's editor this way, with its text, caret and undo history).
   */
  bind({ onChange = null, onBlur = null, complete = null, onFiles = null }) {
    Object.assign(this, { onChange, onBlur, complete, onFiles });
  }

  newState(text) {
    const cm = { EditorSelection };
    // Lezer's Markdown parser re-reads a whole paragraph on each edit: a document with a giant
    // one (a pasted log) is edited as plain text, so typing stays instant.
    const language = hasHugeParagraph(text) ? [] : markdownSupport();
    return EditorState.create({
      doc: text,
      extensions: [
        history(),
        highlightSpecialChars(),
        dropCursor(),
        EditorView.lineWrapping,
        language,
        highlightSelectionMatches(),
        search({ top: true }),
        // interactionDelay 0: the link list refreshes when the engine answers (linkcomplete.mjs);
        // a list that was already showing must take Enter at once, not type a line break.
        // The source is looked up when asked: a view bound later (bind) completes as well.
        autocompletion({ override: [(context) => (this.complete ? this.complete(context) : null)], activateOnTyping: true, icons: false,
          interactionDelay: 0 }),
        Prec.high(keymap.of(markdownBindings(cm))),
        keymap.of([
          ...completionKeymap,
          { key: "Tab", run: indentMore, shift: indentLess },
          ...searchKeymap, ...historyKeymap, ...defaultKeymap,
        ]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !u.transactions.some((tr) => tr.annotation(reloaded))) this.onChange?.(u);
        }),
        EditorView.domEventHandlers({
          paste: (event, view) => this.takeFiles(event, event.clipboardData, view.state.selection.main.head),
          drop: (event, view) => this.takeFiles(event, event.dataTransfer, view.posAtCoords({ x: event.clientX, y: event.clientY })),
        }),
        this.dynamic.of(this.dynamicExtensions()),
      ],
    });
  }

  takeFiles(event, data, pos) {
    const files = [...(data?.files || [])];
    if (!files.length || !this.onFiles || this.settings.readOnly) return false;
    if (!this.onFiles(files, pos ?? this.view.state.selection.main.head)) return false;
    event.preventDefault();
    return true;
  }

  /** What follows the page's settings: read-only, placeholder, busy, the accessible name. */
  dynamicExtensions() {
    const { readOnly, busy } = this.settings;
    const attrs = { "aria-label": this.label, "aria-multiline": "true", role: "textbox", spellcheck: "true" };
    if (busy) attrs["aria-busy"] = "true";
    if (readOnly) attrs["aria-readonly"] = "true";
    return [
      EditorState.readOnly.of(readOnly),
      EditorView.editable.of(!readOnly),
      EditorView.contentAttributes.of(attrs),
      this.settings.placeholder ? placeholder(this.settings.placeholder) : [],
    ];
  }

  applySettings(patch) {
    Object.assign(this.settings, patch);
    this.view.dispatch({ effects: this.dynamic.reconfigure(this.dynamicExtensions()) });
  }

  /** The shown text (joined once per change: a big document is a tree of lines). */
  text() {
    const { doc } = this.view.state;
    if (doc !== this.joinedDoc) {
      this.joinedDoc = doc;
      this.joined = doc.toString();
    }
    return this.joined;
  }

  get length() { return this.view.state.doc.length; }

  /** The shown text as CodeMirror's immutable Text: the same object while nothing changed. */
  get docRef() { return this.view.state.doc; }

  /** A ChangeSet that changes nothing in the shown text (edits are composed onto it). */
  emptyChanges() { return this.view.state.changes([]); }

  /** Show document `key` with `text`; a known key whose text is unchanged keeps its history. */
  load(key, text) {
    this.stash();
    const kept = key === null ? null : this.states.get(key);
    this.states.delete(key);
    this.key = key;
    const same = kept && kept.state.doc.length === text.length && kept.state.doc.toString() === text;
    this.view.setState(kept ? kept.state : this.newState(text));
    // A document opens at its start (what is typed while it opens goes there too), with its
    // undo history; a text changed while away (a restore, another tab) is one more edit.
    const changes = kept && !same ? { from: 0, to: this.view.state.doc.length, insert: text } : undefined;
    this.view.dispatch({
      changes, selection: { anchor: 0 }, annotations: reloaded.of(true),
      effects: this.dynamic.reconfigure(this.dynamicExtensions()),
    });
    // A view's first document starts at the top already; setting scrollTop would force a
    // layout of the whole page before its first frame (about 9 ms on the first screen).
    if (this.loadedOnce) this.view.scrollDOM.scrollTop = 0;
    this.loadedOnce = true;
  }

  /** Keep the shown document's state for when it is shown again. */
  stash() {
    if (this.key === null) return;
    this.states.set(this.key, { state: this.view.state });
    while (this.states.size > KEPT_STATES) this.states.delete(this.states.keys().next().value);
  }

  /** Forget a document's kept state (it was deleted or replaced). */
  forget(key) {
    this.states.delete(key);
    if (this.key === key) this.key = null;
  }

  /** Replace the whole text as one edit (undo brings the old text back). */
  setText(text) {
    const { doc } = this.view.state;
    if (doc.length === text.length && doc.toString() === text) return;
    this.view.dispatch({ changes: { from: 0, to: doc.length, insert: text }, userEvent: "input.replace" });
  }

  /**
   * Show `text` instead of the loaded one, as one undoable edit that onChange does not hear of
   * (unsaved text recovered on opening: whoever calls this keeps it). Only the part that differs
   * is replaced, so the edit stays as small as what was typed. Returns its ChangeSet.
   */
  restore(text) {
    const tr = this.view.state.update({ changes: differingPart(this.text(), text), annotations: reloaded.of(true) });
    this.view.dispatch(tr);
    return tr.changes;
  }

  /** Insert text at `at` (the caret by default) and put the caret after it. */
  insert(text, at = null) {
    const sel = this.view.state.selection.main;
    const from = at ?? sel.from, to = at ?? sel.to;
    this.view.dispatch({
      changes: { from, to, insert: text },
      selection: EditorSelection.cursor(from + text.length),
      userEvent: "input", scrollIntoView: true,
    });
  }

  /** Text typed before the content arrived goes in front of it; the caret stays where it was. */
  prepend(text, caret) {
    this.view.dispatch({
      changes: { from: 0, insert: text },
      selection: EditorSelection.range(caret[0], caret[1]),
      userEvent: "input",
    });
  }

  selection() {
    const { from, to } = this.view.state.selection.main;
    return [from, to];
  }

  /** Select a range (a search hit) and scroll it into view. */
  select(from, to = from) {
    const len = this.length;
    const clamp = (n) => Math.max(0, Math.min(len, n));
    this.view.dispatch({ selection: EditorSelection.range(clamp(from), clamp(to)), scrollIntoView: true });
  }

  lineCount() { return this.view.state.doc.lines; }

  /** Replace line `n` (1-based) with `text`, as one undoable edit. */
  replaceLine(n, text) {
    const { doc } = this.view.state;
    if (n < 1 || n > doc.lines) throw new RangeError(`no line ${n}`);
    const line = doc.line(n);
    this.view.dispatch({ changes: { from: line.from, to: line.to, insert: text }, userEvent: "input" });
  }

  /** The first line (1-based) visible at the top of the editor. */
  topLine() {
    const block = this.view.lineBlockAtHeight(this.view.scrollDOM.scrollTop);
    return this.view.state.doc.lineAt(block.from).number;
  }

  /** Scroll so that line `n` (1-based) is at the top. */
  scrollToLine(n) {
    const { doc } = this.view.state;
    const line = doc.line(Math.max(1, Math.min(doc.lines, n)));
    this.view.dispatch({ effects: EditorView.scrollIntoView(line.from, { y: "start" }) });
  }

  /** Call `fn(topLine)` whenever the editor scrolls; returns the function that stops it. */
  onScroll(fn) {
    this.scrollListeners.add(fn);
    return () => this.scrollListeners.delete(fn);
  }

  setReadOnly(readOnly) { if (readOnly !== this.settings.readOnly) this.applySettings({ readOnly }); }

  setPlaceholder(text) { if (text !== this.settings.placeholder) this.applySettings({ placeholder: text }); }

  setBusy(busy) { if (busy !== this.settings.busy) this.applySettings({ busy }); }

  focus() { this.view.focus(); }

  /** Run the completion source again, if a completion is open or pending (its answer came). */
  refreshCompletion() {
    if (completionStatus(this.view.state) !== null) startCompletion(this.view);
  }

  hasFocus() { return this.view.hasFocus; }

  /** The element that scrolls the text. */
  get scroller() { return this.view.scrollDOM; }

  /** The element holding the text (for drop and paste handlers). */
  get dom() { return this.view.dom; }
}

/**
 * Markdown (GFM) highlighting, list continuation on Enter and a pasted URL over a selection
 * made a link: what `markdown()` of @codemirror/lang-markdown gives, without its nested HTML
 * parse. That parse walks every block of the document on each keystroke (about 11 ms per key
 * in a 1 MB note, measured), to highlight HTML tags the preview shows as text anyway (html off).
 */
function markdownSupport() {
  return [markdownLanguage, Prec.high(keymap.of(markdownKeymap)), pasteURLAsLink, syntaxHighlighting(markdownHighlight)];
}

/** Whether `text` has a run of more than HUGE_PARAGRAPH characters without a blank line. */
export function hasHugeParagraph(text) {
  if (text.length <= HUGE_PARAGRAPH) return false;
  let start = 0;
  for (;;) {
    const gap = text.indexOf("\n\n", start);
    const end = gap < 0 ? text.length : gap;
    if (end - start > HUGE_PARAGRAPH) return true;
    if (gap < 0) return false;
    start = gap + 2;
  }
}
