// History: the versions of one document, newest first. Pick one to read it; "Restore version"
// makes it the current content (recorded as a new version, so nothing is lost).

import { h, replace, formatBytes, formatWhen, formatFull } from "./dom.mjs";
import { displayName } from "./kinds.mjs";
import { openDialog } from "./dialogs.mjs";
import { setEngineHtml } from "./preview.mjs";
import { note, reportError } from "./notifications.mjs";

const PAGE = 50;

/**
 * `session`: {call(), mutate()}; `editor`: {flush(), current}; `documents`: {refreshTree(),
 * reloadOpen()} after a restore.
 */
export async function openHistory({ store, session, editor, documents }, artifact) {
  await editor.flush();
  const list = h("div", { class: "history-list", role: "listbox", "aria-label": "Versions" });
  const bar = h("div", { class: "history-bar" });
  const content = h("div", { class: "history-content", tabindex: "0", "aria-label": "Version content" });
  const view = h("div", { class: "history-view" }, bar, content);
  const d = openDialog({
    title: `History — ${displayName(artifact)}`, size: "wide",
    body: [h("div", { class: "history" }, list, view)],
  });
  d.body.style.padding = "0";
  d.body.style.display = "flex";
  // The history of a merge conflict has now been seen: retention may remove its versions later.
  if (store.canWrite()) session.mutate("care.conflict_seen", { artifact_id: artifact.id }, { quiet: true }).catch(() => {});

  let versions = [];
  let selected = null;
  let more = null;

  async function loadPage(before) {
    const params = { artifact_id: artifact.id, limit: PAGE };
    if (before !== undefined && before !== null) params.before = before;
    const page = await session.call("versions.list", params);
    const items = Array.isArray(page) ? page : page.items || [];
    versions = versions.concat(items);
    const next = Array.isArray(page) ? (items.length === PAGE ? cursorOf(items[items.length - 1]) : null) : page.next;
    renderList(next);
  }

  function renderList(next) {
    if (!versions.length) {
      replace(list, h("p", { class: "list-empty" }, "No versions yet. Each save that changes the text records one."));
      replace(bar, h("p", {}, ""));
      return;
    }
    replace(list, versions.map((v, i) => h("button", {
      type: "button", class: "version-btn", role: "option", "aria-current": String(selected === v.id),
      "aria-selected": String(selected === v.id), dataset: { id: v.id },
      onclick: () => select(v),
    },
      h("span", { class: "list-title" }, i === 0 ? `${formatWhen(createdOf(v))} · current` : formatWhen(createdOf(v))),
      h("span", { class: "list-meta", title: formatFull(createdOf(v)) }, [reasonText(v), sizeText(v)].filter(Boolean).join(" · ")),
    )));
    if (next !== null && next !== undefined) {
      more = h("div", { class: "list-more" }, h("button", {
        type: "button", class: "btn btn-small",
        onclick: async () => { more.remove(); await loadPage(next).catch((e) => reportError(e, "Could not load versions")); },
      }, "Load more"));
      list.append(more);
    }
  }

  async function select(v) {
    selected = v.id;
    for (const btn of list.querySelectorAll(".version-btn")) {
      const on = btn.dataset.id === String(v.id);
      btn.setAttribute("aria-current", String(on));
      btn.setAttribute("aria-selected", String(on));
    }
    const isCurrent = versions[0] && versions[0].id === v.id;
    const restore = h("button", {
      type: "button", class: "btn btn-primary btn-small", disabled: isCurrent || !store.canWrite(),
      onclick: () => restoreVersion(v),
    }, "Restore version");
    replace(bar, h("p", {}, isCurrent ? "This is the current text." : `Saved ${formatFull(createdOf(v))}`), restore);
    replace(content, h("p", { class: "list-empty" }, "Loading…"));
    try {
      const full = await session.call("versions.get", { version_id: v.id });
      if (selected !== v.id) return;
      if (typeof full.html === "string") {
        const article = h("article", { class: "preview" });
        setEngineHtml(article, full.html);
        replace(content, article);
      } else if (typeof full.text === "string") {
        replace(content, h("pre", { class: "plain" }, full.text));
      } else {
        replace(content, h("p", { class: "list-empty" }, `Binary content, ${formatBytes(full.size_bytes ?? full.size)}.`));
      }
    } catch (err) {
      replace(content, h("p", { class: "list-empty" }, `Could not load this version: ${err.message || err}`));
    }
  }

  async function restoreVersion(v) {
    await editor.flush();
    const res = await session.mutate("versions.restore", { version_id: v.id }, { context: "Could not restore the version" });
    if (!res) return;
    // The dialog stays until the editor shows the restored text, so nothing is typed into the old one.
    try {
      await documents.refreshTree();
      if (editor.current?.id === artifact.id) await documents.reloadOpen();
    } finally {
      d.close();
    }
    note(`Restored the version from ${formatWhen(createdOf(v))}`);
  }

  try {
    await loadPage();
    if (versions.length) select(versions[Math.min(1, versions.length - 1)]);
    list.querySelector('[aria-selected="true"]')?.focus();
  } catch (err) {
    d.close();
    reportError(err, "Could not load the history");
  }
}

function createdOf(v) { return v.created_at ?? v.timestamp ?? v.saved_at; }
function cursorOf(v) { return v.seq; }
const REASONS = { create: "Created", update: "Edited", restore: "Restored", import: "Imported", merge: "Merged", upload: "Uploaded" };
function reasonText(v) {
  const r = REASONS[v.reason] || v.reason || "";
  return v.seq !== undefined ? `#${v.seq}${r ? ` ${r.toLowerCase()}` : ""}` : r;
}
function sizeText(v) {
  const n = v.size_bytes ?? v.size;
  return n === undefined || n === null ? "" : formatBytes(n);
}
