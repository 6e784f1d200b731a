// The command palette's fuzzy matching (web/ui/fuzzy.mjs). Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

import { fuzzyMatch, fuzzyFilter } from "../../web/ui/fuzzy.mjs";

const TITLES = ["Download the open document", "New document", "New folder", "Export workspace",
  "Search the text of every document", "Open today's note", "Keyboard shortcuts"];

test("characters in order match, in any case; others do not", () => {
  assert.ok(fuzzyMatch("nwdc", "New document"));
  assert.ok(fuzzyMatch("NEW DOC", "New document"));
  assert.equal(fuzzyMatch("fn", "New document"), null);
  assert.equal(fuzzyMatch("xyz", "New document"), null);
  assert.deepEqual(fuzzyMatch("", "New document"), { score: 0, positions: [] });
});

test("word starts and substrings rank first", () => {
  const order = (q) => fuzzyFilter(TITLES, q, (t) => t).map((r) => r.item);
  assert.equal(order("nd")[0], "New document");
  assert.equal(order("new f")[0], "New folder");
  assert.equal(order("export")[0], "Export workspace");
  assert.equal(order("today")[0], "Open today's note");
  assert.equal(order("short")[0], "Keyboard shortcuts");
  assert.equal(order("")[0], TITLES[0]); // an empty query keeps the table's order
});

test("positions point at the matched characters", () => {
  const m = fuzzyMatch("nf", "New folder");
  assert.deepEqual(m.positions, [0, 4]);
  const s = fuzzyMatch("fold", "New folder");
  assert.deepEqual(s.positions, [4, 5, 6, 7]);
});

test("a match is found even when word starts lead past it", () => {
  assert.ok(fuzzyMatch("ref", "Search the text of every document"));
  assert.ok(fuzzyMatch("sed", "Search the text of every document"));
});
