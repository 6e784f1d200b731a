// How the search panel shows its results: one row per document (icon, name, folder, date, the
// snippets with the matched words marked) and the states around them. Engine text is built
// into DOM nodes part by part (searchtext.mjs), never parsed as HTML.

import { h, icon, formatWhen } from "./dom.mjs";
import { kindOf, iconFor } from "./kinds.mjs";
import { readableParts, snippetParts } from "./searchtext.mjs";

const SNIPPETS_SHOWN = 3;
const SOURCE_LABEL = { semantic: "Similar meaning" };

/** Escaped engine HTML with <mark> as nodes: text, and <mark> elements around matched words
 * (`readable`: Markdown's markup taken out, for snippets of a note's text). */
export function marked(html, { readable = false } = {}) {
  const parts = snippetParts(html);
  return (readable ? readableParts(parts) : parts).map((p) => (p.mark ? h("mark", {}, p.text) : p.text));
}

function folderLabel(folder) {
  return !folder || folder === "/" ? "Top level" : folder.split("/").filter(Boolean).join(" / ");
}

/** One result: a document, `i` its position, `active` whether the keyboard is on it. */
export function resultRow(group, i, { active, choose }) {
  const id = `search-hit-${i}`;
  const snippets = group.snippets.slice(0, SNIPPETS_SHOWN);
  const badges = group.sources.filter((s) => SOURCE_LABEL[s]).map((s) => h("span", { class: "search-badge" }, SOURCE_LABEL[s]));
  return h("li", {
    id, role: "option", class: "search-hit", "aria-selected": String(active),
    "aria-label": group.name, "aria-describedby": `${id}-where ${id}-text`,
    dataset: { id: group.id },
    onmousedown: (e) => e.preventDefault(),
    onclick: () => choose(i),
  },
    h("div", { class: "search-hit-head" },
      icon(iconFor(kindOf(group))),
      h("span", { class: "search-hit-name" }, marked(group.name_html || group.name)),
      badges,
      h("span", { class: "search-hit-where", id: `${id}-where` },
        h("span", { class: "search-hit-folder" }, folderLabel(group.folder)),
        group.updated_at ? h("span", { class: "search-hit-date" }, formatWhen(group.updated_at)) : null),
    ),
    h("div", { class: "search-hit-text", id: `${id}-text` },
      snippets.map((s) => h("p", { class: "search-snippet" },
        s.section ? h("span", { class: "search-section" }, s.section) : null,
        marked(s.html, { readable: true })))),
  );
}

/** What the list says when it has no results to show. */
export function emptyState({ query, filtered, failed }) {
  if (failed) return h("li", { class: "search-empty", role: "presentation" }, h("strong", {}, "Search failed"), h("span", {}, failed));
  if (!query.trim()) {
    return h("li", { class: "search-empty", role: "presentation" },
      icon("search", "icon search-empty-icon"),
      h("strong", {}, "Search the text of every document"),
      h("span", { class: "search-syntax" },
        h("code", {}, "words"), " all must match · ", h("code", {}, '"exact phrase"'), " · ",
        h("code", {}, "prefix*"), " · ", h("code", {}, "-exclude"), " · ", h("code", {}, "this OR that")));
  }
  return h("li", { class: "search-empty", role: "presentation" },
    h("strong", {}, "No document matches"),
    h("span", {}, filtered ? "Try another folder or type, or fewer words." : "Try fewer or other words, or a prefix such as plan*."));
}

/** "12 documents", "20+ documents": how many the list holds. */
export function countLabel(n, more) {
  if (!n) return "";
  return `${n}${more ? "+" : ""} document${n === 1 && !more ? "" : "s"}`;
}
