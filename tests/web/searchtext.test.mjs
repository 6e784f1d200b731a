// The search panel's DOM-free helpers (web/ui/searchtext.mjs). Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

import { snippetParts, readableParts, groupHits, locateMatch } from "../../web/ui/searchtext.mjs";

test("a snippet's marks become parts; escaped markup stays text", () => {
  assert.deepEqual(snippetParts("a &lt;b&gt; <mark>word</mark> &amp; &quot;x&quot; &#x27;y&#x27;"), [
    { text: "a <b> ", mark: false }, { text: "word", mark: true }, { text: ` & "x" 'y'`, mark: false },
  ]);
  // Only the exact tags are markup: anything else, even if it looks like a tag, is text.
  assert.deepEqual(snippetParts("<img src=x onerror=alert(1)><mark >x</mark>"), [
    { text: "<img src=x onerror=alert(1)><mark >x", mark: false },
  ]);
  assert.deepEqual(snippetParts(null), []);
  assert.deepEqual(snippetParts("&amp;lt;"), [{ text: "&lt;", mark: false }]);
});

test("hits are grouped by document in the order of each document's best hit", () => {
  const hits = [
    { id: "a", name: "A", snippet_html: "one", source: "keyword", section: null },
    { id: "b", name: "B", snippet_html: "two", source: "semantic", section: "B › Intro" },
    { id: "a", name: "A", snippet_html: "three", source: "semantic", section: "A › End" },
    { id: "a", name: "A", snippet_html: "one", source: "semantic", section: null },
  ];
  const groups = groupHits(hits);
  assert.deepEqual(groups.map((g) => g.id), ["a", "b"]);
  assert.deepEqual(groups[0].snippets, [
    { html: "one", section: null, source: "keyword" }, { html: "three", section: "A › End", source: "semantic" },
  ]);
  assert.deepEqual(groups[0].sources, ["keyword", "semantic"]);
  assert.deepEqual(groupHits([{ id: "c", snippet_html: "" }])[0].snippets, []);
});

test("a match is found ignoring case and accents, at word starts, whole words first", () => {
  const text = "Planning the café. The plan is in the Café itself.";
  assert.deepEqual(locateMatch(text, ["plan"]), { from: 23, to: 27 });
  assert.equal(text.slice(23, 27), "plan");
  const cafe = locateMatch(text, ["CAFE"]);
  assert.equal(text.slice(cafe.from, cafe.to), "café");
  // Only a prefix match: the selection runs to the end of the word.
  const pre = locateMatch("We are planning it", ["plan"]);
  assert.equal("We are planning it".slice(pre.from, pre.to), "planning");
  // Not inside a word.
  assert.equal(locateMatch("explanation", ["plan"]), null);
  // The earliest of several terms.
  const first = locateMatch("zeta alpha beta", ["beta", "alpha"]);
  assert.deepEqual(first, { from: 5, to: 10 });
});

test("a phrase matches across any separators; nothing to find gives null", () => {
  const text = "see the Refund-policy,\nrefund  policy";
  const m = locateMatch(text, ["refund policy"]);
  assert.equal(text.slice(m.from, m.to), "Refund-policy");
  assert.equal(locateMatch(text, []), null);
  assert.equal(locateMatch("", ["x"]), null);
  assert.equal(locateMatch("text", ["(*)"]), null);
  // Punctuation inside a term separates words, as the index's tokenizer sees them.
  const dotted = locateMatch("a.b*c", ["b*c"]);
  assert.equal("a.b*c".slice(dotted.from, dotted.to), "b*c");
});

test("offsets are the original text's, after characters that fold to several or none", () => {
  const text = "e\u0301e\u0301 Straße groß";
  const m = locateMatch(text, ["gross"]);
  assert.equal(m, null); // ß is not ss for the index either
  const n = locateMatch(text, ["straße"]);
  assert.equal(text.slice(n.from, n.to), "Straße");
  const emoji = "😀 done";
  const d = locateMatch(emoji, ["done"]);
  assert.equal(emoji.slice(d.from, d.to), "done");
});

test("long texts: matches across the windows' edges are found, words cut by an edge are not", () => {
  const WINDOW = 1 << 18;
  for (const filler of ["x", "é"]) {
    const across = `${filler.repeat(WINDOW - 3)} zephyr`;
    assert.deepEqual(locateMatch(across, ["zephyr"]), { from: WINDOW - 2, to: WINDOW + 4 });
    // One word running over the edge: "zephyr" is inside it, not at its start.
    assert.equal(locateMatch(`${filler.repeat(WINDOW - 2)}zephyr`, ["zephyr"]), null);
    // A whole word in the next window, after a prefix match in the first.
    const text = `${filler.repeat(WINDOW - 10)} zephyrs ${"y".repeat(WINDOW)} zephyr`;
    const m = locateMatch(text, ["zephyr"]);
    assert.equal(text.slice(m.from, m.to), "zephyrs"); // the first window's prefix match wins
  }
});

test("a snippet reads without Markdown's markup, its marks kept", () => {
  const text = (html) => readableParts(snippetParts(html)).map((p) => (p.mark ? `[${p.text}]` : p.text)).join("");
  assert.equal(text("# Refund policy\nCustomers may <mark>return</mark> any item.\n\n| a | b |\n|:-|-:|\n| 1 | 2 |"),
    "Refund policy Customers may [return] any item. a b 1 2 ");
  assert.equal(text("- [ ] task one\n- [x] **done** and `code`\n> quoted\n1. first"),
    "task one done and code quoted first");
  assert.equal(text("See [[Refund policy]], [[notes/a|the plan]] and [the site](https://x.org \"t\") ![pic](p.png)"),
    "See Refund policy, the plan and the site pic");
  // Words are never taken: numbers, dashes and stars inside a sentence stay.
  assert.equal(text("In 2024. prices rose 3-4 % and 2*3 is six"), "In 2024. prices rose 3-4 % and 2*3 is six");
  assert.deepEqual(readableParts([{ text: "**", mark: false }, { text: "bold", mark: true }]), [{ text: "bold", mark: true }]);
});

test("a chunk's text, its lines already joined, reads without markup too", () => {
  const text = (html) => readableParts(snippetParts(html)).map((p) => p.text).join("");
  assert.equal(text("Refund policy Customers may return. | a | b | |:-|-:| | 1 | 2 | - [ ] task one - [x] done ## Next"),
    "Refund policy Customers may return. a b 1 2 task one done Next");
  assert.equal(text("a range 3 - 4 and a dash - here, issue #12"), "a range 3 - 4 and a dash - here, issue #12");
});
