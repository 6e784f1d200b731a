// A line diff as the history panel shows it: a summary ("+3 −1"), then each run of changes
// with a few unchanged lines around it; removed lines struck through, added ones marked.

import { h } from "./dom.mjs";

/** `diff`: a VersionDiff from the engine; `what`: the sentence before the counts. */
export function diffView(diff, what) {
  if (diff.binary) return h("p", { class: "list-empty" }, "This version is not text: there is no line-by-line comparison.");
  if (!diff.hunks.length) return h("p", { class: "list-empty" }, "No difference: the text is the same.");
  const summary = h("p", { class: "diff-summary" }, `${what} `,
    h("span", { class: "diff-added-count" }, `+${diff.added}`), " ",
    h("span", { class: "diff-removed-count" }, `−${diff.removed}`),
    ` line${diff.added + diff.removed === 1 ? "" : "s"}`);
  const hunks = diff.hunks.map((hunk) => h("div", { class: "diff-hunk" },
    h("div", { class: "diff-at" }, `Line ${hunk.new_start}`),
    hunk.lines.map((line) => h("div", {
      class: `diff-line diff-${line.op}`,
      "aria-label": line.op === "same" ? null : `${line.op === "added" ? "Added" : "Removed"}: ${line.text}`,
    }, h("span", { class: "diff-sign", "aria-hidden": "true" }, line.op === "added" ? "+" : line.op === "removed" ? "−" : " "),
    h("span", { class: "diff-text" }, line.text || " ")))));
  const cut = diff.cut ? h("p", { class: "list-empty" }, `${diff.cut} more changed lines are not shown.`) : null;
  return h("div", { class: "diff" }, summary, hunks, cut);
}
