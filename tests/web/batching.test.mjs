// Texts are grouped into model runs of similar length: every text once, short ones together,
// no group over the size limits, a fixed batch size honoured.
import { test } from "node:test";
import assert from "node:assert/strict";
import { groups, BATCH_CHARS, MAX_BATCH } from "../../web/embed/batching.mjs";

const texts = Array.from({ length: 90 }, (_, i) => "word ".repeat((i * 37) % 400 + 1));

test("every text is in exactly one group, each group sorted by length", () => {
  const parts = groups(texts);
  const all = parts.flat();
  assert.deepEqual([...all].sort((a, b) => a - b), texts.map((_, i) => i));
  const lengths = all.map((i) => texts[i].length);
  assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b));
});

test("a group holds at most MAX_BATCH texts and about BATCH_CHARS of text", () => {
  for (const part of groups(texts)) {
    assert.ok(part.length >= 1 && part.length <= MAX_BATCH);
    const longest = Math.min(Math.max(...part.map((i) => texts[i].length)), 1200);
    assert.ok(part.length === 1 || part.length * longest <= BATCH_CHARS);
  }
  assert.equal(groups(Array(40).fill("a b c")).every((p) => p.length === MAX_BATCH || p.length === 8), true);
});

test("a fixed batch size cuts runs of exactly that many, the last one shorter", () => {
  const parts = groups(texts, 7);
  assert.deepEqual(parts.map((p) => p.length), [...Array(12).fill(7), 6]);
  assert.deepEqual(groups([], 4), []);
});
