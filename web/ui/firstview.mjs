// The first screen of a reload: the note open last, in the editor, with its saved text (the
// instant-open snapshot, snapshot.mjs), before the rest of the page has loaded. Only the
// editing surface (textview.mjs, CodeMirror) and the unsaved-text store load first; what is
// typed meanwhile is kept in localStorage as edits against the snapshot's text, as the editor
// keeps it (autosave.mjs), so a reload at that moment loses nothing either. The page's editor
// then takes this view over as it is (text, caret, undo history, what was typed: see
// Editor.showSnapshot), and from there it is the ordinary instant open (instantopen.mjs).

import { $ } from "./dom.mjs";
import { kindOf } from "./kinds.mjs";
import { TextView } from "./textview.mjs";
import { Recovery, fingerprint } from "./recovery.mjs";
import { readSnapshot } from "./snapshot.mjs";
import { savedView } from "./layout.mjs";
import { showFrame, showTitle } from "./docframe.mjs";

export const EDITOR_LABEL = "Document text";
const TEXT_KINDS = new Set(["markdown", "code", "text"]);

let first = null; // {id, snapshot, view, empty, changes, recovery, fp}

/**
 * Show the snapshot's note in the editor, if there is one to show. Not when the last page left
 * unsaved text for it: the page's editor offers that back itself, once it is put together.
 * Returns whether it showed one.
 */
export function showFirstView() {
  const snapshot = readSnapshot();
  if (!snapshot || first) return false;
  const { artifact, text } = snapshot;
  const recovery = new Recovery();
  const kind = kindOf(artifact);
  if (!TEXT_KINDS.has(kind) || recovery.meta(artifact.id) || recovery.meta(`typed:${artifact.id}`)) return false;
  $("#app").dataset.view = savedView();
  showFrame(kind === "markdown" ? "markdown" : "text");
  showTitle(artifact);
  const view = new TextView($("#editor"), { label: EDITOR_LABEL, onChange: (u) => keepTyped(u.changes) });
  view.load(artifact.id, text);
  const empty = view.emptyChanges();
  first = { id: artifact.id, snapshot, view, savedDoc: view.docRef, empty, changes: empty, recovery, fp: null };
  $("#boot").hidden = true;
  // Leaving before the page is put together asks first when something was typed.
  window.addEventListener("beforeunload", warnIfTyped);
  return true;
}

/** Each input in the first view: the edits since the snapshot's text go to localStorage. */
function keepTyped(changes) {
  first.changes = first.changes.compose(changes);
  first.fp ??= fingerprint(first.snapshot.text);
  const edits = first.changes.toJSON();
  first.recovery.keepEdits(first.id, { bases: [first.fp], anchors: [{ fp: first.fp, edits }] });
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
 * Hand the first view over (once): {snapshot, savedDoc, empty, changes}: the snapshot's text as
 * CodeMirror's Text, an empty ChangeSet on it and what was typed on it since; null when none
 * was shown. Its own keeping of typed text and its leave warning stop here.
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
