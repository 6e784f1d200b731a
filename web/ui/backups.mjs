// Backups on this device: the workspace as it was before an import replaced it or a repair
// rebuilt it, kept in the page's own IndexedDB (outside the workspace and its page store), so
// closing the result dialog without downloading loses nothing. The newest few are kept; the
// storage view lists them to download, restore or delete.

import { h, replace, formatBytes, formatFull, downloadBytes, SQLITE_TYPE } from "./dom.mjs";
import { confirmDialog } from "./dialogs.mjs";
import { note, reportError } from "./notifications.mjs";
import { request as done, transactionDone } from "../engine/pagestore_db.mjs";

const DB_NAME = "quire-backups";
const STORE = "backups";
// Each is a whole workspace; older ones go once this many are kept.
export const MAX_KEPT = 3;

let opened = null;

function database() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => { opened = null; reject(req.error); };
  });
  return opened;
}

/** Run `fn(store)` in one transaction; resolves once it commits, to what its request gave. */
async function request(mode, fn) {
  const tx = (await database()).transaction(STORE, mode);
  const req = fn(tx.objectStore(STORE));
  const [result] = await Promise.all([req ? done(req) : null, transactionDone(tx)]);
  return result;
}

/**
 * Keep `bytes` (a Uint8Array or Blob: an exported workspace) as a backup named `name`, for
 * `reason` ("import" or "repair"). Resolves once it is durable, to its id; throws if the
 * browser refused it (storage full): the caller then offers the download at once.
 */
export async function keepBackup(bytes, { name, reason }) {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes], { type: SQLITE_TYPE });
  const id = await request("readwrite", (s) => s.add({ name, reason, at: new Date().toISOString(), size: blob.size, blob }));
  const kept = await listBackups();
  for (const old of kept.slice(MAX_KEPT)) await dropBackup(old.id);
  return id;
}

/** The backups kept, newest first, without their bytes: {id, name, reason, at, size}. */
export async function listBackups() {
  const rows = [];
  await request("readonly", (s) => {
    const cursor = s.openCursor(null, "prev");
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      const { id, name, reason, at, size } = c.value;
      rows.push({ id, name, reason, at, size });
      c.continue();
    };
    return null;
  });
  return rows;
}

/** The backup's bytes as a Blob, or null if it is gone. */
export async function backupBlob(id) {
  const row = await request("readonly", (s) => s.get(id));
  return row ? row.blob : null;
}

export function dropBackup(id) {
  return request("readwrite", (s) => s.delete(id));
}

const REASONS = { import: "before an import", repair: "before a repair" };

/**
 * The storage view's section: each backup with Download, Restore… and Delete.
 * `restore(file)`: replaces the workspace with that file (an import, which keeps the current
 * workspace as a backup in turn); `refresh()` draws the view again.
 */
export function backupsSection({ restore }, refresh) {
  const el = h("div", { id: "storage-backups" });
  listBackups().then((rows) => {
    if (!rows.length) return;
    replace(el,
      h("h3", { class: "section-title" }, "Backups on this device"),
      h("p", { class: "hint" }, `The workspace as it was before it was replaced; the newest ${MAX_KEPT} are kept in this browser.`),
      h("ul", { class: "list backup-list" }, rows.map((b) => h("li", { class: "list-row", dataset: { backup: String(b.id) } },
        h("div", { class: "list-main" },
          h("div", { class: "list-title" }, b.name),
          h("div", { class: "list-meta" }, `${formatFull(b.at)} · ${REASONS[b.reason] || b.reason} · ${formatBytes(b.size)}`)),
        h("button", { type: "button", class: "btn btn-small", "aria-label": `Download ${b.name}`, onclick: () => download(b) }, "Download"),
        restore ? h("button", { type: "button", class: "btn btn-small", "aria-label": `Restore ${b.name}`, onclick: () => restoreOne(b, restore) }, "Restore…") : null,
        h("button", { type: "button", class: "btn btn-small", "aria-label": `Delete ${b.name}`, onclick: () => remove(b, refresh) }, "Delete")))));
  }).catch((err) => replace(el, h("p", { class: "field-error" }, `Could not read the backups: ${err.message || err}`)));
  return el;
}

async function download(b) {
  const blob = await backupBlob(b.id);
  if (!blob) return reportError({ message: "That backup is gone." }, "Could not download the backup");
  downloadBytes(blob, b.name, SQLITE_TYPE);
}

async function restoreOne(b, restore) {
  const ok = await confirmDialog({ title: "Restore backup", okLabel: "Restore", danger: true,
    message: `${b.name} (${formatFull(b.at)}) becomes your workspace. The workspace as it is now is kept as a backup in turn.` });
  if (!ok) return;
  const blob = await backupBlob(b.id);
  if (!blob) return reportError({ message: "That backup is gone." }, "Could not restore the backup");
  await restore(new File([blob], b.name, { type: SQLITE_TYPE }));
}

async function remove(b, refresh) {
  const ok = await confirmDialog({ title: "Delete backup", okLabel: "Delete", danger: true,
    message: `${b.name} (${formatFull(b.at)}) is deleted from this browser. This cannot be undone.` });
  if (!ok) return;
  await dropBackup(b.id);
  note("Backup deleted");
  refresh();
}
