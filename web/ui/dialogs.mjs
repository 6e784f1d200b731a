// Real <dialog> elements for every question the app asks: modal, Escape closes, focus returns
// to where it was. No window.prompt/confirm/alert anywhere.

import { h, icon } from "./dom.mjs";

let counter = 0;

/**
 * Open a modal dialog. Returns {dialog, body, foot, close(value), closed: Promise<value>}.
 * `size` is "" | "medium" | "wide" | "quick".
 */
export function openDialog({ title, size = "", body = [], foot = null, label = null, headExtra = null } = {}) {
  const id = `dlg-${++counter}`;
  const opener = document.activeElement;
  const bodyEl = h("div", { class: "dlg-body" }, body);
  const footEl = foot ? h("div", { class: "dlg-foot" }, foot) : null;
  const dialog = h("dialog", { class: size, "aria-labelledby": title ? `${id}-title` : null, "aria-label": label },
    title ? h("div", { class: "dlg-head" },
      h("h2", { id: `${id}-title` }, title),
      headExtra,
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close", onclick: () => close(null) }, icon("close")),
    ) : null,
    bodyEl,
    footEl,
  );
  let resolveClosed;
  const closed = new Promise((resolve) => { resolveClosed = resolve; });
  let result = null;
  // Answer at once, not at the "close" event a task later: what follows (an editor taking
  // focus for a new document) must be in place before the next keystroke is handled.
  function close(value = null) {
    result = value;
    if (dialog.open) dialog.close();
    resolveClosed(result);
  }
  dialog.addEventListener("close", () => {
    const lost = !document.activeElement || document.activeElement === document.body || dialog.contains(document.activeElement);
    dialog.remove();
    // Focus goes back where it was, unless what followed the answer has moved it on.
    if (lost && opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
    resolveClosed(result);
  });
  // A click on the backdrop (the dialog element itself, outside its box) closes it.
  dialog.addEventListener("mousedown", (e) => {
    if (e.target !== dialog) return;
    const r = dialog.getBoundingClientRect();
    const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
    if (!inside) close(null);
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, body: bodyEl, foot: footEl, close, closed };
}

/** Ask for a line of text. Resolves to the trimmed string, or null when cancelled. */
export function promptText({ title, label, value = "", okLabel = "OK", hint = "", validate = null, selectStem = false, extra = null }) {
  const inputId = `prompt-${++counter}`;
  const input = h("input", { type: "text", id: inputId, value, autocomplete: "off", spellcheck: "false" });
  const error = h("p", { class: "field-error", hidden: true });
  const form = h("form", { method: "dialog" },
    h("div", { class: "field" }, h("label", { for: inputId }, label), input,
      hint ? h("p", { class: "hint" }, hint) : null, error),
    extra,
  );
  const ok = h("button", { type: "button", class: "btn btn-primary" }, okLabel);
  const cancel = h("button", { type: "button", class: "btn", onclick: () => d.close(null) }, "Cancel");
  const d = openDialog({ title, body: [form], foot: [cancel, ok] });
  // The footer sits outside the form; Enter in the field submits the form.
  ok.addEventListener("click", submit);
  form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
  function submit() {
    const text = input.value.trim();
    const problem = !text ? "Please enter a name." : validate ? validate(text) : null;
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    d.close(text);
  }
  input.focus();
  const dot = value.lastIndexOf(".");
  if (selectStem && dot > 0) input.setSelectionRange(0, dot);
  else input.select();
  return d.closed;
}

/** Ask yes/no. Resolves to true when confirmed. */
export function confirmDialog({ title, message, okLabel = "OK", danger = false }) {
  const ok = h("button", { type: "button", class: danger ? "btn btn-danger" : "btn btn-primary", onclick: () => d.close(true) }, okLabel);
  const cancel = h("button", { type: "button", class: "btn", onclick: () => d.close(false) }, "Cancel");
  const d = openDialog({ title, body: [h("p", {}, message)], foot: [cancel, ok] });
  cancel.focus();
  return d.closed.then((v) => v === true);
}

/** Pick a destination folder. Resolves to a folder path, or null. */
export function chooseFolder({ title, folders, current = "/", okLabel = "Move", exclude = null }) {
  const selectId = `folder-${++counter}`;
  const options = ["/", ...folders.filter((f) => f !== "/")]
    .filter((f) => !exclude || !(f === exclude || f.startsWith(`${exclude}/`)))
    .sort((a, b) => a.localeCompare(b));
  const select = h("select", { id: selectId },
    options.map((f) => h("option", { value: f, selected: f === current }, f === "/" ? "/ (top level)" : f)));
  const ok = h("button", { type: "button", class: "btn btn-primary", onclick: () => d.close(select.value) }, okLabel);
  const cancel = h("button", { type: "button", class: "btn", onclick: () => d.close(null) }, "Cancel");
  const d = openDialog({
    title,
    body: [h("div", { class: "field" }, h("label", { for: selectId }, "Folder"), select)],
    foot: [cancel, ok],
  });
  select.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); d.close(select.value); } });
  select.focus();
  return d.closed;
}
