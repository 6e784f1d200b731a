// Agent records: the workspace's provenance. Agent tasks by status with their input, output and
// error; for the open document, which runs cited it (weight, reason); from a run, every
// document it cited. Read-only: these records are written by agents through the engine API.

import { h, replace, formatFull } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { reportError } from "./notifications.mjs";

const STATUSES = ["PENDING", "RUNNING", "COMPLETED", "FAILED"];

const json = (v) => (v === null || v === undefined ? "—" : JSON.stringify(v, null, 2));

/** `session`: {call}; `documents`: {openItem()}; `tree`: {byId(id)} for document names. */
export async function openRecords({ session, documents, tree }) {
  const list = h("div", { class: "records", id: "records-tasks" });
  const cites = h("div", { class: "records", id: "records-citations" });
  const tabs = h("div", { class: "seg", role: "tablist" }, ["ALL", ...STATUSES].map((s) => h("button", {
    type: "button", class: "btn btn-small", role: "tab", dataset: { status: s },
    onclick: () => showTasks(s),
  }, s === "ALL" ? "All" : s[0] + s.slice(1).toLowerCase())));
  openDialog({ title: "Agent tasks and citations", size: "wide", body: [
    h("h3", { class: "section-title" }, "Tasks"), tabs, list,
    h("h3", { class: "section-title" }, "Citations"), cites,
  ] });

  async function showTasks(status) {
    for (const b of tabs.children) b.setAttribute("aria-selected", String(b.dataset.status === status));
    try {
      const rows = await session.call("tasks.list", status === "ALL" ? { limit: 200 } : { status, limit: 200 });
      replace(list, rows.length ? rows.map(taskCard) : h("p", { class: "hint" }, status === "ALL" ? "No agent tasks yet." : `No ${status.toLowerCase()} tasks.`));
    } catch (err) { reportError(err, "Could not list the tasks"); }
  }

  const name = (id) => tree.byId(id)?.path || `${id} (not in the tree)`;

  async function showRun(runId) {
    try {
      const rows = await session.call("citations.list_by_run", { citing_run_id: runId });
      replace(cites, h("p", {}, `Run ${runId} cited ${rows.length} document(s):`), citeTable(rows, (c) => name(c.source_artifact_id)));
    } catch (err) { reportError(err, "Could not list the citations"); }
  }

  function citeTable(rows, first) {
    return h("table", { class: "care-folders" },
      h("thead", {}, h("tr", {}, h("th", {}, "Run / document"), h("th", {}, "Weight"), h("th", {}, "Reason"), h("th", {}, "When"))),
      h("tbody", {}, rows.map((c) => h("tr", {},
        h("td", {}, first(c)), h("td", { class: "num" }, c.weight.toFixed(2)), h("td", {}, c.reason || "—"), h("td", {}, formatFull(c.created_at))))));
  }

  async function showDocument() {
    const open = documents.openItem();
    if (!open) { replace(cites, h("p", { class: "hint" }, "Open a document to see which runs cited it.")); return; }
    try {
      const rows = await session.call("citations.list_by_source", { source_artifact_id: open.id });
      replace(cites, h("p", {}, rows.length ? `${open.path} was cited by ${rows.length} run(s):` : `No run has cited ${open.path}.`),
        rows.length ? citeTable(rows, (c) => h("button", { type: "button", class: "link-btn", onclick: () => showRun(c.citing_run_id) }, c.citing_run_id)) : null);
    } catch (err) { reportError(err, "Could not list the citations"); }
  }

  function taskCard(t) {
    return h("details", { class: "task-card", dataset: { id: t.id, status: t.status } },
      h("summary", {}, h("span", { class: `badge status-${t.status.toLowerCase()}` }, t.status), " ", h("strong", {}, t.task_type), " ",
        h("span", { class: "hint" }, formatFull(t.created_at))),
      h("dl", { class: "kv" },
        h("dt", {}, "Input"), h("dd", {}, h("pre", {}, json(t.input))),
        h("dt", {}, "Output"), h("dd", {}, h("pre", {}, json(t.output))),
        t.error ? [h("dt", {}, "Error"), h("dd", { class: "field-error" }, t.error)] : null,
        h("dt", {}, "Run"), h("dd", {}, h("button", { type: "button", class: "link-btn", onclick: () => showRun(t.id) }, "Documents this run cited"))));
  }

  await Promise.all([showTasks("ALL"), showDocument()]);
}
