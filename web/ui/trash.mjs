// Trash: deleted documents and folders, restorable one by one, or emptied for good.

import { h, replace, formatWhen, formatBytes, basename } from "./dom.mjs";
import { openDialog, confirmDialog } from "./dialogs.mjs";
import { note, reportError } from "./notifications.mjs";

/** `session`: {call(), mutate()}; `documents`: {refreshTree()} after a restore. */
export async function openTrash({ store, session, documents }) {
  const list = h("ul", { class: "list", "aria-label": "Deleted items" });
  const empty = h("button", { type: "button", class: "btn btn-danger", onclick: () => emptyTrash() }, "Empty trash");
  const d = openDialog({
    title: "Trash", size: "medium",
    body: [h("p", { class: "hint" }, "Deleted documents stay here until you empty the trash."), list],
    foot: [h("span", { class: "spacer" }), empty],
  });

  async function load() {
    let items;
    try {
      const res = await session.call("trash.list", {});
      items = Array.isArray(res) ? res : res.items || [];
    } catch (err) {
      d.close();
      reportError(err, "Could not open the trash");
      return;
    }
    empty.disabled = !items.length || !store.canWrite();
    if (!items.length) {
      replace(list, h("li", { class: "list-empty" }, "Trash is empty."));
      return;
    }
    replace(list, items.map((item) => {
      const name = item.name || basename(item.path || "");
      const when = item.deleted_at ?? item.trashed_at;
      const meta = [item.path, when ? `deleted ${formatWhen(when)}` : null,
        item.size_bytes !== undefined && item.size_bytes !== null ? formatBytes(item.size_bytes) : null].filter(Boolean).join(" · ");
      const inside = item.kind === "folder" ? folderContents(item, name) : null;
      return h("li", { class: "list-row trash-unit" },
        h("div", { class: "list-main" }, h("div", { class: "list-title" }, name), h("div", { class: "list-meta" }, meta), inside),
        h("button", {
          type: "button", class: "btn btn-small", "aria-label": `Restore ${name}`, disabled: !store.canWrite(),
          onclick: async (e) => {
            e.currentTarget.disabled = true;
            const res = await session.mutate("trash.restore", { id: item.id }, { context: "Could not restore" });
            if (res) { note(`Restored ${name}`); await documents.refreshTree(); }
            await load();
          },
        }, "Restore"),
      );
    }));
  }

  /** A trashed folder's documents, each restorable on its own (read when opened). */
  function folderContents(item, folderName) {
    const rows = h("ul", { class: "list trash-inside", "aria-label": `Documents in ${folderName}` });
    const box = h("details", { class: "trash-contents" }, h("summary", {}, `Documents inside`), rows);
    box.addEventListener("toggle", async () => {
      if (!box.open) return;
      let docs;
      try { docs = await session.call("trash.contents", { id: item.id }); } catch (err) { reportError(err, "Could not list the folder"); return; }
      replace(rows, docs.length ? docs.map((doc) => h("li", { class: "list-row" },
        h("div", { class: "list-main" }, h("div", { class: "list-title" }, doc.name), h("div", { class: "list-meta" }, doc.path)),
        h("button", {
          type: "button", class: "btn btn-small", "aria-label": `Restore ${doc.name} alone`, disabled: !store.canWrite(),
          onclick: async (e) => {
            e.currentTarget.disabled = true;
            const res = await session.mutate("trash.restore_one", { id: doc.id }, { context: "Could not restore" });
            if (res) { note(`Restored ${doc.name} to ${res.path}`); await documents.refreshTree(); }
            await load();
          },
        }, "Restore"))) : h("li", { class: "list-empty" }, "No documents inside."));
    });
    return box;
  }

  async function emptyTrash() {
    const sure = await confirmDialog({
      title: "Empty trash?", message: "Everything in the trash, and its history, is deleted for good. This cannot be undone.",
      okLabel: "Delete forever", danger: true,
    });
    if (!sure) return;
    const res = await session.mutate("trash.empty", {}, { context: "Could not empty the trash" });
    if (res) note(`Deleted ${res.deleted ?? "all"} item${res.deleted === 1 ? "" : "s"} for good`);
    await load();
  }

  await load();
}
