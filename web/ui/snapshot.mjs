// The instant-open snapshot: the document open when the page was last left, with the text the
// engine last confirmed for it, kept in localStorage so that the next load can show it
// synchronously, before anything else has loaded (firstview.mjs) or Python has started
// (instantopen.mjs). No DOM in here.

const SNAPSHOT_KEY = "quire.snapshot";
const SNAPSHOT_TEXT_KEY = "quire.snapshot-text";
// Bigger documents are not copied on every save; they open when the engine is ready.
export const SNAPSHOT_MAX_CHARS = 1_000_000;

/** Keep `artifact` with `text` (its saved text) as the document to show on the next load. */
export function keepSnapshot(artifact, text, storage = globalThis.localStorage) {
  try {
    if (typeof text !== "string" || text.length > SNAPSHOT_MAX_CHARS) {
      storage.removeItem(SNAPSHOT_KEY);
      storage.removeItem(SNAPSHOT_TEXT_KEY);
      return;
    }
    const { id, path, name, mime_type, kind } = artifact;
    storage.setItem(SNAPSHOT_TEXT_KEY, text);
    storage.setItem(SNAPSHOT_KEY, JSON.stringify({ id, path, name, mime_type, kind }));
  } catch { /* storage full or blocked: the document opens once the engine is ready */ }
}

/** Forget the snapshot (no document is open, or it is gone). */
export function dropSnapshot(storage = globalThis.localStorage) {
  try {
    storage.removeItem(SNAPSHOT_KEY);
    storage.removeItem(SNAPSHOT_TEXT_KEY);
  } catch { /* blocked storage */ }
}

/** The snapshot kept last time: {artifact, text}, or null. */
export function readSnapshot(storage = globalThis.localStorage) {
  try {
    const artifact = JSON.parse(storage.getItem(SNAPSHOT_KEY) || "null");
    const text = storage.getItem(SNAPSHOT_TEXT_KEY);
    if (!artifact || typeof artifact.id !== "string" || typeof text !== "string") return null;
    return { artifact, text };
  } catch {
    return null;
  }
}
