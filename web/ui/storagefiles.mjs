// The storage view's large-files section: how many files, and how many bytes, are on this
// device, in the cloud only, uploading and waiting; each file with where its bytes are (the one
// uploading with its progress, "Uploading 12 MB of 40 MB", and the whole run's below); and
// "Free space on this device", which drops the cached copies that S3 holds safely (a file not
// uploaded yet is never dropped; it downloads again, verified, when opened). While files wait
// or upload, the section looks again every POLL_MS for as long as it is shown. Below it, the
// device cache's limit (web/ui/cachelimit.mjs), drawn once: a poll never resets what is typed.

import { h, replace, formatBytes } from "./dom.mjs";
import { note, reportError } from "./notifications.mjs";
import { FILES_CHANGED } from "./cloudfiles.mjs";
import { cacheLimitForm } from "./cachelimit.mjs";

const POLL_MS = 700;
const STATES = [
  ["on_device", "On this device"], ["cloud_only", "In the cloud only"],
  ["uploading", "Uploading"], ["waiting", "Waiting to upload"],
];
const LABEL = Object.fromEntries(STATES);

/** `session`: {call()}; `refresh()`: draw the storage view again after freeing space. */
export function filesSection({ session }, refresh) {
  const el = h("div", {}, h("h3", { class: "section-title" }, "Large files"),
    h("p", { class: "hint" }, "Measuring…"));
  const section = h("div", { id: "storage-files" }, el);
  let drawn = null;
  const look = async () => {
    let rows, status;
    try {
      [rows, status] = await Promise.all([session.call("files.list", {}), session.call("files.status", {})]);
    } catch (err) {
      if (drawn === null) {
        replace(el, h("h3", { class: "section-title" }, "Large files"),
          h("p", { class: "hint" }, `Large files cannot be listed here: ${err.message || err}`));
      }
      return;
    }
    if (drawn === null) section.append(cacheLimitForm(session, status.cache_limit_bytes, refresh));
    const run = status.running ? [status.overall_done, status.overall_total] : null;
    const key = JSON.stringify([rows, run]);
    if (key !== drawn) { // redraw only what changed: a button under the pointer stays put
      drawn = key;
      render(el, rows, run, session, refresh);
    }
    const moving = status.running || rows.some((r) => r.state === "uploading" || r.state === "waiting");
    if (moving && (el.isConnected || !drawn)) setTimeout(() => { if (el.isConnected) look(); }, POLL_MS);
  };
  look();
  return section;
}

function render(el, rows, run, session, refresh) {
  const title = h("h3", { class: "section-title" }, "Large files");
  if (!rows.length) return replace(el, title, h("p", { class: "hint" }, "No files over 1 MB yet. Larger files are encrypted on this device and kept in your cloud storage."));
  const sums = Object.fromEntries(STATES.map(([state]) => [state, { count: 0, bytes: 0 }]));
  for (const r of rows) {
    sums[r.state].count += 1;
    sums[r.state].bytes += r.size_bytes;
  }
  const totals = h("dl", { class: "kv", id: "storage-files-totals" }, STATES.map(([state, text]) => [
    h("dt", {}, text), h("dd", { dataset: { state } }, `${sums[state].count} · ${formatBytes(sums[state].bytes)}`)]));
  const overall = run && run[1] ? h("p", { class: "hint", id: "storage-files-progress" },
    `Uploading ${formatBytes(run[0])} of ${formatBytes(run[1])} in all `,
    h("progress", { max: run[1], value: run[0], "aria-label": "Uploading large files" })) : null;
  const list = h("div", { class: "bars" }, rows.map(fileRow));
  const free = h("button", { type: "button", class: "btn btn-small", id: "storage-free-space", disabled: !sums.on_device.count,
    onclick: async () => {
      free.disabled = true;
      try {
        const res = await session.call("files.free_space", {});
        if (res.dropped) window.dispatchEvent(new Event(FILES_CHANGED)); // the file card and the tree say where bytes are
        note(res.dropped ? `Freed ${formatBytes(res.freed_bytes)} on this device (${res.dropped} file${res.dropped === 1 ? "" : "s"} stay in the cloud)` : "Nothing to free: files that wait to upload stay on this device");
      } catch (err) {
        reportError(err, "Could not free space");
      } finally {
        refresh();
      }
    } }, "Free space on this device");
  replace(el, title, totals, overall, list, h("div", { class: "care-actions" }, free,
    h("span", { class: "hint" }, "Drops copies that are safely in the cloud; they download again when opened.")));
}

function fileRow(r) {
  const uploading = r.state === "uploading" && r.done !== null && r.done !== undefined;
  const where = uploading ? `Uploading ${formatBytes(r.done)} of ${formatBytes(r.size_bytes)}` : LABEL[r.state];
  return h("div", { class: "bar-row", dataset: { state: r.state } },
    h("span", { class: "list-title", title: r.path }, r.path),
    h("span", { class: "val" }, where, uploading
      ? h("progress", { max: r.size_bytes, value: r.done, "aria-label": `Uploading ${r.path}` }) : null),
    h("span", { class: "val" }, formatBytes(r.size_bytes)));
}
