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
  el.dataset.save = state;
  const text = $("#save-state");
  if (state === "saved") {
    lastSavedAt = at ? new Date(at) : new Date();
    text.textContent = "Saved";
  } else if (state === "saving") {
    text.textContent = "Saving…";
  } else if (state === "error") {
    text.textContent = message || "Not saved";
  } else if (state === "readonly") {
    text.textContent = message || "Read-only";
  } else if (state === "loading") {
    text.textContent = message || "Loading…";
  } else {
    text.textContent = lastSavedAt ? "Saved" : (message || "Ready");
  }
  $("#save-time").textContent = lastSavedAt ? `last saved ${formatClock(lastSavedAt)}` : "";
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
