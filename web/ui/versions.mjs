// History: the versions of one document, newest first and grouped by day, with real times
// ("Today 14:03"). Pick one to see what that save changed (against the version before it),
// what restoring it would change (against the current text), or its whole text. "Restore
// version" is one click: it makes that text current, recorded as a new version (nothing lost).

import { h, replace, formatBytes, formatFull } from "./dom.mjs";
import { displayName } from "./kinds.mjs";
import { openDialog } from "./dialogs.mjs";
import { setEngineHtml } from "./preview.mjs";
import { note, reportError } from "./notifications.mjs";
import { clock, stamp, groupByDay } from "./when.mjs";
import { diffView } from "./diffview.mjs";

const PAGE = 50;
const VIEWS = [["previous", "Changes"], ["current", "Against current"], ["text", "Text"]];

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
  const view = h("div", { class: "history-view" }, bar, tabs, content);
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

  // The version that holds the current text: the newest one that is not a conflict version (a
  // sync or an import keeps the other side's text as one, newer than the current text).
  function currentId() {
    return (versions.find((v) => v.reason !== "conflict") || versions[0]).id;
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
    replace(tabs, VIEWS.map(([key, label]) => h("button", {
      type: "button", "aria-pressed": String(shown === key),
      disabled: key === "current" && v.id === currentId(),
      onclick: () => { shown = key; renderTabs(v); show(v); },
    }, label)));
  }

  async function select(v) {
    selected = v.id;
    for (const btn of list.querySelectorAll(".version-btn")) {
      const on = btn.dataset.id === String(v.id);
      btn.setAttribute("aria-current", String(on));
      btn.setAttribute("aria-selected", String(on));
    }
    const isCurrent = currentId() === v.id;
    if (isCurrent && shown === "current") shown = "previous";
    const restore = h("button", {
      type: "button", class: "btn btn-primary btn-small", disabled: isCurrent || !store.canWrite(),
      onclick: () => restoreVersion(v),
    }, "Restore version");
    replace(bar, h("p", {}, isCurrent ? `The current text, saved ${stamp(v.created_at)}.` : `Saved ${stamp(v.created_at)} · ${reasonText(v)}`), restore);
    renderTabs(v);
    await show(v);
  }

  async function show(v) {
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
  return `#${v.seq} ${REASONS[v.reason] || v.reason}`;
}
