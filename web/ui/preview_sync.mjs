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

/** [line, top] of every marked block in the preview, in document order. */
function blocks(preview) {
  const base = preview.getBoundingClientRect().top - preview.scrollTop;
  return [...preview.querySelectorAll("[data-line]")].map((el) => [lineOf(el), el.getBoundingClientRect().top - base]);
}

/** The preview's scrollTop that shows source line `line` at the top (interpolated). */
export function previewTopFor(preview, line) {
  let before = [0, 0];
  for (const block of blocks(preview)) {
    if (block[0] > line) {
      const span = Math.max(1, block[0] - before[0]);
      return before[1] + ((line - before[0]) / span) * (block[1] - before[1]);
    }
    before = block;
  }
  return before[1];
}

/** The source line at the preview's top (interpolated between blocks). */
export function lineAtPreviewTop(preview) {
  const top = preview.scrollTop;
  let before = [0, 0];
  for (const block of blocks(preview)) {
    if (block[1] > top) {
      const span = Math.max(1, block[1] - before[1]);
      return before[0] + ((top - before[1]) / span) * (block[0] - before[0]);
    }
    before = block;
  }
  return before[0];
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
