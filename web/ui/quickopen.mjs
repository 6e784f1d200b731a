// Quick open (Ctrl/Cmd+K): type part of a path, arrow to a document, Enter opens it.

import { h, icon, replace, dirname } from "./dom.mjs";
import { displayName, kindOf, iconFor } from "./kinds.mjs";
import { openDialog } from "./dialogs.mjs";

const LIMIT = 50;
let openNow = null;

/** `tree`: the sidebar Tree (its documents); `documents`: {open()}. */
export function openQuickOpen({ tree, documents }) {
  if (openNow) { openNow.input.focus(); return; }
  const input = h("input", {
    type: "text", role: "combobox", "aria-label": "Find a document by path", "aria-expanded": "true",
    "aria-controls": "quick-list", "aria-autocomplete": "list", placeholder: "Find a document by path…",
    autocomplete: "off", spellcheck: "false",
  });
  const list = h("ul", { class: "quick-list", id: "quick-list", role: "listbox", "aria-label": "Documents" });
  const d = openDialog({ size: "quick", label: "Quick open", body: [input, list] });
  d.body.style.padding = "0";
  openNow = { input };
  d.closed.then(() => { openNow = null; });

  let found = []; // every match, best first
  let results = []; // the ones shown: LIMIT at a time
  let active = 0;

  function update() {
    found = search(tree.artifacts(), input.value);
    results = found.slice(0, LIMIT);
    active = 0;
    render();
  }

  function showMore() {
    results = found.slice(0, results.length + LIMIT);
    render();
  }

  function render() {
    if (!results.length) {
      replace(list, h("li", { class: "list-empty" }, input.value ? "No document matches." : "No documents yet."));
      input.removeAttribute("aria-activedescendant");
      return;
    }
    replace(list, results.map((r, i) => h("li", {
      id: `qo-${i}`, role: "option", class: "quick-item", "aria-selected": String(i === active),
      onmousedown: (e) => e.preventDefault(),
      onclick: () => choose(i),
    },
      icon(iconFor(kindOf(r.a))),
      h("span", {}, highlight(displayName(r.a), input.value)),
      h("span", { class: "quick-path" }, dirname(r.a.path)),
    )));
    const rest = found.length - results.length;
    if (rest > 0) {
      list.append(h("li", { class: "quick-more" }, h("button", {
        type: "button", class: "btn btn-small", onmousedown: (e) => e.preventDefault(), onclick: showMore,
      }, `${rest} more — show ${Math.min(rest, LIMIT)} more`), h("span", { class: "quick-path" }, "or keep typing to narrow")));
    }
    input.setAttribute("aria-activedescendant", `qo-${active}`);
    list.children[active]?.scrollIntoView({ block: "nearest" });
  }

  function choose(i) {
    const r = results[i];
    if (!r) return;
    d.close();
    tree.reveal(r.a.path);
    documents.open(r.a.id, { focus: true });
  }

  input.addEventListener("input", update);
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      if (active === results.length - 1 && found.length > results.length) showMore();
      active = Math.min(results.length - 1, active + 1);
      render();
    }
    else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); render(); }
    else if (e.key === "Enter") choose(active);
    else return;
    e.preventDefault();
  });
  update();
  input.focus();
}

/** Rank by: name starts with the query, name contains it, path contains it, then fuzzy subsequence. */
function search(artifacts, query) {
  const q = query.trim().toLowerCase();
  const scored = [];
  for (const a of artifacts) {
    const name = displayName(a).toLowerCase();
    const path = (a.path || "").toLowerCase();
    let score;
    if (!q) score = -(a.updated_at || 0) / 1e13;
    else if (name.startsWith(q)) score = 0;
    else if (name.includes(q)) score = 1;
    else if (path.includes(q)) score = 2;
    else if (subsequence(q, path)) score = 3;
    else continue;
    scored.push({ a, score });
  }
  scored.sort((x, y) => x.score - y.score || (y.a.updated_at || 0) - (x.a.updated_at || 0) || x.a.path.localeCompare(y.a.path));
  return scored;
}

function subsequence(q, s) {
  let i = 0;
  for (const c of s) if (c === q[i]) i++;
  return i === q.length;
}

/** The name with the matched part in <mark>, built as DOM nodes. */
function highlight(name, query) {
  const q = query.trim().toLowerCase();
  const at = q ? name.toLowerCase().indexOf(q) : -1;
  if (at < 0) return name;
  return [name.slice(0, at), h("mark", {}, name.slice(at, at + q.length)), name.slice(at + q.length)];
}
