// History: the versions of one document, newest first and grouped by day, with real times
// ("Today 14:03"). Pick one to see what that save changed (against the version before it),
// what restoring it would change (against the current text), or its whole text. "Restore
// version" is one click: it makes that text current, recorded as a new version (nothing lost).
// A file's versions can be downloaded too ("Download this version"); a large file's old version
// (its bytes encrypted in the cloud or cached on this device, not in history) is fetched and
// verified like the file itself, and restoring it points the file at those bytes again
// (files.restore_version: nothing is uploaded twice). A version whose bytes are gone, or that
// cannot be fetched offline, is refused with the engine's message and nothing changes.

import { h, replace, formatBytes, formatFull, downloadBytes } from "./dom.mjs";
import { displayName, kindOf } from "./kinds.mjs";
import { readVersionShowingProgress } from "./cloudfiles.mjs";
import { openDialog } from "./dialogs.mjs";
import { setEngineHtml } from "./preview.mjs";
import { note, reportError } from "./notifications.mjs";
import { clock, stamp, groupByDay } from "./when.mjs";
import { diffView } from "./diffview.mjs";

const PAGE = 50;
const VIEWS = [["previous", "Changes"], ["current", "Against current"], ["text", "Text"]];
const TEXT_KINDS = ["markdown", "code", "text"];

/** Whether a version is a large file's, its bytes kept outside the workspace file. */
export function isLargeVersion(v) {
  return !v.has_content && v.size_bytes > 0;
}

/**
 * `session`: {call(), mutate()}; `editor`: {flush(), current}; `documents`: {refreshTree(),
 * reloadOpen()} after a restore.
 */
export async function openHistory({ store, session, editor, documents }, artifact) {
  await editor.flush();
  const list = h("div", { class: "history-list", role: "listbox", "aria-label": "Versions" });
  const bar = h("div", { class: "history-bar" });
  const tabs = h("div", { class: "segmented history-tabs", role: "group", "aria-label": "Show" });
  const content = h("div", { class: "history-content", tabindex: "0", "aria-label": "Version content" });
  // Why a download or a restore was refused, said here: the page's alerts sit behind this dialog.
  const problem = h("p", { class: "field-error history-problem", role: "alert", hidden: true });
  const view = h("div", { class: "history-view" }, bar, problem, tabs, content);
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
  let shown = "previous";

  // The version that holds the current text, as the engine marks it (the newest with its hash
  // that is not a conflict version: a sync or an import keeps the other side's text as one,
  // newer than the current text); null while it is on a page not loaded yet.
  function currentId() {
    return versions.find((v) => v.current)?.id ?? null;
  }

  async function loadPage(before) {
    const params = { artifact_id: artifact.id, limit: PAGE };
    if (before !== undefined && before !== null) params.before = before;
    const items = await session.call("versions.list", params);
    versions = versions.concat(items);
    renderList(items.length === PAGE ? items[items.length - 1].seq : null);
  }

  function renderList(next) {
    if (!versions.length) {
      replace(list, h("p", { class: "list-empty" }, "No versions yet. Each save that changes the text records one."));
      replace(bar);
      return;
    }
    replace(list, groupByDay(versions, (v) => v.created_at).map((g) => h("div", { class: "history-day", role: "group", "aria-label": g.day },
      h("h3", { class: "history-day-label" }, g.day),
      g.items.map((v) => h("button", {
        type: "button", class: "version-btn", role: "option", "aria-selected": String(selected === v.id),
        "aria-current": String(selected === v.id), dataset: { id: v.id }, onclick: () => select(v),
      },
        h("span", { class: "list-title" }, clock(v.created_at), v.id === currentId() ? h("span", { class: "version-current" }, "current") : null),
        h("span", { class: "list-meta", title: formatFull(v.created_at) }, [reasonText(v), formatBytes(v.size_bytes)].join(" · ")),
      )))));
    if (next !== null) {
      const more = h("div", { class: "list-more" }, h("button", {
        type: "button", class: "btn btn-small",
        onclick: async () => { more.remove(); await loadPage(next).catch((e) => reportError(e, "Could not load versions")); },
      }, "Load more"));
      list.append(more);
    }
  }

  function renderTabs(v) {
    tabs.hidden = isLargeVersion(v); // no text to compare: the bytes are fetched on demand
    replace(tabs, VIEWS.map(([key, label]) => h("button", {
      type: "button", "aria-pressed": String(shown === key),
      disabled: key === "current" && v.id === currentId(),
      onclick: () => { shown = key; renderTabs(v); show(v); },
    }, label)));
  }

  function refused(what, err) {
    problem.textContent = `${what}: ${String(err?.message || err)}`;
    problem.hidden = false;
  }

  async function select(v) {
    selected = v.id;
    problem.hidden = true;
    for (const btn of list.querySelectorAll(".version-btn")) {
      const on = btn.dataset.id === String(v.id);
      btn.setAttribute("aria-current", String(on));
      btn.setAttribute("aria-selected", String(on));
    }
    const isCurrent = currentId() === v.id;
    if (isCurrent && shown === "current") shown = "previous";
    const restore = h("button", {
      type: "button", class: "btn btn-primary btn-small", disabled: isCurrent || !store.canWrite(),
      title: store.canWrite() ? null : "Restore it in the tab that has this workspace open",
      onclick: () => restoreVersion(v),
    }, "Restore version");
    const file = isLargeVersion(v) || !TEXT_KINDS.includes(kindOf(artifact));
    const download = file ? h("button", { type: "button", class: "btn btn-small", onclick: () => downloadVersion(v) },
      "Download this version") : null;
    const what = file ? "The current file" : "The current text";
    replace(bar, h("p", {}, isCurrent ? `${what}, saved ${stamp(v.created_at)}.` : `Saved ${stamp(v.created_at)} · ${reasonText(v)}`),
      download, restore);
    renderTabs(v);
    await show(v);
  }

  async function show(v) {
    if (isLargeVersion(v)) {
      replace(content, h("p", { class: "list-empty" }, `A large file of ${formatBytes(v.size_bytes)}, kept encrypted outside`
        + " the workspace file: download this version to look at it; restoring it makes it the current file again."));
      return;
    }
    replace(content, h("p", { class: "list-empty" }, "Loading…"));
    const asked = `${v.id}:${shown}`;
    try {
      const part = shown === "text" ? await text(v) : await changes(v, shown);
      if (`${selected}:${shown}` === asked) replace(content, part);
    } catch (err) {
      replace(content, h("p", { class: "list-empty" }, `Could not load this version: ${err.message || err}`));
    }
  }

  async function changes(v, against) {
    const diff = await session.call("versions.diff", { version_id: v.id, against });
    const what = against === "current" ? "Restoring it would change" : diff.base_id ? "This save changed" : "Created with";
    return diffView(diff, what);
  }

  async function text(v) {
    const full = await session.call("versions.get", { version_id: v.id });
    if (typeof full.html === "string") {
      const article = h("article", { class: "preview" });
      setEngineHtml(article, full.html);
      return article;
    }
    if (typeof full.text === "string") return h("pre", { class: "plain" }, full.text);
    return h("p", { class: "list-empty" }, `Binary content, ${formatBytes(full.size_bytes)}.`);
  }

  async function downloadVersion(v) {
    const name = displayName(artifact);
    problem.hidden = true;
    try {
      const res = await readVersionShowingProgress(session, v.id, name);
      downloadBytes(res.data, res.name || name, res.mime_type || "application/octet-stream");
    } catch (err) {
      refused("Could not download the version", err);
    }
  }

  async function restoreVersion(v) {
    await editor.flush();
    // A large file's version: the engine finds its bytes (on this device or in the cloud) first.
    const method = isLargeVersion(v) ? "files.restore_version" : "versions.restore";
    problem.hidden = true;
    try {
      await session.mutate(method, { version_id: v.id }, { quiet: true });
    } catch (err) {
      refused("Could not restore the version", err);
      return;
    }
    // The dialog stays until the editor shows the restored text, so nothing is typed into the old one.
    try {
      await documents.refreshTree();
      if (editor.current?.id === artifact.id) await documents.reloadOpen();
    } finally {
      d.close();
    }
    note(`Restored the version from ${stamp(v.created_at)}`);
  }

  try {
    await loadPage();
    if (versions.length) await select(versions[Math.min(1, versions.length - 1)]);
    list.querySelector('[aria-selected="true"]')?.focus();
  } catch (err) {
    d.close();
    reportError(err, "Could not load the history");
  }
}

const REASONS = { create: "created", update: "edited", restore: "restored", initial: "first kept", merge: "merged", import: "imported", upload: "uploaded" };
function reasonText(v) {
  return `#${v.number} ${REASONS[v.reason] || v.reason}`;
}
