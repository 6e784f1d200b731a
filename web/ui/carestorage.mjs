// The storage view's care section: what takes the space (per part, per top-level folder), the
// last integrity check with "Check workspace" and "Repair", and the cleanup controls (prune a
// folder's versions, empty trash, compact) — each long action with progress in the status bar.

import { h, replace, formatBytes, formatFull, downloadBytes, SQLITE_TYPE } from "./dom.mjs";
import { confirmDialog, promptText } from "./dialogs.mjs";
import { note, reportError, showTask, hideTask, showError } from "./notifications.mjs";
import { cleanupSteps, compactSteps, describeRemoved, totalRemoved } from "./upkeep.mjs";
import { keepBackup } from "./backups.mjs";

const PART_LABELS = {
  documents: "Documents", files: "Files", versions: "Version history", trash: "Trash",
  search_index: "Search index", activity: "Activity log",
};

/** `session`: {call, mutate}; `documents`: {refreshTree()}; `editor`: {close(), flush()};
 * `refresh()`: draw the storage view again after an action. */
export function careSection(parts, refresh) {
  const el = h("div", { class: "care", id: "storage-care" }, h("p", { class: "hint" }, "Measuring…"));
  load(el, parts, refresh).catch((err) => replace(el, h("p", { class: "field-error" }, `Could not measure: ${err.message || err}`)));
  return el;
}

async function load(el, parts, refresh) {
  const { session } = parts;
  // A damaged file may fail to measure: the integrity section (check, repair) still shows.
  const [usageRes, statusRes] = await Promise.allSettled([session.call("care.breakdown", {}), session.call("care.status", {})]);
  const status = statusRes.status === "fulfilled" ? statusRes.value : { description: "", last_check: null };
  const act = (label, id, fn) => h("button", { type: "button", class: "btn btn-small", id, onclick: async (e) => {
    e.currentTarget.disabled = true;
    try { await fn(); } catch (err) { reportError(err, label); } finally { refresh(); }
  } }, label);
  const space = usageRes.status === "fulfilled" ? spaceSection(usageRes.value, parts, act)
    : [h("p", { class: "field-error" }, `Could not measure the workspace: ${String(usageRes.reason?.message || usageRes.reason).replace(/\.$/, "")}. Check it below.`)];
  const check = status.last_check;
  const checkText = check
    ? (check.ok ? `No problems found · ${formatFull(check.at)}` : `${check.problem_count} problem(s) found · ${formatFull(check.at)}`)
    : "Never checked";
  replace(el, ...space,
    h("div", { class: "care-actions" },
      act("Clean up now", "care-cleanup", () => cleanUp(parts)),
      act("Compact", "care-compact", () => compact(parts)),
      h("span", { class: "hint" }, status.description)),
    h("h3", { class: "section-title" }, "Integrity"),
    h("p", { id: "care-check-result", class: check && !check.ok ? "field-error" : "" }, checkText),
    check && !check.ok ? h("ul", { class: "care-problems" }, (check.problems || []).slice(0, 8).map((p) => h("li", {}, `${p.message}${p.path ? ` (${p.path})` : ""}`))) : null,
    h("div", { class: "care-actions" },
      act("Check workspace", "care-check", () => checkNow(parts)),
      check && !check.ok ? act("Repair…", "care-repair", () => repair(parts)) : null),
  );
}

function spaceSection(usage, parts, act) {
  const maxPart = Math.max(1, ...usage.parts.map((p) => p.bytes));
  const partRows = usage.parts.map((p) => h("div", { class: "bar-row", dataset: { part: p.part, bytes: String(p.bytes) } },
    h("span", { class: "list-title" }, `${PART_LABELS[p.part] || p.part}${p.count != null ? ` (${p.count})` : ""}`),
    h("span", { class: "track" }, h("span", { class: "fill", style: { width: `${Math.max(2, (p.bytes / maxPart) * 100)}%` } })),
    h("span", { class: "val" }, formatBytes(p.bytes)),
    p.part === "trash" && p.count ? act("Empty trash", "care-empty-trash", () => emptyTrash(parts)) : null,
  ));
  const folderRows = usage.folders.map((f) => h("tr", { dataset: { folder: f.folder } },
    h("td", {}, f.folder), h("td", { class: "num" }, String(f.items)),
    h("td", { class: "num" }, formatBytes(f.documents + f.files)),
    h("td", { class: "num" }, `${f.versions} · ${formatBytes(f.version_bytes)}`),
    h("td", {}, f.versions > f.items ? act("Prune versions", null, () => pruneFolder(parts, f.folder)) : null),
  ));
  return [
    h("h3", { class: "section-title" }, "What takes the space"),
    h("div", { class: "bars", id: "care-parts" }, partRows),
    h("p", { class: "hint", id: "care-file-size", dataset: { bytes: String(usage.file_bytes) } },
      `The file is ${formatBytes(usage.file_bytes)}, of which ${formatBytes(usage.free_bytes)} is free space a compaction returns; the rest is the database's own structure.`),
    usage.folders.length ? h("table", { class: "care-folders", id: "care-folders" },
      h("thead", {}, h("tr", {}, h("th", {}, "Folder"), h("th", {}, "Items"), h("th", {}, "Content"), h("th", {}, "Versions"), h("th", {}))),
      h("tbody", {}, folderRows)) : null,
  ];
}

async function emptyTrash({ session }) {
  if (!(await confirmDialog({ title: "Empty trash", message: "Everything in the trash is removed for good.", okLabel: "Empty trash", danger: true }))) return;
  const res = await session.mutate("trash.empty", {}, { quiet: true });
  note(`Removed ${res.deleted} item(s) for good`);
}

async function pruneFolder({ session }, folder) {
  const answer = await promptText({ title: `Prune versions of ${folder}`, label: "Keep the newest N versions of each document", value: "10",
    validate: (v) => (/^\d+$/.test(v) && Number(v) >= 1 ? null : "A whole number, 1 or more.") });
  if (answer === null) return;
  const steps = await cleanupSteps(session, { folder, keep_last: Number(answer) }, { label: `Pruning ${folder}` });
  note(`Removed ${totalRemoved(steps).versions} versions in ${folder}`);
}

async function cleanUp({ session }) {
  const preview = await session.call("care.preview", {});
  if (!(await confirmDialog({ title: "Clean up now", message: `${preview.message} ${preview.policy}`, okLabel: "Clean up" }))) return;
  const t = totalRemoved(await cleanupSteps(session, {}, { label: "Cleaning up" }));
  note(describeRemoved(t));
}

async function compact({ session }) {
  const steps = await compactSteps(session, { label: "Compacting" });
  const freed = steps[0].before_bytes - steps[steps.length - 1].after_bytes;
  note(`Compacted: ${formatBytes(freed)} returned`);
}

async function checkNow({ session }) {
  showTask("Checking workspace");
  try {
    const res = await session.mutate("care.check", {}, { quiet: true });
    note(res.ok ? "Workspace checked: no problems" : `Workspace check found ${res.problem_count} problem(s)`);
  } finally {
    hideTask();
  }
}

async function repair({ session, documents, editor }) {
  const ok = await confirmDialog({ title: "Repair workspace", okLabel: "Repair", danger: true,
    message: "Everything Quire can still read is copied into a fresh workspace, which replaces this one. The damaged workspace is kept as a file you can download." });
  if (!ok) return;
  editor.close();
  await editor.flush();
  showTask("Repairing workspace");
  let res;
  try {
    res = await session.mutate("care.repair", {}, { quiet: true });
  } catch (err) {
    showError(`${err.message || err} Your workspace was not changed.`, "Could not repair");
    return;
  } finally {
    hideTask();
  }
  await documents.refreshTree();
  // The damaged file is kept in this browser (Storage › Backups on this device), and downloaded.
  const kept = await keepBackup(res.backup, { name: res.backup_name, reason: "repair" }).then(() => true, () => false);
  downloadBytes(res.backup, res.backup_name, SQLITE_TYPE);
  const where = kept ? "the damaged file was kept as a backup and downloaded" : "the damaged file was downloaded";
  // With sync kept, what the damage took comes back from the other devices at the next sync.
  const back = res.rows_lost && res.sync === "kept" ? " (a synced copy comes back at the next sync)" : "";
  note(res.rows_lost ? `Repaired: ${res.rows_lost} unreadable row(s) could not be kept${back}; ${where}` : `Repaired; ${where}`);
}
