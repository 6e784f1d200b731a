// The preview as a row of sections (pylib.markdown.sections): after an edit only the sections
// whose HTML changed are sanitised and put in; the others stay in the page as they are. Each
// section is a `div.preview-section` (display: contents) with `data-start`, its first source
// line; a block's own `data-line` counts from there.

import { h } from "./dom.mjs";

const sourceOf = new WeakMap(); // section element -> the HTML it was made from

/** The absolute source line of a rendered block (`data-line` plus its section's start). */
export function lineOf(el) {
  const section = el.closest("[data-start]");
  return Number(el.dataset.line) + (section ? Number(section.dataset.start) : 0);
}

/**
 * Show `sections` ([[start, html], …]) in `el`, reusing the sections already there with the
 * same HTML. `build(html)` → the sanitised, decorated fragment of one section. Returns how
 * many sections were built anew.
 */
export function patchSections(el, sections, build) {
  const spare = new Map();
  for (const node of el.children) {
    const html = sourceOf.get(node);
    if (html === undefined) continue;
    if (!spare.has(html)) spare.set(html, []);
    spare.get(html).push(node);
  }
  let built = 0;
  const next = sections.map(([start, html]) => {
    let node = spare.get(html)?.shift();
    if (!node) {
      built++;
      node = sectionNode(html, build);
    }
    if (node.dataset.start !== String(start)) node.dataset.start = String(start);
    return node;
  });
  const keep = new Set(next);
  for (const child of [...el.children]) if (!keep.has(child)) child.remove();
  next.forEach((node, i) => {
    if (el.children[i] !== node) el.insertBefore(node, el.children[i] ?? null);
  });
  return built;
}

function sectionNode(html, build) {
  const node = h("div", { class: "preview-section" });
  node.append(build(html));
  sourceOf.set(node, html);
  return node;
}

/**
 * Append `sections` from index `from` to `el` (a preview being filled, top first) until
 * `deadline` (performance.now()) passes; returns the index to go on from.
 */
export function appendSections(el, sections, from, build, deadline) {
  let i = from;
  while (i < sections.length) {
    const [start, html] = sections[i++];
    const node = sectionNode(html, build);
    node.dataset.start = String(start);
    el.append(node);
    if (performance.now() > deadline) break;
  }
  return i;
}
