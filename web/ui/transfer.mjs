// Export the workspace as one .sqlite file; import one, replacing (with a backup) or merging.

import { h, dateStamp, downloadBytes, formatBytes, SQLITE_TYPE } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { note, showTask, hideTask, showError, reportError } from "./notifications.mjs";
import { isBundle } from "./transferfiles.mjs";
import { importChanges, showImportResult, refusal } from "./importresult.mjs";
import { keepBackup } from "./backups.mjs";


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

/**
 * `session`: {call(), mutate()}; `editor`: {flush(), setReadOnly()}; `documents`: {refreshTree(),
 * reloadOpen(), open()}; `history(artifact)`: opens a document's history (for conflicts).
 */
export function openImport({ store, session, editor, documents, history }) {
  if (!store.canWrite()) return;
  const input = h("input", { type: "file", id: "import-file", accept: ".sqlite,.sqlite3,.db,.zip,application/vnd.sqlite3,application/x-sqlite3,application/zip" });
  const problem = h("p", { class: "field-error", hidden: true });
  const merge = h("button", { type: "button", class: "btn", onclick: () => start("merge") }, "Merge");
  const replace = h("button", { type: "button", class: "btn btn-primary", onclick: () => start("replace") }, "Replace");
  const d = openDialog({
    title: "Import workspace", size: "medium",
    body: [
      h("div", { class: "field" }, h("label", { for: "import-file" }, "Workspace file (.sqlite, or .zip with files)"), input, problem),
      h("div", { class: "choice" }, h("div", {},
        h("strong", {}, "Merge"),
        h("span", {}, "Adds the file's documents to this workspace. When both sides changed the same document, both texts are kept as versions."))),
      h("div", { class: "choice" }, h("div", {},
        h("strong", {}, "Replace"),
        h("span", {}, "The file becomes your workspace. The current workspace is kept in this browser as a backup (Storage › Backups on this device), to download or restore."))),
    ],
    foot: [h("button", { type: "button", class: "btn", onclick: () => d.close() }, "Cancel"), h("span", { class: "spacer" }), merge, replace],
  });
  input.focus();

  async function start(mode) {
    const file = input.files && input.files[0];
    if (!file) {
      problem.textContent = "Choose a .sqlite or .zip file first.";
      problem.hidden = false;
      input.focus();
      return;
    }
    d.close();
    await runImport({ store, session, editor, documents, history }, file, mode);
  }
}

const backupName = (res) => res.backup_name || `workspace-backup-${dateStamp()}.sqlite`;

/** Import `file` (a .sqlite or .zip File) in `mode` ("replace" or "merge"), as the dialog does:
 * also how a backup on this device is restored. */
export function importFile(parts, file, mode) {
  if (!parts.store.canWrite()) return Promise.resolve();
  return runImport(parts, file, mode);
}

async function runImport({ store, session, editor, documents, history }, file, mode) {
  // Nothing changes on screen until the import has succeeded: the open document stays open
  // (read-only while the import runs, what was typed saved first) and a refusal leaves it so.
  await editor.flush();
  editor.setReadOnly(true);
  showTask(`Importing ${file.name}`, 0);
  let res;
  let before;
  try {
    before = await session.call("tree.list", {});
    const data = new Uint8Array(await file.arrayBuffer());
    // An export with files (.zip) brings its files along, each checked against its hash.
    res = await session.mutate(isBundle(data) ? "transfer.import_bundle" : "transfer.import", { data, mode }, { quiet: true });
  } catch (err) {
    hideTask();
    editor.setReadOnly(!store.canWrite());
    showError(refusal(err), `Could not import ${file.name}`);
    return;
  }
  // Kept before anything else is shown: closing the result without downloading loses nothing.
  const kept = res.backup ? await keepBackup(res.backup, { name: backupName(res), reason: "import" }).then(() => true, () => false) : false;
  hideTask();
  editor.setReadOnly(!store.canWrite());
  await documents.refreshTree();
  await documents.reloadOpen();
  const after = await session.call("tree.list", {});
  const changes = importChanges(before, after, res);
  showImportResult({
    fileName: file.name, res, changes, after, kept,
    open: (id) => documents.open(id),
    history: (artifact) => history(artifact),
    download: () => downloadBytes(res.backup, backupName(res), SQLITE_TYPE),
  });
  const n = changes.conflicts.length;
  note(res.mode === "replace" ? "Workspace replaced"
    : n ? `Workspace merged · ${n} conflict${n === 1 ? "" : "s"}: both versions kept` : "Workspace merged", { ms: n ? 15000 : 6000 });
}
