// Unsaved text kept for the next open (web/ui/recovery.mjs). Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

import { Recovery, fingerprint, recoveredText, unionMerge } from "../../web/ui/recovery.mjs";

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
