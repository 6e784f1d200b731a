// What the search panel does with the engine's answers, with no DOM: the parts of a snippet,
// hits grouped by document, and where a query's words are in a document's text.

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

/**
 * The engine's escaped snippet (`snippet_html`, `name_html`) as `[{text, mark}]` parts.
 * Only the exact tags `<mark>` and `</mark>` are read as markup and only the entities an HTML
 * escape writes are decoded; anything else stays literal text, so nothing is ever parsed as HTML.
 */
export function snippetParts(html) {
  const parts = [];
  let mark = false;
  for (const piece of String(html ?? "").split(/(<mark>|<\/mark>)/)) {
    if (piece === "<mark>") { mark = true; continue; }
    if (piece === "</mark>") { mark = false; continue; }
    if (!piece) continue;
    parts.push({ text: piece.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (e) => ENTITIES[e]), mark });
  }
  return parts;
}

/**
 * Hits grouped by document, in the order of each document's best hit. Keyword hits are one
 * per document; semantic hits (one per chunk, `source` "semantic", a `section` breadcrumb) of
 * the same document join its group as further snippets.
 * Returns `[{...bestHit, snippets: [{html, section, source}], sources: [names]}]`.
 */
export function groupHits(hits) {
  const groups = new Map();
  for (const hit of hits || []) {
    let group = groups.get(hit.id);
    if (!group) {
      group = { ...hit, snippets: [], sources: [] };
      groups.set(hit.id, group);
    }
    if (hit.source && !group.sources.includes(hit.source)) group.sources.push(hit.source);
    const html = hit.snippet_html || "";
    if (html && !group.snippets.some((s) => s.html === html)) {
      group.snippets.push({ html, section: hit.section ?? null, source: hit.source ?? null });
    }
  }
  return [...groups.values()];
}

const WORD = "[\\p{L}\\p{N}\\p{M}]";

/** The text case- and accent-folded, with each folded character's index in the original. */
function fold(text) {
  let folded = "";
  const at = [];
  let i = 0;
  for (const ch of text) {
    const f = ch.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    for (let k = 0; k < f.length; k++) at.push(i);
    folded += f;
    i += ch.length;
  }
  at.push(text.length);
  return { folded, at };
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function termPattern(term, whole) {
  const words = fold(term).folded.split(new RegExp(`(?:(?!${WORD}).)+`, "u")).filter(Boolean);
  if (!words.length) return null;
  const body = words.map(escapeRegExp).join(`(?:(?!${WORD})[\\s\\S])+`);
  // A word starts the match; a whole-word match also ends at a word's end (a prefix match
  // runs on to the end of the word it starts, as the selection should show the whole word).
  return `(?<!${WORD})${body}${whole ? `(?!${WORD})` : `${WORD}*`}`;
}

/**
 * Where the first of `terms` (the engine's `terms`: words or phrases) occurs in `text`, as
 * `{from, to}` offsets into `text`, or null. Like the index, it ignores case and accents and
 * matches at the start of words; whole words win over prefixes (`plan` before `planning`).
 */
export function locateMatch(text, terms) {
  if (!text || !terms?.length) return null;
  const { folded, at } = fold(text);
  for (const whole of [true, false]) {
    const patterns = terms.map((t) => termPattern(String(t), whole)).filter(Boolean);
    if (!patterns.length) return null;
    const found = new RegExp(patterns.join("|"), "u").exec(folded);
    if (found) return { from: at[found.index], to: at[found.index + found[0].length] };
  }
  return null;
}
