// What an import did, in words a person reads: the documents added, updated and kept as
// conflict versions (each with a link to open it, and to its history), what was refused, or,
// for a replace, what the workspace holds now. Built from the tree before and after the import
// and the engine's answer (its conflicts), never from the file's internal summary.

import { h } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";

/** `before`, `after`: tree listings; `res`: the ImportResult. */
export function importChanges(before, after, res) {
  const old = new Map(before.artifacts.map((a) => [a.id, a]));
  const conflicted = new Set((res.conflicts || []).map((c) => c.artifact_id));
  const added = [];
  const updated = [];
  for (const a of after.artifacts) {
    const was = old.get(a.id);
    if (!was) added.push(a);
    else if (!conflicted.has(a.id) && (was.hash !== a.hash || was.path !== a.path)) updated.push(a);
  }
  const byId = new Map(after.artifacts.map((a) => [a.id, a]));
  const conflicts = (res.conflicts || []).map((c) => ({ ...c, artifact: byId.get(c.artifact_id) || null }));
  return { added, updated, conflicts };
}

function docList(label, docs, actions, emptyText = null) {
  if (!docs.length && !emptyText) return null;
  return h("section", { class: "import-part", "aria-label": label },
    h("h3", {}, `${label} (${docs.length})`),
    docs.length ? h("ul", { class: "list" }, docs.slice(0, 100).map((item) => actions(item))) : h("p", { class: "hint" }, emptyText),
    docs.length > 100 ? h("p", { class: "hint" }, `and ${docs.length - 100} more`) : null);
}

/** The result dialog; `open(id)`, `history(artifact)` open a document or its history. */
export function showImportResult({ fileName, res, changes, after, kept = false, open, history, download }) {
  const openRow = (a, extra = null) => h("li", { class: "list-row" },
    h("div", { class: "list-main" }, h("div", { class: "list-title" }, a.name), h("div", { class: "list-meta" }, a.path), extra),
    h("button", { type: "button", class: "btn btn-small", "aria-label": `Open ${a.name}`, onclick: () => { d.close(); open(a.id); } }, "Open"));
  const body = [];
  const foot = [];
  if (res.mode === "replace") {
    body.push(h("p", { class: "result-ok" }, `Your workspace is now ${fileName}: ${after.artifacts.length} document${after.artifacts.length === 1 ? "" : "s"} in ${after.folders.length} folder${after.folders.length === 1 ? "" : "s"}.`));
    if (res.backup) {
      body.push(h("p", { id: "import-backup-note" }, kept
        ? "Your previous workspace is kept in this browser as a backup: Storage › Backups on this device restores it. Download it to keep a copy outside this browser."
        : "Your previous workspace could not be kept in this browser (its storage is full): download it now to keep it."));
      foot.push(h("button", { type: "button", class: "btn", onclick: download }, "Download backup"));
    }
  } else {
    const { added, updated, conflicts } = changes;
    body.push(h("p", { class: "result-ok" }, added.length + updated.length + conflicts.length
      ? `${fileName} was merged into your workspace.` : `${fileName} was merged: it held nothing new.`));
    body.push(docList("Kept as conflict versions", conflicts.filter((c) => c.artifact), (c) => h("li", { class: "list-row import-conflict" },
      h("div", { class: "list-main" },
        h("div", { class: "list-title" }, c.artifact.name),
        h("div", { class: "list-meta" }, `${c.path} · both sides changed it; ${c.winner === "file" ? "the file's text" : "this workspace's text"} is current, the other is in its history`)),
      h("button", { type: "button", class: "btn btn-small", "aria-label": `History of ${c.artifact.name}`, onclick: () => { d.close(); history(c.artifact); } }, "History"),
      h("button", { type: "button", class: "btn btn-small", "aria-label": `Open ${c.artifact.name}`, onclick: () => { d.close(); open(c.artifact_id); } }, "Open"))));
    body.push(docList("Added", added, (a) => openRow(a)));
    body.push(docList("Updated", updated, (a) => openRow(a)));
  }
  foot.push(h("button", { type: "button", class: "btn btn-primary", onclick: () => d.close() }, "Done"));
  const d = openDialog({ title: res.mode === "replace" ? "Workspace replaced" : "Workspace merged", size: "medium", body, foot });
  return d;
}

/** Why an import was refused, in the engine's words, with what it refused; nothing changed. */
export function refusal(err) {
  const problems = Array.isArray(err?.details?.problems) ? err.details.problems : [];
  const listed = problems.slice(0, 5).map((p) => (typeof p === "string" ? p : p.message || JSON.stringify(p)));
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
  const said = `${err?.message || err}${listed.length ? ` Refused: ${listed.join("; ")}${more}.` : ""}`;
  return /was not changed\.?$/.test(said) ? said : `${said} Your workspace was not changed.`; // the engine may say it already
}
