// The save state in the status bar, kept in step with the store, and what happens when browser
// storage refuses a change: it is reported and tried again now and then, so it is saved as soon
// as there is room, without waiting for the next keystroke.

import { setSaveState, reportError } from "./notifications.mjs";

const STORAGE_RETRY_MS = 5000;

/**
 * Show the save state whenever the store says it may have changed.
 * `editor`: {isDirty(), inFlight, flush()}; `session`: {mutate()}; `engine`: the engine client
 * (its "saved" and "save-error" events).
 */
export function watchSaveStatus({ store, engine, session, editor }) {
  const render = () => renderSaveState(store, editor);
  store.on("save-status", render);

  let retry = null;
  const retryStorageSoon = () => {
    clearTimeout(retry);
    retry = setTimeout(() => { retry = null; retryStorage(store, session, editor); }, STORAGE_RETRY_MS);
  };

  store.on("save-failed", (err) => {
    store.set({ saveError: err });
    reportError(err, "Not saved", { kind: "save" });
  });
  engine.addEventListener("saved", (e) => {
    const at = e.detail?.at;
    store.set({ lastSaveAt: at ? new Date(at) : new Date() });
  });
  engine.addEventListener("save-error", (e) => {
    store.set({ saveError: e.detail });
    reportError(e.detail || {}, "Not saved", { kind: "save" });
    retryStorageSoon();
  });
}

function renderSaveState(store, editor) {
  const { ready, ownership, saveError, pending, lastSaveAt } = store.state;
  if (!ready) return;
  if (ownership !== "owner") setSaveState("readonly", { message: "Read-only — open in another tab" });
  else if (saveError && !editor.inFlight) setSaveState("error", { message: "Not saved" });
  else if (pending > 0 || editor.isDirty()) setSaveState("saving");
  else if (lastSaveAt) setSaveState("saved", { at: lastSaveAt });
  else setSaveState("idle", { message: "All changes saved" });
}

async function retryStorage(store, session, editor) {
  if (!store.state.saveError || !store.canWrite()) return;
  try {
    // Any engine call first writes what it holds unsaved; unsent text goes out with the editor.
    if (editor.isDirty()) await editor.flush();
    else await session.mutate("workspace.info", {}, { quiet: true });
  } catch {
    // Still refused: the engine's save-error event has scheduled the next try.
  }
}
