// The shown document's unsaved text, kept as edits (recovery.mjs says why): for each anchor —
// the saved text, and the text of a save in flight — the CodeMirror ChangeSet from it to the
// shown text, and the same from the last full copy when there is one. Each keystroke composes
// its changes into them and writes the small record, so its cost follows the edit, not the
// document.
//
// A track is {anchors: [{fp, changes}], copy: ChangeSet|null}; `fp` null stands for the saved
// text's fingerprint, computed when first needed (a megabyte takes a few milliseconds).

// Edits bigger than this (JSON characters) are replaced by a full copy of the text.
const MAX_EDITS_CHARS = 256 * 1024;
const MAX_ANCHORS = 3;

/** A track for a shown text that is the saved one. `empty`: ChangeSet.empty(its length). */
export function freshTrack(empty) {
  return { anchors: [{ fp: null, changes: empty }], copy: null };
}

/** A track counting from a full copy of the shown text, just written. */
export function copyTrack(empty) {
  return { anchors: [], copy: empty };
}

/** A save of the shown text (fingerprint `fp`) was sent: later edits count from it too. */
export function addAnchor(track, fp, empty) {
  track.anchors = [...track.anchors.filter((a) => a.fp !== fp).slice(1 - MAX_ANCHORS), { fp, changes: empty }];
}

/** The save of `fp` is durable: the texts before it are no longer anchors. */
export function keepOnly(track, fp) {
  track.anchors = track.anchors.filter((a) => a.fp === fp);
}

/**
 * Add one update's `changes` to the track; false when they do not fit it (the track had
 * missed an edit), and a full copy must be written instead.
 */
export function addChanges(track, changes) {
  try {
    const next = track.anchors.map((a) => a.changes.compose(changes));
    const copy = track.copy ? track.copy.compose(changes) : null;
    track.anchors.forEach((a, i) => { a.changes = next[i]; });
    track.copy = copy;
    return true;
  } catch {
    return false; // RangeError: mismatched change set lengths
  }
}

/**
 * Write the track as the document's kept text. `baseFp()`: the saved text's fingerprint.
 * False when the edits grew too big (or storage refused them): a full copy should follow.
 */
export function writeTrack(recovery, id, track, bases, baseFp) {
  if (!track.anchors.length && !track.copy) return false;
  const anchors = track.anchors.map((a) => ({ fp: a.fp ?? baseFp(), edits: a.changes.toJSON() }));
  const copyEdits = track.copy ? track.copy.toJSON() : null;
  if (editsSize(anchors, copyEdits) > MAX_EDITS_CHARS) return false;
  return recovery.keepEdits(id, { bases, anchors, copyEdits });
}

/** Roughly how many characters the edits take (inserted text dominates). */
function editsSize(anchors, copyEdits) {
  let n = 0;
  const count = (edits) => {
    for (const part of edits) n += Array.isArray(part) ? 8 + part.reduce((s, x) => s + (typeof x === "string" ? x.length + 3 : 8), 0) : 8;
  };
  for (const a of anchors) count(a.edits);
  if (copyEdits) count(copyEdits);
  return n;
}
