// Opening the note open last once the page is ready (web/ui/documents.mjs), against a user who is
// quicker than the tree. Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

globalThis.navigator ??= { platform: "Linux x86_64", userAgent: "node" };
const stored = new Map();
globalThis.localStorage = {
  getItem: (k) => (stored.has(k) ? stored.get(k) : null),
  setItem: (k, v) => stored.set(k, String(v)),
};
const { Documents } = await import("../../web/ui/documents.mjs");

/** An editor that records what it was asked to show; `open` resolves when `arrive()` is called. */
function fakes(artifacts) {
  const events = [];
  const editor = {
    current: null, loading: null, shown: [],
    async open(id) { this.loading = { id }; this.current = { id, artifact: { id } }; this.loading = null; this.shown.push(id); return this.current; },
    close() { this.current = null; this.loading = null; this.shown.push(null); },
  };
  const tree = {
    data: { artifacts }, render(data) { this.data = data; },
    byId: (id) => artifacts.find((a) => a.id === id) ?? null,
    select() {}, reveal() {},
  };
  const store = { emit: (name) => events.push(name), on() {}, canRead: () => true };
  const session = { call: async () => ({ artifacts }) };
  return { documents: new Documents({ store, session, tree, editor }), editor, events };
}

test("the note open last opens when nothing else is", async () => {
  stored.set("quire.open", "b");
  const { documents, editor } = fakes([{ id: "a", path: "/a.md" }, { id: "b", path: "/b.md" }]);
  await documents.openLast();
  assert.deepEqual(editor.shown, ["b"]);
});

test("no note open last, or one since deleted: the empty state", async () => {
  stored.set("quire.open", "gone");
  const { documents, editor } = fakes([{ id: "a", path: "/a.md" }]);
  await documents.openLast();
  assert.deepEqual(editor.shown, [null]);
});

test("a document begun before the tree was read stays open", async () => {
  stored.delete("quire.open");
  const { documents, editor } = fakes([{ id: "a", path: "/a.md" }]);
  editor.loading = { id: null, typed: "" }; // New document: the editor shows it before it exists
  await documents.openLast();
  assert.deepEqual(editor.shown, []);
  assert.ok(editor.loading);
});

test("a document opened before the tree was read is not replaced by the one open last", async () => {
  stored.set("quire.open", "b");
  const { documents, editor } = fakes([{ id: "a", path: "/a.md" }, { id: "b", path: "/b.md" }]);
  await documents.open("a");
  await documents.openLast();
  assert.deepEqual(editor.shown, ["a"]);
  assert.equal(editor.current.id, "a");
});
