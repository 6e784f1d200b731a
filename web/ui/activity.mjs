// Activity: what happened in the workspace, newest first and grouped by day, one sentence per
// action as the engine says it ("Renamed Plan.md to Roadmap.md"), a page at a time. A filter
// shows one document's activity (the open one, or any entry's document).

import { h, replace, formatFull } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { reportError } from "./notifications.mjs";
import { clock, dayLabel, isoOf } from "./when.mjs";

const PAGE = 50;

/** `session`: {call()}; `editor`: {current} (the open document is offered as a filter). */
export async function openActivity({ session, editor }) {
  const list = h("div", { class: "activity-list" });
  const more = h("div", { class: "list-more" });
  const filter = h("select", { id: "activity-filter", "aria-label": "Show" });
  const d = openDialog({
    title: "Activity", size: "medium",
    headExtra: filter,
    body: [list, more],
  });
  const choices = new Map([["", "All documents"]]);
  const open = editor?.current;
  if (open) choices.set(open.id, open.artifact.name);

  function renderFilter(chosen) {
    replace(filter, [...choices].map(([id, label]) => h("option", { value: id, selected: id === chosen }, id ? `Only ${label}` : label)));
  }

  let count = 0;
  let lastDay = null;
  let dayList = null;

  async function load(before, artifactId) {
    const params = { limit: PAGE };
    if (before) params.before = before;
    if (artifactId) params.artifact_id = artifactId;
    let page;
    try {
      page = await session.call("activity.list", params);
    } catch (err) {
      if (!count) d.close();
      reportError(err, "Could not load the activity");
      return;
    }
    if (filter.value !== (artifactId || "")) return; // the filter changed meanwhile
    count += page.items.length;
    if (!count) replace(list, h("p", { class: "list-empty" }, artifactId ? "Nothing has happened to this document yet." : "Nothing has happened yet."));
    for (const item of page.items) {
      const day = dayLabel(item.timestamp);
      if (day !== lastDay) {
        lastDay = day;
        dayList = h("ul", { class: "list", "aria-label": day });
        list.append(h("section", { class: "activity-day" }, h("h3", { class: "history-day-label" }, day), dayList));
      }
      dayList.append(row(item));
    }
    replace(more);
    if (page.next) more.append(h("button", { type: "button", class: "btn btn-small", onclick: () => load(page.next, artifactId) }, "Load more"));
  }

  function row(item) {
    const about = item.artifact_id ? h("button", {
      type: "button", class: "act-doc", title: `Only ${item.path || "this document"}`,
      onclick: () => {
        choices.set(item.artifact_id, (item.path || "").split("/").pop() || "this document");
        show(item.artifact_id);
      },
    }, item.path || "") : h("span", { class: "act-doc-plain" }, item.path || "");
    return h("li", { class: "list-row" },
      h("div", { class: "list-main" },
        h("div", { class: "list-title" }, item.sentence),
        item.path ? h("div", { class: "list-meta" }, about) : null),
      h("time", { class: "act-time", datetime: isoOf(item.timestamp), title: formatFull(item.timestamp) }, clock(item.timestamp)));
  }

  function show(artifactId) {
    renderFilter(artifactId || "");
    count = 0;
    lastDay = null;
    replace(list);
    replace(more);
    return load(null, artifactId);
  }

  filter.addEventListener("change", () => show(filter.value || null));
  await show(null);
}
