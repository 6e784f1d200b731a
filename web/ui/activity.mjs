// Activity: the action log, newest first, a page at a time.

import { h, replace, formatWhen, formatFull } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { reportError } from "./notifications.mjs";

const PAGE = 50;

/** `session`: {call()}. */
export async function openActivity({ session }) {
  const list = h("ul", { class: "list", "aria-label": "Actions" });
  const more = h("div", { class: "list-more" });
  const d = openDialog({ title: "Activity", size: "medium", body: [list, more] });
  let count = 0;

  async function load(before) {
    const params = { limit: PAGE };
    if (before !== undefined && before !== null) params.before = before;
    let page;
    try {
      page = await session.call("activity.list", params);
    } catch (err) {
      if (!count) d.close();
      reportError(err, "Could not load the activity");
      return;
    }
    const items = page.items || [];
    count += items.length;
    if (!count) replace(list, h("li", { class: "list-empty" }, "Nothing has happened yet."));
    for (const item of items) list.append(row(item));
    replace(more);
    if (page.next !== null && page.next !== undefined) {
      more.append(h("button", { type: "button", class: "btn btn-small", onclick: () => load(page.next) }, "Load more"));
    }
  }

  await load();
}

function row(item) {
  const when = item.timestamp ?? item.created_at;
  const type = item.action_type || item.type || "action";
  const payload = parsePayload(item.payload);
  return h("li", { class: "list-row" },
    h("div", { class: "list-main" },
      h("div", { class: "list-title" }, describe(type, payload)),
      h("div", { class: "list-meta" }, h("span", { class: "act-type" }, type)),
    ),
    h("time", { class: "act-time", datetime: new Date(toMs(when)).toISOString(), title: formatFull(when) }, formatWhen(when)),
  );
}

function toMs(ts) { const n = Number(ts); return n < 1e11 ? n * 1000 : n; }

function parsePayload(p) {
  if (typeof p === "string") { try { return JSON.parse(p); } catch { return { text: p }; } }
  return p && typeof p === "object" ? p : {};
}

const VERBS = {
  create: "Created", update: "Edited", rename: "Renamed", move: "Moved", delete: "Deleted", trash: "Deleted",
  restore: "Restored", upload: "Uploaded", empty: "Emptied the trash", import: "Imported a workspace",
  export: "Exported the workspace", version_restore: "Restored a version", migrate: "Upgraded the workspace",
};

/** A readable sentence from an action type such as ARTIFACT_UPDATE or folder.rename. */
function describe(type, payload) {
  const words = String(type).toLowerCase().split(/[._:\s-]+/).filter(Boolean);
  const key = words.slice(1).join("_") || words[0];
  const verb = VERBS[key] || VERBS[words[words.length - 1]] || VERBS[words[0]]
    || words.join(" ").replace(/^./, (c) => c.toUpperCase());
  const from = payload.from || payload.old_path;
  const to = payload.to || payload.new_path;
  if (from && to) return `${verb} ${from} → ${to}`;
  const subject = payload.path || payload.name || payload.folder || (payload.mode ? `(${payload.mode})` : "");
  return subject ? `${verb} ${subject}` : verb;
}
