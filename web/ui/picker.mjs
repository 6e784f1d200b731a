// A list to pick from, in a dialog: a text box on top, sections of entries below, arrows to
// move, Enter or a click to run (the command palette and "Recent notes" are pickers).

import { h, icon, replace } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";

let openNow = null;

/** `text` with the characters at `positions` in <mark>, as DOM nodes. */
function highlighted(text, positions = []) {
  if (!positions.length) return text;
  const at = new Set(positions);
  const out = [];
  let run = "", marked = false;
  for (let i = 0; i < text.length; i++) {
    const m = at.has(i);
    if (m !== marked && run) { out.push(marked ? h("mark", {}, run) : run); run = ""; }
    marked = m;
    run += text[i];
  }
  if (run) out.push(marked ? h("mark", {}, run) : run);
  return out;
}

/**
 * Open a picker. `entries(query)` answers `[{title, items}]` sections; an item is `{title,
 * positions?, detail?, keys?: [[labels]], icon?, disabled?, run()}`. `label` names the dialog,
 * `placeholder` the box. Opening it again while open only focuses it.
 */
export function openPicker({ label, placeholder, entries, empty = "Nothing matches.", query = "" }) {
  if (openNow) { openNow.close(); }
  const input = h("input", {
    type: "text", role: "combobox", "aria-label": label, "aria-expanded": "true", value: query,
    "aria-controls": "picker-list", "aria-autocomplete": "list", placeholder, autocomplete: "off", spellcheck: "false",
  });
  const list = h("div", { class: "picker-list", id: "picker-list", role: "listbox", "aria-label": label });
  const d = openDialog({ size: "quick picker", label, body: [input, list] });
  d.body.style.padding = "0";
  const me = { close: () => d.close() };
  openNow = me;
  d.closed.then(() => { if (openNow === me) openNow = null; });

  let items = [], active = 0;

  function update() {
    const sections = entries(input.value).filter((s) => s.items.length);
    items = sections.flatMap((s) => s.items);
    active = Math.max(0, items.findIndex((it) => !it.disabled));
    let n = 0;
    const rows = sections.map((s) => h("div", { role: "group", "aria-label": s.title, class: "picker-group" },
      h("div", { class: "picker-heading", "aria-hidden": "true" }, s.title),
      s.items.map((it) => row(it, n++))));
    replace(list, rows.length ? rows : h("p", { class: "list-empty" }, empty));
    mark();
  }

  function row(it, i) {
    return h("div", {
      id: `pk-${i}`, role: "option", class: "picker-item", "aria-selected": "false",
      "aria-disabled": it.disabled ? "true" : null, "aria-label": it.title,
      onmousedown: (e) => e.preventDefault(), onclick: () => choose(i),
    },
      it.icon ? icon(it.icon) : h("span", { class: "picker-noicon" }),
      h("span", { class: "picker-title" }, highlighted(it.title, it.positions)),
      it.detail ? h("span", { class: "picker-detail" }, it.detail) : null,
      (it.keys || []).length ? h("span", { class: "picker-keys" },
        it.keys.map((combo) => h("span", { class: "picker-combo" }, combo.map((k) => h("kbd", { class: "kbd" }, k))))) : null,
    );
  }

  function mark() {
    list.querySelectorAll("[role=option]").forEach((el, i) => el.setAttribute("aria-selected", String(i === active)));
    if (items.length) input.setAttribute("aria-activedescendant", `pk-${active}`);
    else input.removeAttribute("aria-activedescendant");
    list.querySelector(`#pk-${active}`)?.scrollIntoView({ block: "nearest" });
  }

  function step(by) {
    for (let i = active + by; i >= 0 && i < items.length; i += by) {
      if (!items[i].disabled) { active = i; break; }
    }
    mark();
  }

  function choose(i) {
    const it = items[i];
    if (!it || it.disabled) return;
    d.close();
    it.run();
  }

  input.addEventListener("input", update);
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") step(1);
    else if (e.key === "ArrowUp") step(-1);
    else if (e.key === "Enter") choose(active);
    else return;
    e.preventDefault();
  });
  update();
  input.focus();
  input.select();
  return d;
}
