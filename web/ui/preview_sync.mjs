// Split view: the editor and the preview scroll together, matched by source line (every
// rendered block carries `data-line`), and ticking a task's checkbox in the preview edits that
// line of the source.
//
// The editor side is `source`: {element, text(), topLine?(), scrollToLine?(n), replaceLine?(n,
// text)}. An editor with line geometry (CodeMirror) gives topLine/scrollToLine; without them
// the text area is scrolled in proportion to its lines.

import { lineOf } from "./preview_sections.mjs";

const QUIET_MS = 120;

/** The 0-based source line at the top of the editor. */
function editorTopLine(source) {
  if (source.topLine) return source.topLine();
  const el = source.element;
  const lines = source.text().split("\n").length;
  const range = Math.max(1, el.scrollHeight - el.clientHeight);
  return (el.scrollTop / range) * Math.max(0, lines - 1);
}

function scrollEditorTo(source, line) {
  if (source.scrollToLine) { source.scrollToLine(line); return; }
  const el = source.element;
  const lines = Math.max(1, source.text().split("\n").length - 1);
  el.scrollTop = (line / lines) * Math.max(0, el.scrollHeight - el.clientHeight);
}

// The marked blocks of a preview, kept until the preview changes (a long note has tens of
// thousands; a scroll looks at a few of them, found by binary search, not at every one).
let kept = { preview: null, stamp: null, blocks: [] };

function markedBlocks(preview) {
  // `preview` may be the pane around the rendered element (which counts its renderings).
  const rendered = preview.matches("[data-rendered]") ? preview : preview.querySelector("[data-rendered]") ?? preview;
  const stamp = `${rendered.dataset.rendered ?? ""}:${rendered.childElementCount}`;
  const stale = kept.blocks.length > 0 && !kept.blocks[0].isConnected;
  if (kept.preview !== preview || kept.stamp !== stamp || stale) {
    kept = { preview, stamp, blocks: [...preview.querySelectorAll("[data-line]")] };
  }
  return kept.blocks;
}

/** The index of the last block for which `before(block)` holds (blocks are in order), or -1. */
function lastBefore(blocks, before) {
  let lo = 0, hi = blocks.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (before(blocks[mid])) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

/** The preview's scrollTop that shows source line `line` at the top (interpolated). */
export function previewTopFor(preview, line) {
  const blocks = markedBlocks(preview);
  const base = preview.getBoundingClientRect().top - preview.scrollTop;
  const top = (el) => el.getBoundingClientRect().top - base;
  const i = lastBefore(blocks, (el) => lineOf(el) <= line);
  const before = i < 0 ? [0, 0] : [lineOf(blocks[i]), top(blocks[i])];
  const next = blocks[i + 1];
  if (!next) return before[1];
  const after = [lineOf(next), top(next)];
  const span = Math.max(1, after[0] - before[0]);
  return before[1] + ((line - before[0]) / span) * (after[1] - before[1]);
}

/** The source line at the preview's top (interpolated between blocks). */
export function lineAtPreviewTop(preview) {
  const blocks = markedBlocks(preview);
  const base = preview.getBoundingClientRect().top - preview.scrollTop;
  const top = (el) => el.getBoundingClientRect().top - base;
  const scrolled = preview.scrollTop;
  const i = lastBefore(blocks, (el) => top(el) <= scrolled);
  const before = i < 0 ? [0, 0] : [lineOf(blocks[i]), top(blocks[i])];
  const next = blocks[i + 1];
  if (!next) return before[0];
  const after = [lineOf(next), top(next)];
  const span = Math.max(1, after[1] - before[1]);
  return before[0] + ((scrolled - before[1]) / span) * (after[0] - before[0]);
}

/**
 * Scroll `pane` (the preview's scrolling box) and the editor together. `visible()`: whether
 * both panes show (split view). Returns {stop()}.
 */
export function syncScroll(pane, source, visible) {
  let leader = null;
  let quietTimer = null;
  const follow = (who, act) => {
    if (!visible() || (leader && leader !== who)) return;
    leader = who;
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => { leader = null; }, QUIET_MS);
    requestAnimationFrame(act);
  };
  if (!source.element) return { stop() {} };
  const fromEditor = () => follow("editor", () => { pane.scrollTop = previewTopFor(pane, editorTopLine(source)); });
  const fromPreview = () => follow("preview", () => scrollEditorTo(source, lineAtPreviewTop(pane)));
  source.element.addEventListener("scroll", fromEditor, { passive: true });
  pane.addEventListener("scroll", fromPreview, { passive: true });
  return {
    stop() {
      source.element.removeEventListener("scroll", fromEditor);
      pane.removeEventListener("scroll", fromPreview);
    },
  };
}

const TASK = /^(\s*(?:>\s*)*(?:[-+*]|\d{1,9}[.)])\s+\[)([ xX])(\])/;

/** `line` with its task box ticked or cleared, or null when it holds no task. */
export function toggledTask(line, checked) {
  if (!TASK.test(line)) return null;
  return line.replace(TASK, (_, head, _mark, tail) => `${head}${checked ? "x" : " "}${tail}`);
}

/**
 * Replace source line `n` (0-based). Through the editor's `replaceLine` when it has one; else
 * the way the editor's own text changes arrive: edit the text area and send it an input event
 * (autosave and the preview follow, as for typing).
 */
export function replaceSourceLine(source, n, text) {
  if (source.replaceLine) { source.replaceLine(n, text); return; }
  const area = source.element;
  if (typeof area?.setRangeText !== "function") throw new Error("The editor has no way to replace a line.");
  const value = area.value;
  let start = 0;
  for (let i = 0; i < n; i++) {
    start = value.indexOf("\n", start) + 1;
    if (start === 0) return;
  }
  const end = value.indexOf("\n", start) === -1 ? value.length : value.indexOf("\n", start);
  area.setRangeText(text, start, end, "preserve");
  area.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Ticking a checkbox in `preview` edits its source line. `canWrite()`: the tab may edit. */
export function handleTasks(preview, source, canWrite) {
  preview.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !preview.contains(box)) return;
    const item = box.closest("[data-line]");
    const n = item ? lineOf(item) : NaN;
    const line = Number.isInteger(n) ? source.text().split("\n")[n] : undefined;
    const next = line === undefined || !canWrite() ? null : toggledTask(line, box.checked);
    if (next === null) { box.checked = !box.checked; return; }
    replaceSourceLine(source, n, next);
  });
}
