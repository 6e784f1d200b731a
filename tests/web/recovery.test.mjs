// Unsaved text kept for the next open (web/ui/recovery.mjs). Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

import { Recovery, TYPED, applyEdits, differingPart, fingerprint, fingerprintWhenIdle, keptText, recoveredText, unionMerge } from "../../web/ui/recovery.mjs";
import { addAnchor, addChanges, copyTrack, freshTrack, keepOnly, writeTrack } from "../../web/ui/keptedits.mjs";
import { EditorState } from "../../web/vendor/codemirror/codemirror.mjs";

/** The Web Storage interface over a Map, with an optional quota in characters. */
class MemoryStorage {
  constructor(quota = Infinity) { this.map = new Map(); this.quota = quota; }
  get length() { return this.map.size; }
  key(i) { return [...this.map.keys()][i] ?? null; }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) {
    const used = [...this.map].reduce((n, [key, val]) => n + (key === k ? 0 : key.length + val.length), 0);
    if (used + k.length + String(v).length > this.quota) throw new Error("QuotaExceededError");
    this.map.set(k, String(v));
  }
  removeItem(k) { this.map.delete(k); }
}

test("kept text comes back with its bases and is gone once dropped", () => {
  const r = new Recovery(new MemoryStorage());
  assert.equal(r.keep("a", "hello world", { bases: [fingerprint("hello")] }), true);
  const kept = r.get("a");
  assert.equal(kept.text, "hello world");
  assert.deepEqual(kept.bases, [fingerprint("hello")]);
  assert.deepEqual(r.ids(), ["a"]);
  r.drop("a");
  assert.equal(r.get("a"), null);
  assert.deepEqual(r.ids(), []);
});

test("a refused write reports false and leaves what was kept before", () => {
  const r = new Recovery(new MemoryStorage(200));
  assert.equal(r.keep("a", "short"), true);
  assert.equal(r.keep("a", "x".repeat(500)), false);
  assert.equal(r.failed, true);
  assert.equal(r.get("a").text, "short");
});

test("the kept text wins when the engine holds the text it was typed on", () => {
  const saved = "# Note\n\nfirst";
  const kept = { text: saved + " and more", bases: [fingerprint(saved)] };
  assert.equal(recoveredText(saved, kept), saved + " and more");
});

test("a save that landed but was never confirmed still counts as a base", () => {
  const r = new Recovery(new MemoryStorage());
  r.keep("a", "one two", { bases: [fingerprint("one")] });
  r.addBase("a", fingerprint("one two"));
  r.keep("a", "one two three", { bases: r.get("a").bases });
  assert.equal(recoveredText("one two", r.get("a")), "one two three");
});

test("nothing to recover when the engine already has the kept text", () => {
  assert.equal(recoveredText("same", { text: "same", bases: [] }), null);
  assert.equal(recoveredText("same", null), null);
});

test("text changed elsewhere is merged, keeping every line of both", () => {
  const engine = "title\nchanged by another tab\nend";
  const kept = { text: "title\ntyped here\nend", bases: [fingerprint("title\nold\nend")] };
  const merged = recoveredText(engine, kept);
  for (const line of ["title", "changed by another tab", "typed here", "end"]) assert.ok(merged.split("\n").includes(line), line);
  assert.equal(merged.split("\n").filter((l) => l === "title").length, 1);
});

test("text typed while a document was opening goes in front of it", () => {
  assert.equal(recoveredText("body", { text: "> ", bases: [], prefix: true }), "> body");
});

test("union merge of identical texts is the text; of disjoint ones, both in order", () => {
  assert.equal(unionMerge("a\nb", "a\nb"), "a\nb");
  assert.equal(unionMerge("x", "y"), "x\ny");
  assert.equal(unionMerge("", "new"), "\nnew");
});

test("fingerprints differ for different texts and include the length", () => {
  assert.notEqual(fingerprint("ab"), fingerprint("ba"));
  assert.ok(fingerprint("abc").startsWith("3:"));
});

test("edits in CodeMirror's ChangeSet JSON apply to the text they were made on, and only to it", () => {
  assert.equal(applyEdits("hello world", [5, [0, ","], 6]), "hello, world");
  assert.equal(applyEdits("ab\ncd", [1, [3, "X", "Y"], 1]), "aX\nYd");
  assert.equal(applyEdits("abc", [3]), "abc");
  assert.equal(applyEdits("abcd", [3]), null); // made on a shorter text
  assert.equal(applyEdits("abc", [2, [5]]), null);
  assert.equal(applyEdits("abc", null), "abc");
});

test("each keystroke writes only its edit; the next open applies it to the engine's text", () => {
  const storage = new MemoryStorage();
  const r = new Recovery(storage);
  const saved = "# Big\n\n" + "a line of a long note\n".repeat(20000);
  let state = EditorState.create({ doc: saved });
  const track = freshTrack(state.changes([]));
  let written = 0;
  for (const ch of "typed") {
    const tr = state.update({ changes: { from: state.doc.length, insert: ch } });
    state = tr.state;
    assert.equal(addChanges(track, tr.changes), true);
    assert.equal(writeTrack(r, "a", track, [fingerprint(saved)], () => fingerprint(saved)), true);
    written = Math.max(written, [...storage.map.values()].reduce((n, v) => n + v.length, 0));
  }
  assert.ok(written < 1000, `a keystroke wrote ${written} characters`);
  const kept = r.get("a", saved);
  assert.equal(kept.text, saved + "typed");
  assert.equal(recoveredText(saved, kept), saved + "typed");
  // Edits kept against one text are not applied to another (there is no full copy to merge).
  assert.equal(r.get("a", "something else"), null);
});

test("a save in flight is an anchor too; once it is durable the older text is not", () => {
  const r = new Recovery(new MemoryStorage());
  let state = EditorState.create({ doc: "one" });
  const track = freshTrack(state.changes([]));
  const type = (text) => {
    const tr = state.update({ changes: { from: state.doc.length, insert: text } });
    state = tr.state;
    addChanges(track, tr.changes);
  };
  type(" two");
  addAnchor(track, fingerprint("one two"), state.changes([]));
  type(" three");
  writeTrack(r, "a", track, [fingerprint("one"), fingerprint("one two")], () => fingerprint("one"));
  assert.equal(r.get("a", "one").text, "one two three");
  assert.equal(r.get("a", "one two").text, "one two three");
  keepOnly(track, fingerprint("one two"));
  writeTrack(r, "a", track, [fingerprint("one two")], () => fingerprint("one two"));
  assert.equal(r.get("a", "one"), null);
  assert.equal(r.get("a", "one two").text, "one two three");
});

test("edits since a full copy bring back the text even when the engine holds another", () => {
  const r = new Recovery(new MemoryStorage());
  let state = EditorState.create({ doc: "title\ntyped here" });
  r.keep("a", state.doc.toString(), { bases: [fingerprint("title\nold")] });
  const track = copyTrack(state.changes([]));
  const tr = state.update({ changes: { from: state.doc.length, insert: " and more" } });
  addChanges(track, tr.changes);
  writeTrack(r, "a", track, [fingerprint("title\nold")], () => fingerprint("title\nold"));
  const kept = r.get("a", "title\nchanged elsewhere");
  assert.equal(kept.text, "title\ntyped here and more");
  const merged = recoveredText("title\nchanged elsewhere", kept);
  for (const line of ["title", "changed elsewhere", "typed here and more"]) assert.ok(merged.split("\n").includes(line), line);
});

test("keptText: the kept edits on the shown text, the text typed while opening in front, and the bases named", () => {
  const r = new Recovery(new MemoryStorage());
  const saved = "one\ntwo\n";
  const state = EditorState.create({ doc: saved });
  const track = freshTrack(state.changes([]));
  addChanges(track, state.changes({ from: saved.length, insert: "three" }));
  addAnchor(track, fingerprint(saved + "thr"), state.update({ changes: { from: saved.length, insert: "three" } }).state.changes([]));
  assert.equal(writeTrack(r, "a", track, [fingerprint(saved)], () => fingerprint(saved)), true);
  const kept = keptText(r, "a", saved);
  assert.equal(kept.text, saved + "three");
  assert.equal(kept.stale, false);
  assert.equal(kept.typed, false);
  assert.ok(kept.bases.includes(fingerprint(saved)) && kept.bases.includes(fingerprint(saved + "thr")));
  // Read only: the record is still there.
  assert.equal(keptText(r, "a", saved).text, saved + "three");
  r.keep(TYPED + "a", "early ", { prefix: true });
  assert.equal(keptText(r, "a", saved).text, "early " + saved + "three");
  assert.equal(keptText(r, "a", saved).typed, true);
  // A record that recovers nothing is stale; none at all is null.
  r.drop("a");
  r.drop(TYPED + "a");
  r.keep("b", saved, { bases: [] });
  assert.deepEqual([keptText(r, "b", saved).text, keptText(r, "b", saved).stale], [null, true]);
  assert.equal(keptText(r, "c", saved), null);
});

test("differingPart replaces only what differs between two texts", () => {
  const apply = (a, { from, to, insert }) => a.slice(0, from) + insert + a.slice(to);
  for (const [a, b] of [["hello world", "hello brave world"], ["abc", "abc"], ["", "x"], ["x", ""], ["aaa", "aa"], ["ab", "ba"]]) {
    const part = differingPart(a, b);
    assert.equal(apply(a, part), b);
    assert.ok(part.to - part.from <= a.length && part.insert.length <= b.length);
  }
  assert.deepEqual(differingPart("hello world", "hello brave world"), { from: 6, to: 6, insert: "brave " });
});

test("the fingerprint computed in idle slices is the fingerprint", async () => {
  const idle = [];
  globalThis.requestIdleCallback = (fn) => { idle.push(fn); return idle.length; };
  try {
    const text = "a line of a long note\n".repeat(20000) + "é\u{1F600}";
    let got = null;
    fingerprintWhenIdle(text, (fp) => { got = fp; });
    let slices = 0;
    while (idle.length) { idle.shift()({ timeRemaining: () => 0 }); slices++; }
    assert.equal(got, fingerprint(text));
    assert.ok(slices > 1, "computed in more than one slice");
  } finally {
    delete globalThis.requestIdleCallback;
  }
});
