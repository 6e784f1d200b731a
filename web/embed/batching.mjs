// How texts are grouped into model runs, shared by the embedding worker (one run per group)
// and the page's client (which hands groups to several workers at once).
//
// Measured (bench/engine_embed_throughput.py, 2 cores, quiet): 4 chunks per run were best for
// 256-token chunks and 4-16 for 64-token ones (32 lost a third), so a group holds about as
// much text as 4 full chunks (BATCH_CHARS, ~256 tokens each), at most MAX_BATCH chunks.

export const BATCH_CHARS = 4 * 1200;
// Two one-thread workers were fastest with groups of half that: 2 full chunks (2.13-2.22x the
// default pipeline against 1.89-1.94x with 4, two quiet runs), and as fast for short chunks.
export const SHARED_BATCH_CHARS = 2 * 1200;
export const MAX_BATCH = 16;
const FULL_CHUNK_CHARS = 1200;

/**
 * Groups of indices into `texts`, each a run of similar length (padding is wasted work):
 * texts sorted by length, cut into runs of `batch` texts if given, else as many as fit
 * `chars` (at most MAX_BATCH). Every index appears exactly once.
 */
export function groups(texts, batch = 0, chars = BATCH_CHARS) {
  const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
  const out = [];
  for (let start = 0; start < order.length;) {
    // Sorted by length, so a group's last text is its longest (what every row is padded to).
    let end = start + 1;
    const fits = (n) => n <= MAX_BATCH
      && n * Math.min(texts[order[start + n - 1]].length, FULL_CHUNK_CHARS) <= chars;
    if (batch) end = Math.min(order.length, start + batch);
    else while (end < order.length && fits(end - start + 1)) end++;
    out.push(order.slice(start, end));
    start = end;
  }
  return out;
}
