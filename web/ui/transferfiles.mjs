// "Export with files": one .zip holding workspace.sqlite and every large file, decrypted (those
// only in the cloud are downloaded and verified first), so it opens anywhere without the key.
// Its import is the Import dialog's (web/ui/transfer.mjs): a .zip goes to transfer.import_bundle,
// which checks everything (zip bomb, missing file, wrong hash) and changes nothing on refusal.

import { formatBytes, downloadBytes } from "./dom.mjs";
import { note, showTask, hideTask, reportError } from "./notifications.mjs";

const ZIP_TYPE = "application/zip";

/** Whether `data` (bytes) is a zip: the import then expects an export with files. */
export function isBundle(data) {
  return data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && data[2] === 3 && data[3] === 4;
}

/** `session`: {call()}; `editor`: {flush()}, so what was typed is in the file. */
export async function exportWithFiles({ store, session, editor }) {
  if (!store.isReady()) return;
  await editor.flush();
  showTask("Exporting the workspace with its files", null);
  try {
    const res = await session.call("transfer.export_bundle", {});
    downloadBytes(res.data, res.name, ZIP_TYPE);
    note(`Exported ${res.name} (${formatBytes(res.data.byteLength ?? res.data.size)})`);
  } catch (err) {
    reportError(err, "Export with files failed");
  } finally {
    hideTask();
  }
}
