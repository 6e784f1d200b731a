// The status bar (one role="status" live region), the alert region (role="alert") and the
// progress indicator for long tasks (import, export).

import { $, h, icon, formatClock } from "./dom.mjs";

const statusEl = () => $("#status");

let lastSavedAt = null;
let noteTimer = null;
let undoHandler = null;

/**
 * The save state: "loading" | "saving" | "saved" | "idle" | "error" | "readonly".
 * "saved" is only ever set after the engine confirmed the change is durable.
 */
export function setSaveState(state, { at, message } = {}) {
  const el = statusEl();
  if (state === "saved") lastSavedAt = at ? new Date(at) : new Date();
  // Called on every keystroke: the page is only touched when something changed.
  if (el.dataset.save !== state) el.dataset.save = state;
  setText($("#save-state"), stateText(state, message));
  setText($("#save-time"), lastSavedAt ? `last saved ${clock(lastSavedAt)}` : "");
}

function stateText(state, message) {
  switch (state) {
    case "saved": return "Saved";
    case "saving": return "Saving…";
    case "error": return message || "Not saved";
    case "readonly": return message || "Read-only";
    case "loading": return message || "Loading…";
    default: return lastSavedAt ? "Saved" : (message || "Ready");
  }
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

let clockOf = { at: null, text: "" };
/** formatClock, remembered for the last time shown (it is asked again on every keystroke). */
function clock(at) {
  if (clockOf.at !== at.getTime()) clockOf = { at: at.getTime(), text: formatClock(at) };
  return clockOf.text;
}

export function lastSaveTime() { return lastSavedAt; }

export function setOnline(online) {
  $("#net-state").textContent = online ? "" : "Offline";
}

/** A short note in the status bar ("Moved to Trash"), with an optional Undo. */
export function note(message, { undo = null, ms = 6000 } = {}) {
  clearTimeout(noteTimer);
  $("#status-note").textContent = message;
  const undoBtn = $("#status-undo");
  undoHandler = undo;
  undoBtn.hidden = !undo;
  noteTimer = setTimeout(clearNote, ms);
}

function clearNote() {
  $("#status-note").textContent = "";
  $("#status-undo").hidden = true;
  undoHandler = null;
}

export function initNotifications() {
  $("#status-undo").addEventListener("click", async () => {
    const fn = undoHandler;
    clearNote();
    if (fn) await fn();
  });
}

// ---------- alerts ----------

const MAX_ALERTS = 3;

/** Show an error in the alert region. `err` may be an EngineError {code, message} or a string. */
export function showError(err, context = "", { kind = "" } = {}) {
  const alerts = $("#alerts");
  const message = typeof err === "string" ? err : (err && err.message) || "Something went wrong.";
  const key = `${context}\u0000${message}`;
  // The same error again (a retry that failed the same way): keep one, don't stack copies.
  for (const existing of alerts.children) if (existing.dataset.key === key) existing.remove();
  const row = h("div", { class: "alert", dataset: { key, kind } },
    h("p", {}, context ? h("strong", {}, `${context}: `) : null, message),
    h("button", {
      type: "button", class: "icon-btn", "aria-label": "Dismiss",
      onclick: () => { row.remove(); if (!alerts.children.length) alerts.hidden = true; },
    }, icon("close")),
  );
  alerts.append(row);
  while (alerts.children.length > MAX_ALERTS) alerts.firstElementChild.remove();
  alerts.hidden = false;
  if (err && typeof err === "object" && !(err.code)) console.error(err);
}

/**
 * Report a failed engine call: storage being full gets its own advice; a change that committed
 * but could not be made durable is skipped (the engine's save-error event reported it already).
 */
export function reportError(err, context = "", { kind = "" } = {}) {
  if (err && err.committed) return;
  if (err && err.code === "quota_exceeded") {
    showError("The browser's storage for this site is full. Nothing already saved is lost — empty the trash or export and remove large files, then keep going.", context || "Not saved", { kind: "save" });
  } else {
    showError(err, context, { kind });
  }
}

/** Remove the alerts of one kind (e.g. "save" once a save succeeds again). */
export function clearErrors(kind = null) {
  const alerts = $("#alerts");
  for (const row of [...alerts.children]) if (!kind || row.dataset.kind === kind) row.remove();
  alerts.hidden = !alerts.children.length;
}

// ---------- long task progress ----------

export function showTask(label, fraction = null) {
  $("#task").hidden = false;
  $("#task-label").textContent = label;
  const bar = $("#task-progress");
  bar.setAttribute("aria-label", label);
  if (fraction === null || fraction === undefined) bar.removeAttribute("value");
  else bar.value = Math.max(0, Math.min(1, fraction));
}

export function hideTask() {
  $("#task").hidden = true;
}
