// The storage view's device cache limit: "Keep up to [2] GB of files on this device" (a
// workspace setting, files.set_cache_limit). Past it the least recently used files that are
// safely in the cloud leave this device; a file not uploaded yet always stays. Lowering it
// frees the room at once.

import { h, formatBytes } from "./dom.mjs";
import { note, reportError } from "./notifications.mjs";
import { FILES_CHANGED } from "./cloudfiles.mjs";

const GIB = 1024 ** 3;
export const MAX_GB = 1024; // the engine's bound (pylib/blobs/cachelimit.py)
const BAD_VALUE = `Enter a number of GB from 0 to ${MAX_GB}, for example 2 or 0.5.`;

/** The limit in GB as typed (`text`), in bytes; null for a value that is not one. */
export function limitBytes(text) {
  const trimmed = String(text ?? "").trim().replace(",", ".");
  if (!/^\d*\.?\d+$|^\d+\.$/.test(trimmed)) return null;
  const gb = Number(trimmed);
  if (!Number.isFinite(gb) || gb < 0 || gb > MAX_GB) return null;
  return Math.round(gb * GIB);
}

/** `bytes` as the GB the input shows (at most 3 decimals: 2, 0.5, 0.003). */
export function shownGb(bytes) {
  return String(Number((bytes / GIB).toFixed(3)));
}

/** The form; `limit`: the limit in force (bytes); `refresh()`: draw the storage view again. */
export function cacheLimitForm(session, limit, refresh) {
  const input = h("input", { type: "number", id: "cache-limit", min: "0", max: String(MAX_GB), step: "any",
    inputmode: "decimal", class: "cache-limit-input", value: shownGb(limit), "aria-describedby": "cache-limit-error" });
  const error = h("p", { class: "field-error", id: "cache-limit-error", role: "alert", hidden: true });
  const apply = h("button", { type: "submit", class: "btn btn-small" }, "Apply");
  const bad = (text) => {
    error.textContent = text;
    error.hidden = !text;
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  input.addEventListener("input", () => bad(""));
  const form = h("form", { class: "care-actions cache-limit", novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const bytes = limitBytes(input.value);
      if (bytes === null) {
        bad(BAD_VALUE);
        input.focus();
        return;
      }
      apply.disabled = true;
      try {
        const res = await session.mutate("files.set_cache_limit", { limit_bytes: bytes }, { quiet: true });
        if (res.dropped) window.dispatchEvent(new Event(FILES_CHANGED)); // the file card and the tree say where bytes are
        note(res.dropped
          ? `This device keeps up to ${formatBytes(bytes)} of files: ${res.dropped} file${res.dropped === 1 ? "" : "s"} (${formatBytes(res.freed_bytes)}) left it and stay in the cloud`
          : `This device keeps up to ${formatBytes(bytes)} of files`);
        refresh();
      } catch (err) {
        if (err?.code === "invalid_params") bad(BAD_VALUE);
        else reportError(err, "Could not change the limit");
        apply.disabled = false;
      }
    } },
    h("label", { class: "cache-limit-label" }, "Keep up to ", input, " GB of files on this device"),
    apply, error);
  return h("div", { id: "storage-cache-limit" }, form,
    h("p", { class: "hint" }, "Past it, the files you used least recently that are safely in the cloud leave this device; they download again when opened. Files not uploaded yet always stay."));
}
