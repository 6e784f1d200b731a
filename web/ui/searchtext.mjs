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

// Markdown's markup, which a snippet of a note's raw text is full of, as [pattern, with]:
// a result reads as the note reads in its preview. Only marks are removed; words stay.
const MARKUP = [
  [/\|?(?:\s*:?-+:?\s*\|)+(?:\s*:?-+:?(?=\s|$))?/g, " "],              // a table's alignment row
  [/(^|\s)(?:[-*+]\s+\[[ xX]\]|#{1,6})\s+/g, "$1"],  // tasks and headings, also mid-line (flattened text)
  [/!?\[\[([^\]|\n]*)(?:\|([^\]\n]*))?\]\]/g, (_, to, label) => label || to], // [[link|label]]
  [/!?\[([^\]\n]*)\]\([^)\s]*(?:\s+"[^"\n]*")?\)/g, "$1"],              // [text](url), images
  [/^[ \t]*(?:>[ \t]*)*(?:#{1,6}\s+|[-*+]\s+\[[ xX]\]\s+|[-*+]\s+|\d{1,9}[.)]\s+)?/gm, ""], // line marks
  [/\*\*|~~|`+/g, ""], // not __: it is in names such as __init__
  [/\s*\|\s*/g, " "],                                                  // table cells
  [/\s+/g, " "],
];

const NOT_A_LINE = "\uE000"; // a private-use character: never in the engine's snippets

/** A snippet's parts (snippetParts) with Markdown's markup taken out of their text. */
export function readableParts(parts) {
  const out = [];
  parts.forEach((part, i) => {
    // A part that starts mid-line (after a mark) must not lose its start as a line's marks.
    const midLine = i > 0 && !parts[i - 1].text.endsWith("\n");
    let text = midLine ? `${NOT_A_LINE}${part.text}` : part.text;
    for (const [pattern, by] of MARKUP) text = text.replace(pattern, by);
    text = text.replace(NOT_A_LINE, "");
    if (text) out.push({ ...part, text });
  });
  return out;
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

// Folded text has no combining marks left: letters and digits make words.
const WORD = "[\\p{L}\\p{N}]";
// A long text is searched a window at a time, so a match near the start costs little.
const WINDOW = 1 << 18;
const CONTEXT = 16;

function foldChars(run) {
  let folded = "";
  const map = [];
  let i = 0;
  for (const ch of run) {
    const f = ch.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
    i += ch.length;
  }
  return { folded, map };
}

/**
 * The text case- and accent-folded, and `at(i)`: the original index of folded index `i`.
 * ASCII runs fold as a whole (same length); only other characters are folded one by one.
 */
function fold(text) {
  if (!/[^\x00-\x7f]/.test(text)) return { folded: text.toLowerCase(), at: (i) => i };
  const parts = [];
  const segments = []; // [folded start, original start, per-character map or null]
  let length = 0, last = 0;
  const add = (origin, folded, map) => {
    if (!folded) return;
    segments.push([length, origin, map]);
    parts.push(folded);
    length += folded.length;
  };
  for (const m of text.matchAll(/[^\x00-\x7f]+/g)) {
    if (m.index > last) add(last, text.slice(last, m.index).toLowerCase(), null);
    const { folded, map } = foldChars(m[0]);
    add(m.index, folded, map);
    last = m.index + m[0].length;
  }
  if (last < text.length) add(last, text.slice(last).toLowerCase(), null);
  const folded = parts.join("");
  const at = (j) => {
    if (j >= folded.length) return text.length;
    let lo = 0, hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segments[mid][0] <= j) lo = mid; else hi = mid - 1;
    }
    const [start, origin, map] = segments[lo];
    return origin + (map ? map[j - start] : j - start);
  };
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

/** The first match of `re` in `text` starting in [start, start + WINDOW), as original offsets. */
function inWindow(text, start, re, overlap) {
  const from = Math.max(0, start - CONTEXT);
  const { folded, at } = fold(text.slice(from, Math.min(text.length, start + WINDOW + overlap)));
  // Begin at `start`, with the context before it in view of the word-start test.
  let begin = 0;
  while (begin < folded.length && at(begin) + from < start) begin++;
  re.lastIndex = begin;
  const found = re.exec(folded);
  if (!found) return null;
  const at0 = from + at(found.index);
  // Past the window, the word may go on beyond the slice: the next window decides.
  return at0 < start + WINDOW ? { from: at0, to: from + at(found.index + found[0].length) } : null;
}

/**
 * Where the first of `terms` (the engine's `terms`: words or phrases) occurs in `text`, as
 * `{from, to}` offsets into `text`, or null. Like the index, it ignores case and accents and
 * matches at the start of words; whole words win over prefixes near them (`plan` before
 * `planning`), a window (256 K characters) at a time.
 */
export function locateMatch(text, terms) {
  if (!text || !terms?.length) return null;
  const patterns = (whole) => terms.map((t) => termPattern(String(t), whole)).filter(Boolean);
  if (!patterns(true).length) return null;
  const res = [true, false].map((whole) => new RegExp(patterns(whole).join("|"), "gu"));
  const overlap = Math.max(...terms.map((t) => String(t).length)) * 4 + CONTEXT;
  for (let start = 0; start < text.length; start += WINDOW) {
    for (const re of res) {
      const found = inWindow(text, start, re, overlap);
      if (found) return found;
    }
  }
  return null;
}
