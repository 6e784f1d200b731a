// The storage view's large-files section: how many files, and how many bytes, are on this
// device, in the cloud only, uploading and waiting; each file with where its bytes are; and
// "Free space on this device", which drops the cached copies that S3 holds safely (a file not
// uploaded yet is never dropped; it downloads again, verified, when opened).

import { h, replace, formatBytes } from "./dom.mjs";
import { note, reportError } from "./notifications.mjs";

const STATES = [
  ["on_device", "On this device"], ["cloud_only", "In the cloud only"],
  ["uploading", "Uploading"], ["waiting", "Waiting to upload"],
];

/** `session`: {call()}; `refresh()`: draw the storage view again after freeing space. */
export function filesSection({ session }, refresh) {
  const el = h("div", { id: "storage-files" }, h("h3", { class: "section-title" }, "Large files"),
    h("p", { class: "hint" }, "Measuring…"));
  session.call("files.list", {})
    .then((rows) => render(el, rows, session, refresh))
    .catch((err) => replace(el, h("h3", { class: "section-title" }, "Large files"),
      h("p", { class: "hint" }, `Large files cannot be listed here: ${err.message || err}`)));
  return el;
}

function render(el, rows, session, refresh) {
  const title = h("h3", { class: "section-title" }, "Large files");
  if (!rows.length) return replace(el, title, h("p", { class: "hint" }, "No files over 1 MB yet. Larger files are encrypted on this device and kept in your cloud storage."));
  const sums = Object.fromEntries(STATES.map(([state]) => [state, { count: 0, bytes: 0 }]));
  for (const r of rows) {
    sums[r.state].count += 1;
    sums[r.state].bytes += r.size_bytes;
  }
  const label = Object.fromEntries(STATES);
  const totals = h("dl", { class: "kv", id: "storage-files-totals" }, STATES.map(([state, text]) => [
    h("dt", {}, text), h("dd", { dataset: { state } }, `${sums[state].count} · ${formatBytes(sums[state].bytes)}`)]));
  const list = h("div", { class: "bars" }, rows.map((r) => h("div", { class: "bar-row", dataset: { state: r.state } },
    h("span", { class: "list-title", title: r.path }, r.path),
    h("span", { class: "val" }, label[r.state]),
    h("span", { class: "val" }, formatBytes(r.size_bytes)))));
  const free = h("button", { type: "button", class: "btn btn-small", id: "storage-free-space", disabled: !sums.on_device.count,
    onclick: async () => {
      free.disabled = true;
      try {
        const res = await session.call("files.free_space", {});
        note(res.dropped ? `Freed ${formatBytes(res.freed_bytes)} on this device (${res.dropped} file${res.dropped === 1 ? "" : "s"} stay in the cloud)` : "Nothing to free: files that wait to upload stay on this device");
      } catch (err) {
        reportError(err, "Could not free space");
      } finally {
        refresh();
      }
    } }, "Free space on this device");
  replace(el, title, totals, list, h("div", { class: "care-actions" }, free,
    h("span", { class: "hint" }, "Drops copies that are safely in the cloud; they download again when opened.")));
}
