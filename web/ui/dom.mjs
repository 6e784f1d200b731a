// Small DOM helpers. Everything the page shows is built with these: text always goes in as
// text nodes, so no document or engine string is ever parsed as HTML.

import { clock } from "./when.mjs";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Build an element: h("button", {class: "btn", onclick: fn, "aria-label": "…"}, "text", child). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "style" && typeof value === "object") {
      for (const [prop, v] of Object.entries(value)) el.style.setProperty(prop.startsWith("--") ? prop : prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), String(v));
    } else if (key in el && typeof value !== "string") {
      el[key] = value; // properties such as checked, disabled, value
    } else if (key === "value") {
      el.value = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An icon from the sprite in index.html. */
export function icon(name, cls = "icon") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(SVG_NS, "use");
  use.setAttribute("href", `#i-${name}`);
  svg.append(use);
  return svg;
}

/** Replace an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// ---------- formatting ----------

export function formatBytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return "–";
  n = Number(n);
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
  return `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)} ${units[i]}`;
}

/** Engine timestamps are Unix milliseconds (seconds are accepted too). */
export function toDate(ts) {
  if (ts instanceof Date) return ts;
  if (typeof ts === "string" && !/^\d+(\.\d+)?$/.test(ts)) return new Date(ts);
  const n = Number(ts);
  return new Date(n < 1e11 ? n * 1000 : n);
}

// Times of day read as history and activity show them ("14:03", web/ui/when.mjs), so one
// screen never says "22:17" in one place and "10:17 PM" in another.

/** "14:03:27": when the status bar last saved or synced. */
export function formatClock(ts) {
  const d = toDate(ts);
  return `${clock(d)}:${String(d.getSeconds()).padStart(2, "0")}`;
}

export function formatWhen(ts) {
  const d = toDate(ts);
  const now = new Date();
  const diff = (now - d) / 1000;
  if (diff < 45) return "just now";
  if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
  const sameDay = d.toDateString() === now.toDateString();
  const time = clock(d);
  if (sameDay) return `today ${time}`;
  const yesterday = new Date(now); yesterday.setDate(now.getDate() - 1);
  if (d.toDateString() === yesterday.toDateString()) return `yesterday ${time}`;
  const opts = { month: "short", day: "numeric" };
  if (d.getFullYear() !== now.getFullYear()) opts.year = "numeric";
  return `${d.toLocaleDateString(undefined, opts)} ${time}`;
}

export function formatFull(ts) {
  return toDate(ts).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** Local date as YYYY-MM-DD. */
export function dateStamp(d = new Date()) {
  const pad = (x) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// ---------- paths ----------

export function basename(path) {
  const parts = String(path).split("/").filter(Boolean);
  return parts.length ? parts[parts.length - 1] : "/";
}

export function dirname(path) {
  const parts = String(path).split("/").filter(Boolean);
  parts.pop();
  return parts.length ? `/${parts.join("/")}` : "/";
}

export function joinPath(folder, name) {
  const base = folder === "/" || !folder ? "" : folder.replace(/\/+$/, "");
  return `${base}/${String(name).replace(/^\/+/, "")}`;
}

// ---------- misc ----------

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
  wrapped.cancel = () => { clearTimeout(timer); timer = null; };
  wrapped.pending = () => timer !== null;
  return wrapped;
}

/** The media type of a workspace file (an export, a backup). */
export const SQLITE_TYPE = "application/vnd.sqlite3";

/** Save bytes as a file through a Blob and a temporary <a download>. */
export function downloadBytes(data, name, type = "application/octet-stream") {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const modKey = isMac ? "⌘" : "Ctrl";

/**
 * Apply a stylesheet (preloaded by index.html); resolves once it applies, or failed to load.
 * Applied once: asked again, it resolves with the first.
 */
export function applyStylesheet(url) {
  const link = [...document.querySelectorAll('link[rel="stylesheet"]')].find((l) => l.href === url);
  if (link?.applied) return link.applied;
  const el = Object.assign(document.createElement("link"), { rel: "stylesheet", href: url });
  el.applied = new Promise((resolve) => { el.onload = el.onerror = resolve; });
  document.head.append(el);
  return el.applied;
}
