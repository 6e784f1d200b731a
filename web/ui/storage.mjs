// Storage: how big the workspace is, what takes the room, and what the browser allows.

import { h, replace, formatBytes } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { reportError } from "./notifications.mjs";
import { careSection } from "./carestorage.mjs";
import { filesSection } from "./storagefiles.mjs";
import { backupsSection } from "./backups.mjs";

const KIND_LABELS = { markdown: "Markdown", text: "Text", code: "Code", image: "Images", other: "Other files" };

/** `engine`: the engine client ({read(), storageEstimate()}); with `session` (and `documents`,
 * `editor`), the care section: breakdown, integrity, cleanup controls. */
export async function openStorage({ engine, ...parts }) {
  const body = h("div", {}, h("p", { class: "hint" }, "Measuring…"));
  const d = openDialog({ title: "Storage", size: "medium", body: [body] });
  let stats, estimate;
  try {
    [stats, estimate] = await Promise.all([
      engine.read("storage.stats", {}),
      engine.storageEstimate().catch(() => null),
    ]);
  } catch (err) {
    if (!parts.session) {
      d.close();
      reportError(err, "Could not measure storage");
      return;
    }
    // A damaged workspace may not measure: its check and repair (below) must still be reachable.
    replace(body, h("p", { class: "field-error" }, `Could not measure storage: ${err.message || err}`));
    stats = null;
  }
  if (stats) render(body, stats, estimate);
  // Drawn again after an action (a new cache limit, space freed, a check): only while it is
  // open, so an action that ends after the person closed the view does not bring it back.
  const again = () => {
    if (!d.dialog.open) return;
    d.close();
    openStorage({ engine, ...parts });
  };
  if (parts.session) {
    const restore = parts.restoreBackup ? (file) => { d.close(); return parts.restoreBackup(file); } : null;
    body.append(filesSection(parts, again), careSection(parts, again), backupsSection({ restore }, again));
  }
}

function render(body, stats, estimate) {
  const byType = (stats.by_type || []).map((t) => ({
    label: KIND_LABELS[t.kind] || t.kind || t.type || "other",
    count: t.count ?? t.artifacts ?? 0,
    bytes: t.bytes ?? t.size_bytes ?? 0,
  })).sort((a, b) => b.bytes - a.bytes);
  const maxBytes = Math.max(1, ...byType.map((t) => t.bytes));
  const versions = typeof stats.versions === "object" && stats.versions ? stats.versions.count : stats.versions;
  const trashed = typeof stats.trashed === "object" && stats.trashed ? stats.trashed.count : stats.trashed;
  const docs = typeof stats.artifacts === "object" && stats.artifacts ? stats.artifacts.count : byType.reduce((n, t) => n + t.count, 0);

  const tiles = h("div", { class: "stats" },
    tile(formatBytes(stats.size_bytes), "Database size"),
    tile(String(docs ?? "–"), "Documents"),
    tile(String(versions ?? "–"), "Versions"),
    tile(String(trashed ?? "–"), "In trash"),
  );

  const bars = byType.length
    ? h("div", { class: "bars" }, byType.map((t) => h("div", { class: "bar-row" },
        h("span", { class: "list-title", title: t.label }, `${t.label} (${t.count})`),
        h("span", { class: "track" }, h("span", { class: "fill", style: { width: `${Math.max(2, (t.bytes / maxBytes) * 100)}%` } })),
        h("span", { class: "val" }, formatBytes(t.bytes)),
      )))
    : h("p", { class: "hint" }, "No documents yet.");

  const persisted = estimate ? estimate.persisted : null;
  const quotaLeft = estimate && estimate.quota ? Math.max(0, estimate.quota - (estimate.usage || 0)) : null;
  const persistCell = h("dd", {}, persisted === null ? "unknown" : persisted ? "Granted — the browser will not evict this workspace" : "Not granted — the browser may clear it when space runs low");
  if (persisted === false && navigator.storage?.persist) {
    persistCell.append(" ", h("button", {
      type: "button", class: "btn btn-small",
      onclick: async (e) => {
        e.currentTarget.disabled = true;
        const granted = await navigator.storage.persist().catch(() => false);
        replace(persistCell, granted ? "Granted — the browser will not evict this workspace" : "Not granted — the browser declined (it decides from how you use the site)");
      },
    }, "Ask again"));
  }
  const kv = h("dl", { class: "kv" },
    h("dt", {}, "Persistent storage"), persistCell,
    h("dt", {}, "Quota left"), h("dd", {}, quotaLeft === null ? "unknown" : `${formatBytes(quotaLeft)} of ${formatBytes(estimate.quota)}`),
    h("dt", {}, "Used by this site"), h("dd", {}, estimate ? formatBytes(estimate.usage) : "unknown"),
    stats.page_size ? [h("dt", {}, "Page size"), h("dd", {}, formatBytes(stats.page_size))] : null,
    stats.schema_version ? [h("dt", {}, "Schema version"), h("dd", {}, String(stats.schema_version))] : null,
  );
  const usage = (u) => (u && typeof u === "object" ? `${u.count} · ${formatBytes(u.bytes)}` : null);
  const workspace = h("dl", { class: "kv" },
    usage(stats.versions) ? [h("dt", {}, "Versions"), h("dd", {}, usage(stats.versions))] : null,
    usage(stats.trashed) ? [h("dt", {}, "In trash"), h("dd", {}, usage(stats.trashed))] : null,
    usage(stats.pending_uploads) && stats.pending_uploads.count ? [h("dt", {}, "Waiting to upload"), h("dd", {}, usage(stats.pending_uploads))] : null,
    typeof stats.actions === "number" ? [h("dt", {}, "Activity entries"), h("dd", {}, String(stats.actions))] : null,
    typeof stats.free_bytes === "number" ? [h("dt", {}, "Free space inside the file"), h("dd", {}, formatBytes(stats.free_bytes))] : null,
  );
  replace(body, tiles, h("h3", { class: "section-title" }, "By type"), bars,
    h("h3", { class: "section-title" }, "Workspace"), workspace,
    h("h3", { class: "section-title" }, "Browser"), kv);
}

function tile(num, label) {
  return h("div", { class: "stat" }, h("div", { class: "num" }, num), h("div", { class: "lbl" }, label));
}
