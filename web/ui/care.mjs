// Settings → retention: how long versions, trash and activity are kept; a preview of what the
// policy frees ("This frees 12.4 MB: …"), saving it, and cleaning up now with progress.

import { h, replace } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { note, reportError } from "./notifications.mjs";
import { cleanupSteps, describeRemoved, totalRemoved } from "./upkeep.mjs";

const MODES = [
  ["all", "Keep every version"],
  ["last", "Keep the last N versions of each document"],
  ["days", "Keep versions from the last D days (then one a day for a week)"],
];

function numberField(id, label, value, { min = 1, max = 36500, hint = "" } = {}) {
  const input = h("input", { type: "number", id, min: String(min), max: String(max), value: value ?? "", inputmode: "numeric" });
  return { input, el: h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint" }, hint) : null) };
}

function optionalDays(id, label, value, neverLabel) {
  const never = h("input", { type: "checkbox", id: `${id}-never`, checked: value == null });
  const days = numberField(id, label, value ?? 30);
  days.input.disabled = value == null;
  never.addEventListener("change", () => { days.input.disabled = never.checked; });
  days.el.append(h("label", { class: "check", for: `${id}-never` }, never, ` ${neverLabel}`));
  return { el: days.el, read: () => (never.checked ? null : Number(days.input.value)) };
}

/** `session`: {call, mutate}. Opens the retention settings. */
export async function openCareSettings({ session }) {
  let current;
  try {
    current = await session.call("care.settings", {});
  } catch (err) {
    reportError(err, "Could not read the settings");
    return;
  }
  const r = current.retention;
  const mode = h("select", { id: "care-versions" }, MODES.map(([v, label]) => h("option", { value: v, selected: v === r.versions }, label)));
  const keepLast = numberField("care-keep-last", "Versions to keep (N)", r.keep_last, { max: 100000 });
  const keepDays = numberField("care-keep-days", "Days to keep every version (D)", r.keep_days);
  const trash = optionalDays("care-trash-days", "Empty trash items older than (days)", r.trash_days, "Never empty the trash by itself");
  const act = optionalDays("care-activity-days", "Keep the activity log for (days)", r.activity_days, "Keep the activity log forever");
  const problem = h("p", { class: "field-error", id: "care-problem", hidden: true });
  const previewEl = h("p", { class: "summary", id: "care-preview", "aria-live": "polite" }, current.description);
  const showMode = () => {
    keepLast.el.hidden = mode.value !== "last";
    keepDays.el.hidden = mode.value !== "days";
  };
  mode.addEventListener("change", showMode);
  showMode();
  const read = () => ({
    versions: mode.value, keep_last: Number(keepLast.input.value), keep_days: Number(keepDays.input.value),
    trash_days: trash.read(), activity_days: act.read(),
  });
  const fail = (err) => { problem.textContent = err.message || String(err); problem.hidden = false; };
  async function preview() {
    problem.hidden = true;
    try {
      const p = await session.call("care.preview", read());
      replace(previewEl, h("strong", {}, p.message), " ", p.policy);
      return p;
    } catch (err) { fail(err); return null; }
  }
  async function save() {
    problem.hidden = true;
    try {
      const saved = await session.mutate("care.set_retention", read(), { quiet: true });
      note("Retention settings saved");
      return saved;
    } catch (err) { fail(err); return null; }
  }
  async function cleanNow() {
    if (!(await save())) return;
    const steps = await cleanupSteps(session, {}, { label: "Cleaning up" }).catch((err) => { fail(err); return null; });
    if (!steps) return;
    const t = totalRemoved(steps);
    const msg = `${describeRemoved(t)}.`
      + (t.skipped.length ? ` ${t.skipped.length} document(s) were left as they were: ${t.skipped.map((s) => s.message).join("; ")}` : "");
    replace(previewEl, h("strong", { id: "care-done" }, msg));
    note(msg);
  }
  const d = openDialog({
    title: "Settings — retention", size: "medium",
    body: [
      h("p", { class: "hint" }, "Whatever you choose, Quire never removes a document's current text, a conflict version you have not looked at yet, or anything not yet uploaded."),
      h("div", { class: "field" }, h("label", { for: "care-versions" }, "Version history"), mode),
      keepLast.el, keepDays.el, trash.el, act.el, problem, previewEl,
    ],
    foot: [
      h("button", { type: "button", class: "btn", onclick: () => d.close() }, "Close"),
      h("span", { class: "spacer" }),
      h("button", { type: "button", class: "btn", id: "care-preview-btn", onclick: preview }, "Preview"),
      h("button", { type: "button", class: "btn", id: "care-clean-btn", onclick: cleanNow }, "Save and clean up now"),
      h("button", { type: "button", class: "btn btn-primary", id: "care-save-btn", onclick: async () => { if (await save()) d.close(); } }, "Save"),
    ],
  });
  return d;
}
