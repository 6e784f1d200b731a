// Fuzzy matching for the command palette, with no DOM: the query's characters in order, scored
// so that matches at word starts, in runs and near the start rank first ("nd" finds "New
// document" before "Download").

const SEPARATOR = /[\s\-_/.:()]/;

/**
 * `{score, positions}` if every character of `query` occurs in `text` in order (ignoring case),
 * else null. Higher scores are better; `positions` are the matched indexes, for highlighting.
 */
export function fuzzyMatch(query, text) {
  const q = query.trim().toLowerCase().replace(/\s+/g, " ");
  if (!q) return { score: 0, positions: [] };
  const t = text.toLowerCase();
  // Jumping to word starts can skip past what a later character needs: then take each
  // character where it first occurs (which finds any match there is).
  const starts = bestFrom(q, t, text, true);
  const plain = bestFrom(q, t, text, false);
  if (!plain) return null;
  const best = starts && starts.score >= plain.score ? starts : plain;
  // A plain substring (or word prefix) is what people expect first.
  const at = t.indexOf(q);
  if (at >= 0) {
    const wordStart = at === 0 || SEPARATOR.test(t[at - 1]);
    const positions = [...q].map((_, i) => at + i);
    const score = 100 + (wordStart ? 50 : 0) + (at === 0 ? 30 : 0) - at * 0.1 - t.length * 0.01;
    if (score > best.score) return { score, positions };
  }
  return best;
}

/** Greedy left-to-right match (preferring word starts if `starts`); points per good step. */
function bestFrom(q, t, original, starts) {
  const positions = [];
  let score = 0;
  let from = 0;
  for (let qi = 0; qi < q.length; qi++) {
    const ch = q[qi];
    if (ch === " ") continue;
    let found = -1;
    // Prefer the next word start with this character, else the next occurrence.
    for (let i = from; starts && i < t.length; i++) {
      if (t[i] === ch && (i === 0 || SEPARATOR.test(t[i - 1]) || isCamelStart(original, i))) { found = i; break; }
    }
    const plain = t.indexOf(ch, from);
    if (found < 0 || (plain >= 0 && positions.length && plain === positions[positions.length - 1] + 1)) found = plain;
    if (found < 0) return null;
    const prev = positions[positions.length - 1];
    if (prev !== undefined && found === prev + 1) score += 8;
    if (found === 0 || SEPARATOR.test(t[found - 1])) score += 10;
    score -= (found - (prev ?? -1) - 1) * 0.5;
    positions.push(found);
    from = found + 1;
  }
  return { score: score - t.length * 0.01, positions };
}

function isCamelStart(text, i) {
  return i > 0 && /[a-z]/.test(text[i - 1]) && /[A-Z]/.test(text[i]);
}

/** Items whose `key(item)` matches `query`, best first (stable among equals). */
export function fuzzyFilter(items, query, key) {
  const scored = [];
  items.forEach((item, index) => {
    const m = fuzzyMatch(query, key(item));
    if (m) scored.push({ item, index, ...m });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored;
}
