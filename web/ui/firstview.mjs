// The first screen of a reload: the note open last, in the editor, with its saved text (the
// instant-open snapshot, snapshot.mjs) and the unsaved text the last page left for it, if any
// (recovery.mjs: shown at once as one undoable edit, announced once the page is put together),
// before the rest of the page has loaded. Only the editing surface (textview.mjs, CodeMirror)
// and the unsaved-text store load first; what is typed meanwhile is kept in localStorage as
// edits against the snapshot's text, as the editor keeps it (autosave.mjs), so a reload at that
// moment loses nothing either. The page's editor then takes this view over as it is (text,
// caret, undo history, what was typed: see Editor.showSnapshot), and from there it is the
// ordinary instant open (instantopen.mjs).

import { $ } from "./dom.mjs";
import { kindOf } from "./kinds.mjs";
import { TextView } from "./textview.mjs";
import { Recovery, TYPED, fingerprint, fingerprintWhenIdle, keptText } from "./recovery.mjs";
import { readSnapshot } from "./snapshot.mjs";
import { savedView } from "./layout.mjs";
import { showFrame, showTitle } from "./docframe.mjs";

export const EDITOR_LABEL = "Document text";
const TEXT_KINDS = new Set(["markdown", "code", "text"]);

let first = null; // {id, snapshot, view, savedDoc, empty, changes, recovery, fp, recovered, bases, typedKept}

/**
 * Show the snapshot's note in the editor, if there is one to show, with the unsaved text the
 * last page left for it. Returns whether it showed one.
 */
export function showFirstView() {
  const snapshot = readSnapshot();
  if (!snapshot || first) return false;
  const { artifact, text } = snapshot;
  const kind = kindOf(artifact);
  if (!TEXT_KINDS.has(kind)) return false;
  const recovery = new Recovery();
  const kept = keptText(recovery, artifact.id, text);
  $("#app").dataset.view = savedView();
  showFrame(kind === "markdown" ? "markdown" : "text");
  showTitle(artifact);
  const view = new TextView($("#editor"), { label: EDITOR_LABEL, onChange: (u) => keepTyped(u.changes) });
  view.load(artifact.id, text);
  const empty = view.emptyChanges();
  const savedDoc = view.docRef;
  // The kept text is an edit on the saved one: undo goes back to it, and it is kept as typing is.
  const recovered = kept?.text != null ? view.restore(kept.text) : null;
  first = {
    id: artifact.id, snapshot, view, savedDoc, empty, changes: recovered ? empty.compose(recovered) : empty,
    recovery, fp: null, recovered: Boolean(recovered), bases: recovered ? kept.bases : [], typedKept: Boolean(kept?.typed),
  };
  // The first keystroke writes the snapshot's fingerprint: computed while idle, not by it.
  fingerprintWhenIdle(text, (fp) => { if (first && first.snapshot === snapshot) first.fp ??= fp; });
  $("#boot").hidden = true;
  // Leaving before the page is put together asks first when something was typed.
  window.addEventListener("beforeunload", warnIfTyped);
  return true;
}

/**
 * Each input in the first view: the edits since the snapshot's text go to localStorage (with
 * the texts the last page's record named, which the engine may hold instead of the snapshot's).
 */
function keepTyped(changes) {
  first.changes = first.changes.compose(changes);
  first.fp ??= fingerprint(first.snapshot.text);
  const edits = first.changes.toJSON();
  const bases = [...new Set([first.fp, ...first.bases])];
  const kept = first.recovery.keepEdits(first.id, { bases, anchors: [{ fp: first.fp, edits }] });
  // What was typed while the note was opening last time is in this record now.
  if (kept && first.typedKept) {
    first.recovery.drop(TYPED + first.id);
    first.typedKept = false;
  }
}

function warnIfTyped(event) {
  if (!first || first.changes.empty) return;
  event.preventDefault();
  event.returnValue = "";
}

/** The first view's editor, for the page's Editor to take over (null when none was shown). */
export function firstTextView() {
  return first ? first.view : null;
}

/**
 * Hand the first view over (once): {snapshot, savedDoc, empty, changes, recovered, bases,
 * typedKept}: the snapshot's text as CodeMirror's Text, an empty ChangeSet on it, what was
 * recovered and typed on it since, whether it recovered text, the texts the last page's record
 * named, and whether a TYPED record is still to drop; null when none was shown. Its own keeping
 * of typed text and its leave warning stop here.
 */
export function takeFirstView() {
  const taken = first;
  if (!taken) return null;
  window.removeEventListener("beforeunload", warnIfTyped);
  first = null;
  return taken;
}

/** Text of the first view (the page's parts are not put together yet). */
export function firstViewText() {
  return first ? first.view.text() : null;
}
