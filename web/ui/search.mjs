// The search panel (Ctrl+Shift+F, "Search" in the sidebar): a search box, filters (folder,
// type) and sort, and the results, which follow the typing. Queries are debounced (a burst of
// keys asks once), one is in flight at a time and an answer to anything but the latest query
// is dropped. Enter or a click opens the document with the first match selected. The panel
// shows whatever `search.query` answers, grouped by document (keyword hits today; semantic
// hits, one per chunk, join their document's group as further snippets).

import { h, icon, replace, debounce } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { groupHits, locateMatch } from "./searchtext.mjs";
import { resultRow, emptyState, countLabel } from "./searchresults.mjs";
import { editorText, selectInEditor } from "./selection.mjs";

const DEBOUNCE_MS = 40;
const PAGE = 30;
const TYPES = [
  ["", "All types"], ["markdown", "Notes"], ["text", "Text"], ["code", "Code"],
  ["image", "Images"], ["other", "Other files"],
];
// What the panel keeps between openings: the last query, its filters and sort.
const last = { query: "", folder: "", kind: "", sort: "relevance" };
let openNow = null;

function select(label, options, value) {
  return h("label", { class: "search-filter" },
    h("span", {}, label),
    h("select", { "aria-label": label }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
}

/** `session`: {call()}; `tree`: folders and reveal(); `documents`: {open()}; `editor`: the open document. */
export function openSearch({ session, tree, documents, editor }) {
  if (openNow) { openNow.focus(); return; }
  const input = h("input", {
    type: "search", "aria-label": "Search", placeholder: "Search all documents…", value: last.query,
    autocomplete: "off", spellcheck: "false", "aria-controls": "search-results",
  });
  const folders = [["", "All folders"], ...tree.folders().filter((f) => f !== "/").sort().map((f) => [f, f])];
  const folderSel = select("Folder", folders, last.folder);
  const kindSel = select("Type", TYPES, last.kind);
  const sortSel = select("Sort", [["relevance", "Best match"], ["date", "Newest first"]], last.sort);
  const count = h("span", { class: "search-count", role: "status" });
  const list = h("ul", { class: "search-results", id: "search-results", role: "listbox", "aria-label": "Results" });
  const more = h("button", { type: "button", class: "btn btn-quiet search-more", hidden: true }, "Show more results");
  const d = openDialog({
    size: "search", label: "Search",
    body: [
      h("div", { class: "search-box" }, icon("search"), input, h("kbd", { class: "kbd" }, "Esc")),
      h("div", { class: "search-bar" }, folderSel, kindSel, sortSel, count),
      h("div", { class: "search-scroll" }, list, h("div", { class: "search-more-wrap" }, more)),
      h("div", { class: "search-foot", "aria-hidden": "true" },
        h("span", {}, h("kbd", { class: "kbd" }, "↑"), h("kbd", { class: "kbd" }, "↓"), " move"),
        h("span", {}, h("kbd", { class: "kbd" }, "Enter"), " open at the match"),
        h("span", {}, h("kbd", { class: "kbd" }, "Esc"), " close")),
    ],
  });
  d.body.classList.add("search-panel");
  openNow = { focus: () => { input.focus(); input.select(); } };
  d.closed.then(() => { openNow = null; });

  let groups = [], terms = [], hits = [], active = 0, nextOffset = null;
  let seq = 0, inFlight = false, queued = false, openWhenShown = false;

  const params = (offset) => ({
    query: input.value, sort: sortSel.querySelector("select").value, limit: PAGE, offset,
    ...(folderSel.querySelector("select").value ? { folder: folderSel.querySelector("select").value } : {}),
    ...(kindSel.querySelector("select").value ? { kinds: [kindSel.querySelector("select").value] } : {}),
  });

  /** Ask the engine for the latest query; a newer one typed meanwhile waits for this answer. */
  async function run() {
    if (inFlight) { queued = true; return; }
    const mine = ++seq;
    const asked = params(0);
    Object.assign(last, { query: asked.query, folder: asked.folder || "", kind: asked.kinds?.[0] || "", sort: asked.sort });
    if (!asked.query.trim()) { show(mine, asked, { hits: [], terms: [], next_offset: null }); return; }
    inFlight = true;
    list.setAttribute("aria-busy", "true");
    let answer = null, failed = null;
    try { answer = await session.call("search.query", asked); } catch (err) { failed = err?.message || String(err); }
    inFlight = false;
    if (queued || mine !== seq || !d.dialog.open) { queued = false; if (d.dialog.open) run(); return; }
    show(mine, asked, answer || { hits: [], terms: [], next_offset: null }, failed);
  }
  const soon = debounce(run, DEBOUNCE_MS);
  // Debounced on both edges: a key after a pause asks at once; keys that follow each other
  // within DEBOUNCE_MS (a burst, a held key, a paste) wait until the burst ends.
  let lastKey = -Infinity;
  function typed() {
    const now = performance.now();
    const afterPause = now - lastKey >= DEBOUNCE_MS;
    lastKey = now;
    if (afterPause && !soon.pending()) run();
    else soon();
  }

  function show(mine, asked, answer, failed = null) {
    if (mine !== seq) return;
    hits = answer.hits;
    terms = answer.terms;
    groups = groupHits(hits);
    nextOffset = answer.next_offset;
    active = 0;
    render(asked, failed);
    if (openWhenShown) { openWhenShown = false; choose(0); }
  }

  function render(asked, failed = null) {
    list.removeAttribute("aria-busy");
    list.dataset.query = asked.query;
    more.hidden = nextOffset === null || nextOffset === undefined;
    count.textContent = countLabel(groups.length, !more.hidden);
    if (!groups.length) {
      replace(list, emptyState({ query: asked.query, filtered: Boolean(asked.folder || asked.kinds), failed }));
      input.removeAttribute("aria-activedescendant");
      return;
    }
    replace(list, groups.map((g, i) => resultRow(g, i, { active: i === active, choose })));
    mark();
  }

  function mark() {
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", `search-hit-${active}`);
    list.children[active]?.scrollIntoView({ block: "nearest" });
  }

  async function showMore() {
    const mine = seq;
    const asked = params(nextOffset);
    const answer = await session.call("search.query", asked).catch(() => null);
    if (!answer || mine !== seq) return;
    hits = hits.concat(answer.hits);
    groups = groupHits(hits);
    nextOffset = answer.next_offset;
    render({ ...asked, query: input.value });
  }

  async function choose(i) {
    const group = groups[i];
    if (!group) return;
    d.close();
    tree.reveal(group.path);
    await documents.open(group.id, { focus: true });
    if (editor.current?.id !== group.id || editor.current.binary) return;
    const at = locateMatch(editorText(editor), terms);
    if (at) selectInEditor(editor, at.from, at.to);
  }

  input.addEventListener("input", typed);
  for (const el of [folderSel, kindSel, sortSel]) el.addEventListener("change", () => { soon.cancel(); run(); });
  more.addEventListener("click", showMore);
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { active = Math.min(groups.length - 1, active + 1); mark(); }
    else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); mark(); }
    // A search field's Escape would only clear it: here it closes the panel, as elsewhere.
    else if (e.key === "Escape") d.close();
    else if (e.key === "Enter") {
      // Enter before the answer to what was typed: open its best hit once it is shown.
      if (list.dataset.query === input.value && !soon.pending() && !inFlight) choose(active);
      else { openWhenShown = true; if (soon.pending()) { soon.cancel(); run(); } }
    }
    else return;
    e.preventDefault();
  });
  run();
  openNow.focus();
}
