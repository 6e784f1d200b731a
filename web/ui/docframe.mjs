// The document area's frame: which part shows (editor and preview, or a binary file's card) and
// the header's title and folder. Shared by the editor (editor.mjs) and the first screen
// (firstview.mjs), which shows the note open last before the rest of the page has loaded.

import { $, dirname } from "./dom.mjs";
import { displayName } from "./kinds.mjs";

/** Show the document area for a document of `kind` (markdown, text or binary). */
export function showFrame(kind) {
  $("#app").dataset.kind = kind;
  $("#empty").hidden = true;
  $("#doc").hidden = false;
  $("#doc-actions").hidden = false;
  $("#panes").hidden = kind === "binary";
  $("#binary").hidden = kind !== "binary";
}

/** The header (and the tab's title) for document `a`: its name, and the folders it is in. */
export function showTitle(a) {
  $("#doc-name").textContent = displayName(a);
  const folder = dirname(a.path || "/");
  $("#doc-crumbs").textContent = folder === "/" ? "" : folder.split("/").filter(Boolean).join(" / ");
  document.title = `${displayName(a)} — Quire`;
}
