// Export the workspace as one .sqlite file; import one, replacing (with a backup) or merging.

import { h, dateStamp, downloadBytes, formatBytes } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { note, showTask, hideTask, showError, reportError } from "./notifications.mjs";

const SQLITE_TYPE = "application/vnd.sqlite3";

/** `session`: {call()}; `editor`: {flush()}, so what was typed is in the file. */
export async function exportWorkspace({ store, session, editor }) {
  if (!store.isReady()) return;
  await editor.flush();
  const name = `workspace-${dateStamp()}.sqlite`;
  showTask("Exporting workspace", 0);
  try {
    const res = await session.call("transfer.export", {});
    downloadBytes(res.data, name, SQLITE_TYPE);
    note(`Exported ${name} (${formatBytes(res.data.byteLength ?? res.data.size)})`);
  } catch (err) {
    reportError(err, "Export failed");
  } finally {
    hideTask();
  }
}

/** `session`: {mutate()}; `editor`: {close(), flush()}; `documents`: {refreshTree()}. */
export function openImport({ store, session, editor, documents }) {
  if (!store.canWrite()) return;
  const input = h("input", { type: "file", id: "import-file", accept: ".sqlite,.sqlite3,.db,application/vnd.sqlite3,application/x-sqlite3" });
  const problem = h("p", { class: "field-error", hidden: true });
  const merge = h("button", { type: "button", class: "btn", onclick: () => start("merge") }, "Merge");
  const replace = h("button", { type: "button", class: "btn btn-primary", onclick: () => start("replace") }, "Replace");
  const d = openDialog({
    title: "Import workspace", size: "medium",
    body: [
      h("div", { class: "field" }, h("label", { for: "import-file" }, "Workspace file (.sqlite)"), input, problem),
      h("div", { class: "choice" }, h("div", {},
        h("strong", {}, "Merge"),
        h("span", {}, "Adds the file's documents to this workspace. When both sides changed the same document, both texts are kept as versions."))),
      h("div", { class: "choice" }, h("div", {},
        h("strong", {}, "Replace"),
        h("span", {}, "The file becomes your workspace. The current workspace is kept as a backup you can download first."))),
    ],
    foot: [h("button", { type: "button", class: "btn", onclick: () => d.close() }, "Cancel"), h("span", { class: "spacer" }), merge, replace],
  });
  input.focus();

  async function start(mode) {
    const file = input.files && input.files[0];
    if (!file) {
      problem.textContent = "Choose a .sqlite file first.";
      problem.hidden = false;
      input.focus();
      return;
    }
    d.close();
    await runImport({ session, editor, documents }, file, mode);
  }
}

async function runImport({ session, editor, documents }, file, mode) {
  // The workspace may change under the open document: close it (what was typed is saved first).
  editor.close();
  await editor.flush();
  showTask(`Importing ${file.name}`, 0);
  let res;
  try {
    const data = new Uint8Array(await file.arrayBuffer());
    res = await session.mutate("transfer.import", { data, mode }, { quiet: true });
  } catch (err) {
    showError(`${err.message || err} Your workspace was not changed.`, `Could not import ${file.name}`);
    return;
  } finally {
    hideTask();
  }
  await documents.refreshTree();
  showResult(file.name, res);
}

function showResult(fileName, res) {
  const summary = describeSummary(res.summary);
  const body = [h("p", { class: "result-ok" }, res.mode === "replace"
    ? `Your workspace is now ${fileName}.`
    : `${fileName} was merged into your workspace.`)];
  if (summary) body.push(h("p", { class: "summary" }, summary));
  const foot = [];
  if (res.backup) {
    body.push(h("p", {}, "Your previous workspace was kept as a backup. Download it to keep a copy outside this browser."));
    foot.push(h("button", {
      type: "button", class: "btn",
      onclick: () => downloadBytes(res.backup, `workspace-backup-${dateStamp()}.sqlite`, SQLITE_TYPE),
    }, "Download backup"));
  }
  foot.push(h("button", { type: "button", class: "btn btn-primary", onclick: () => d.close() }, "Done"));
  const d = openDialog({ title: res.mode === "replace" ? "Workspace replaced" : "Workspace merged", body, foot });
  note(res.mode === "replace" ? "Workspace replaced" : "Workspace merged");
}

function describeSummary(summary) {
  if (!summary || typeof summary !== "object") return typeof summary === "string" ? summary : "";
  return Object.entries(summary)
    .filter(([, v]) => typeof v === "number" || typeof v === "string")
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${v}`)
    .join(" · ");
}
