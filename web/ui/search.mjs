// The search panel (Ctrl+Shift+F, "Search" in the sidebar): a search box, filters (folder,
// type) and sort, and the results, which follow the typing. Queries are debounced (a burst of
// keys asks once), one is in flight at a time and an answer to anything but the latest query
// is dropped. Enter or a click opens the document with the first match selected.
//
// "Words and meaning" (the default) asks `search.fused` through the page's semantic search
// (keyword and semantic hits, reciprocal rank fusion, one row per document); while the model
// loads, the first index runs or the model is missing, the panel says so in words under the
// filters, and the results are what is there (word matches, and the part already indexed).
// "Words only" asks `search.query` (keyword, pages of results, sort by date in the engine).

import { h, icon, replace, debounce } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { groupHits, locateMatch } from "./searchtext.mjs";
import { resultRow, emptyState, countLabel } from "./searchresults.mjs";
import { editorText, selectInEditor } from "./selection.mjs";
import { MIN_SIMILARITY } from "./semantic.mjs";

const DEBOUNCE_MS = 40;
const PAGE = 30;
const TYPES = [
  ["", "All types"], ["markdown", "Notes"], ["text", "Text"], ["code", "Code"],
  ["image", "Images"], ["other", "Other files"],
];
const SORTS = [["relevance", "Best match"], ["date", "Newest first"]];
const MATCHES = [["meaning", "Words and meaning"], ["words", "Words only"]];
// `search.fused` answers one list of at most this many (no offset): "more" asks a longer one.
const FUSED_MAX = 100;
// How long a query waits for its nearest chunks while the worker embeds the first index.
const SEMANTIC_WAIT_MS = 1500;
const NO_HITS = { hits: [], terms: [], next_offset: null, note: "" };
// What the panel keeps between openings: the last query, its filters and sort.
const last = { query: "", folder: "", kind: "", sort: "relevance", match: "meaning" };
let openNow = null;

function choice(label, options, value, { shown = true } = {}) {
  const select = h("select", { "aria-label": label },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  return { select, el: h("label", { class: "search-filter" }, shown ? h("span", {}, label) : null, select) };
}

const keyHint = (keys, what) => h("span", {}, keys.map((k) => h("kbd", { class: "kbd" }, k)), ` ${what}`);

/**
 * Open the panel (or focus it), with `query` in its box when given (else the last one).
 * `session`: {call()}; `tree`: folders and reveal(); `documents`: {open()}; `editor`: the open document.
 */
export function openSearch(parts, query = null) {
  if (typeof query === "string") last.query = query;
  if (openNow) openNow.focus();
  else openNow = new SearchPanel(parts);
}

class SearchPanel {
  constructor({ session, tree, documents, editor, semantic }) {
    Object.assign(this, { session, tree, documents, editor, semantic });
    this.groups = [];
    this.hits = [];
    this.terms = [];
    this.active = 0;
    this.nextOffset = null;
    this.seq = 0; // the latest query asked; answers to earlier ones are dropped
    this.inFlight = false;
    this.queued = false;
    this.openWhenShown = false;
    this.lastKey = -Infinity;
    this.soon = debounce(() => this.run(), DEBOUNCE_MS);
    this.build();
    this.wire();
    this.run();
    this.focus();
  }

  build() {
    this.input = h("input", {
      type: "search", "aria-label": "Search", placeholder: "Search all documents…", value: last.query,
      autocomplete: "off", spellcheck: "false", "aria-controls": "search-results",
    });
    const folders = [["", "All folders"], ...this.tree.folders().filter((f) => f !== "/").sort().map((f) => [f, f])];
    this.folder = choice("Folder", folders, last.folder);
    this.kind = choice("Type", TYPES, last.kind);
    this.sort = choice("Sort", SORTS, last.sort);
    // Its options say what it is: no visible label, so the bar fits on one line.
    this.match = choice("Match", MATCHES, last.match, { shown: false });
    this.count = h("span", { class: "search-count", role: "status" });
    this.note = h("p", { class: "search-note", id: "search-note", hidden: true });
    this.list = h("ul", { class: "search-results", id: "search-results", role: "listbox", "aria-label": "Results" });
    this.more = h("button", { type: "button", class: "btn btn-quiet search-more", hidden: true }, "Show more results");
    this.dialog = openDialog({
      size: "search", label: "Search",
      body: [
        h("div", { class: "search-box" }, icon("search"), this.input, this.count, h("kbd", { class: "kbd" }, "Esc")),
        h("div", { class: "search-bar" }, this.match.el, this.folder.el, this.kind.el, this.sort.el),
        this.note,
        h("div", { class: "search-scroll" }, this.list, h("div", { class: "search-more-wrap" }, this.more)),
        h("div", { class: "search-foot", "aria-hidden": "true" },
          keyHint(["↑", "↓"], "move"), keyHint(["Enter"], "open at the match"), keyHint(["Esc"], "close")),
      ],
    });
    this.dialog.body.classList.add("search-panel");
    // Results shown with a note (semantic search still loading or indexing) are asked again
    // as it can answer more, so they fill in while the panel stays open.
    const stop = this.semantic?.onChange?.(() => { if (!this.note.hidden) this.soon(); }) ?? (() => {});
    this.dialog.closed.then(() => { openNow = null; stop(); });
  }

  wire() {
    this.input.addEventListener("input", () => this.typed());
    for (const c of [this.match, this.folder, this.kind, this.sort]) {
      c.select.addEventListener("change", () => { this.soon.cancel(); this.run(); });
    }
    this.more.addEventListener("click", () => this.showMore());
    this.input.addEventListener("keydown", (e) => { if (this.onKey(e.key)) e.preventDefault(); });
  }

  get open() { return this.dialog.dialog.open; }

  focus() {
    this.input.focus();
    this.input.select();
  }

  /** Debounced on both edges: a key after a pause asks at once; keys that follow each other
   * within DEBOUNCE_MS (a burst, a held key, a paste) ask once the burst ends. */
  typed() {
    const now = performance.now();
    const afterPause = now - this.lastKey >= DEBOUNCE_MS;
    this.lastKey = now;
    if (afterPause && !this.soon.pending()) this.run();
    else this.soon();
  }

  /** The keys of the box; true when handled. */
  onKey(key) {
    if (key === "ArrowDown") this.move(1);
    else if (key === "ArrowUp") this.move(-1);
    // A search field's Escape would only clear it: here it closes the panel, as elsewhere.
    else if (key === "Escape") this.dialog.close();
    else if (key === "Enter") this.enter();
    else return false;
    return true;
  }

  enter() {
    const current = this.list.dataset.query === this.input.value && !this.soon.pending() && !this.inFlight;
    if (current) { this.choose(this.active); return; }
    // Enter before the answer to what was typed: open its best hit once it is shown.
    this.openWhenShown = true;
    if (this.soon.pending()) { this.soon.cancel(); this.run(); }
  }

  params(offset, limit = PAGE) {
    const folder = this.folder.select.value, kind = this.kind.select.value;
    return {
      query: this.input.value, sort: this.sort.select.value, limit, offset, match: this.match.select.value,
      ...(folder ? { folder } : {}), ...(kind ? { kinds: [kind] } : {}),
    };
  }

  /** The answer to `asked`: {hits, terms, next_offset, note} (note: what semantic search could
   * not do, in words). Meaning: one fused list, "more" is a longer one (next_offset: its limit). */
  async ask(asked) {
    const { match, ...params } = asked;
    if (match !== "meaning" || !this.semantic) return { ...(await this.session.call("search.query", params)), note: "" };
    const { query, sort, offset, limit, ...where } = params;
    const answer = await this.semantic.search(query, { ...where, limit, minScore: MIN_SIMILARITY, waitMs: SEMANTIC_WAIT_MS });
    const when = (hit) => (typeof hit.updated_at === "number" ? hit.updated_at : Date.parse(hit.updated_at) || 0);
    const hits = sort === "date" ? [...answer.hits].sort((a, b) => when(b) - when(a)) : answer.hits;
    const more = hits.length >= limit && limit < FUSED_MAX;
    return { hits, terms: answer.terms, next_offset: more ? Math.min(FUSED_MAX, limit + PAGE) : null, note: answer.semanticState.text };
  }

  /** Ask the engine for the latest query; one typed meanwhile waits for this answer. */
  async run() {
    if (this.inFlight) { this.queued = true; return; }
    const mine = ++this.seq;
    const asked = this.params(0);
    Object.assign(last, { query: asked.query, folder: asked.folder || "", kind: asked.kinds?.[0] || "", sort: asked.sort, match: asked.match });
    if (!asked.query.trim()) { this.show(mine, asked, NO_HITS); return; }
    this.inFlight = true;
    this.list.setAttribute("aria-busy", "true");
    let answer = NO_HITS, failed = null;
    try { answer = await this.ask(asked); } catch (err) { failed = err?.message || String(err); }
    this.inFlight = false;
    if (this.queued || mine !== this.seq || !this.open) {
      this.queued = false;
      if (this.open) this.run();
      return;
    }
    this.show(mine, asked, answer, failed);
  }

  show(mine, asked, answer, failed = null) {
    if (mine !== this.seq) return;
    this.hits = answer.hits;
    this.terms = answer.terms;
    this.groups = groupHits(this.hits);
    this.nextOffset = answer.next_offset;
    this.active = 0;
    this.showNote(answer.note);
    this.render(asked, failed);
    if (this.openWhenShown) { this.openWhenShown = false; this.choose(0); }
  }

  render(asked, failed = null) {
    const { list, more } = this;
    list.removeAttribute("aria-busy");
    list.dataset.query = asked.query;
    more.hidden = this.nextOffset === null || this.nextOffset === undefined;
    this.count.textContent = countLabel(this.groups.length, !more.hidden);
    if (!this.groups.length) {
      replace(list, emptyState({ query: asked.query, filtered: Boolean(asked.folder || asked.kinds), failed }));
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    const choose = (i) => this.choose(i);
    replace(list, this.groups.map((g, i) => resultRow(g, i, { active: i === this.active, choose })));
    this.mark();
  }

  showNote(text) {
    this.note.textContent = text || "";
    this.note.hidden = !text;
  }

  move(by) {
    this.active = Math.max(0, Math.min(this.groups.length - 1, this.active + by));
    this.mark();
  }

  mark() {
    [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === this.active)));
    this.input.setAttribute("aria-activedescendant", `search-hit-${this.active}`);
    this.list.children[this.active]?.scrollIntoView({ block: "nearest" });
  }

  async showMore() {
    const mine = this.seq;
    const meaning = this.match.select.value === "meaning" && this.semantic;
    // Meaning: the longer fused list replaces the shown one; words: the next page joins it.
    const asked = meaning ? this.params(0, this.nextOffset) : this.params(this.nextOffset);
    const answer = await this.ask(asked).catch(() => null);
    if (!answer || mine !== this.seq) return;
    this.hits = meaning ? answer.hits : this.hits.concat(answer.hits);
    this.showNote(answer.note);
    this.groups = groupHits(this.hits);
    this.nextOffset = answer.next_offset;
    this.render(asked);
  }

  /** Open result `i` with the first match of the query selected. */
  async choose(i) {
    const group = this.groups[i];
    if (!group) return;
    const { editor } = this;
    this.dialog.close();
    this.tree.reveal(group.path);
    await this.documents.open(group.id, { focus: true });
    if (editor.current?.id !== group.id || editor.current.binary) return;
    const at = locateMatch(editorText(editor), this.terms);
    if (at) selectInEditor(editor, at.from, at.to);
  }
}
