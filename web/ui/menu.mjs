// A small popup menu (role="menu") for per-item actions in the tree: arrow keys move,
// Enter runs, Escape or a click elsewhere closes and returns focus to the opener.

import { h, icon } from "./dom.mjs";

let current = null;

/**
 * items: [{label, icon?, run, danger?, disabled?} | "-"]. `at` is {x, y} or the opener element.
 */
export function openMenu(items, { at, opener = null, label = "Actions" }) {
  closeMenu();
  const menu = h("ul", { class: "menu", role: "menu", "aria-label": label });
  for (const item of items) {
    if (item === "-") { menu.append(h("li", { role: "separator" })); continue; }
    const btn = h("button", {
      type: "button", role: "menuitem", tabindex: "-1", class: item.danger ? "danger" : "",
      disabled: item.disabled || false,
      onclick: () => { closeMenu(); item.run(); },
    }, item.icon ? icon(item.icon) : null, item.label);
    menu.append(h("li", { role: "none" }, btn));
  }
  document.body.append(menu);
  place(menu, at);
  if (opener) opener.setAttribute("aria-expanded", "true");

  const buttons = () => [...menu.querySelectorAll('[role="menuitem"]:not(:disabled)')];
  const onKey = (e) => {
    const list = buttons();
    const i = list.indexOf(document.activeElement);
    if (e.key === "ArrowDown") { e.preventDefault(); list[(i + 1) % list.length]?.focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); list[(i - 1 + list.length) % list.length]?.focus(); }
    else if (e.key === "Home") { e.preventDefault(); list[0]?.focus(); }
    else if (e.key === "End") { e.preventDefault(); list[list.length - 1]?.focus(); }
    else if (e.key === "Escape" || e.key === "Tab") { e.preventDefault(); e.stopPropagation(); closeMenu(true); }
  };
  const onDown = (e) => { if (!menu.contains(e.target)) closeMenu(); };
  menu.addEventListener("keydown", onKey);
  setTimeout(() => document.addEventListener("pointerdown", onDown, true), 0);
  window.addEventListener("blur", onBlur);
  current = { menu, opener, onDown };
  buttons()[0]?.focus();
}

function onBlur() { closeMenu(); }

export function closeMenu(refocus = false) {
  if (!current) return;
  const { menu, opener, onDown } = current;
  current = null;
  document.removeEventListener("pointerdown", onDown, true);
  window.removeEventListener("blur", onBlur);
  menu.remove();
  if (opener) {
    opener.setAttribute("aria-expanded", "false");
    if (refocus) opener.focus();
  }
}

function place(menu, at) {
  let x, y;
  if (at instanceof Element) {
    const r = at.getBoundingClientRect();
    x = r.left; y = r.bottom + 4;
  } else {
    ({ x, y } = at);
  }
  const { width, height } = menu.getBoundingClientRect();
  x = Math.max(8, Math.min(x, window.innerWidth - width - 8));
  if (y + height > window.innerHeight - 8) y = Math.max(8, y - height - 36);
  menu.style.left = `${x}px`;
  menu.style.top = `${y}px`;
}
