// The editor's Markdown commands (web/ui/mdcommands.mjs) on real CodeMirror states from the
// vendored bundle (built by `make setup`). Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

import { EditorState, EditorSelection, markdownLanguage, insertNewlineContinueMarkup }
  from "../../web/vendor/codemirror/codemirror.mjs";
import { toggleWrap, insertLink } from "../../web/ui/mdcommands.mjs";

/** A view-like object over a state: what a command reads and dispatches to. */
function run(command, doc, anchor, head = anchor) {
  const view = {
    state: EditorState.create({ doc, selection: EditorSelection.single(anchor, head), extensions: [markdownLanguage] }),
  };
  // A state command calls dispatch unbound: keep it a closure over `view`.
  view.dispatch = (tr) => { view.state = tr.state ?? view.state.update(tr).state; };
  const applied = command(view);
  const { from, to } = view.state.selection.main;
  return { applied, text: view.state.doc.toString(), from, to };
}

const cm = { EditorSelection };

test("Ctrl+B wraps the selection in ** and selects the same words", () => {
  const r = run(toggleWrap("**", cm), "make this bold", 5, 9);
  assert.equal(r.text, "make **this** bold");
  assert.equal(r.text.slice(r.from, r.to), "this");
});

test("Ctrl+B again unwraps it", () => {
  const r = run(toggleWrap("**", cm), "make **this** bold", 7, 11);
  assert.equal(r.text, "make this bold");
  assert.equal(r.text.slice(r.from, r.to), "this");
});

test("Ctrl+B on nothing selected puts the caret between a new pair", () => {
  const r = run(toggleWrap("**", cm), "ab", 1);
  assert.equal(r.text, "a****b");
  assert.equal(r.from, 3);
});

test("Ctrl+I inside bold adds italic instead of taking a star of the bold", () => {
  const r = run(toggleWrap("*", cm), "**x**", 2, 3);
  assert.equal(r.text, "***x***");
});

test("Ctrl+K turns the selection into a link with url selected; without one it does nothing", () => {
  const r = run(insertLink(cm), "see docs here", 4, 8);
  assert.equal(r.text, "see [docs](url) here");
  assert.equal(r.text.slice(r.from, r.to), "url");
  assert.equal(run(insertLink(cm), "abc", 1).applied, false);
});

test("Enter continues a list (CodeMirror's Markdown keymap)", () => {
  const doc = "- one";
  const r = run(insertNewlineContinueMarkup, doc, doc.length);
  assert.equal(r.text, "- one\n- ");
  const n = run(insertNewlineContinueMarkup, "1. first", 8);
  assert.equal(n.text, "1. first\n2. ");
});

test("only a document with a giant paragraph is edited without the Markdown parser", async () => {
  const { hasHugeParagraph } = await import("../../web/ui/textview.mjs");
  const para = "a line of text\nand another\n\n";
  assert.equal(hasHugeParagraph(para.repeat(50_000)), false);
  assert.equal(hasHugeParagraph("x\n".repeat(30_000)), true);
  assert.equal(hasHugeParagraph("short"), false);
});
