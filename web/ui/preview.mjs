// The rendered Markdown preview. Text is rendered by the preview worker (web/preview: its own
// Pyodide with pylib.markdown), debounced and only while the preview is visible, so rendering
// never waits behind a save nor holds one up. Every rendering — the worker's, or the engine's
// `html` of an artifact or version — goes through the one sanitiser (sanitize.mjs, DOMPurify
// with the renderer's policy) before it reaches the page; this is the one place rendered HTML
// is put into the page.

import { h, replace } from "./dom.mjs";
import { sanitize } from "./sanitize.mjs";
import { ImageStore, showImages } from "./preview_media.mjs";
import { anchorTarget, handleLinks, markLinks } from "./preview_links.mjs";
import { handleTasks, syncScroll } from "./preview_sync.mjs";
import { appendSections, patchSections } from "./preview_sections.mjs";
import { PreviewRenderer } from "../preview/client.mjs";

const DEBOUNCE_MS = 200;
// A long note waits a little longer after the last keystroke (its render costs more).
const DEBOUNCE_PER_MB_MS = 400;
// A note just opened goes in top first, this long at a time, so the page stays responsive.
const SLICE_MS = 12;
// While the preview worker starts (seconds on a busy machine), a short note is rendered by the
// engine instead: a few milliseconds in the data worker, the size the engine already renders
// along with a read (pylib/content.py RENDER_WITH_READ_LIMIT). Longer notes wait for the worker.
const ENGINE_RENDER_LIMIT = 32 * 1024;

export class Preview {
  constructor(engine, el) {
    this.engine = engine;
    this.el = el;
    this.workspace = null;
    this.seq = 0;
    this.timer = null;
    // Text not yet rendered (the preview was hidden, or a render waits): a string, or a
    // function giving it (the editor's text is only joined when it is rendered).
    this.pending = null;
    this.anchor = ""; // a #heading to scroll to once the next rendering is in
    this.renderer = new PreviewRenderer();
    this.stats = { renderMs: null, paintMs: null, renders: 0, built: 0, via: null, fill: null };
    this.hiddenPending = false; // a render was skipped because the preview was hidden
    // Shown again (split or preview view): what waited renders now. Only then: the preview
    // also changes size when a rendering goes in, which must not start another one.
    new ResizeObserver(() => {
      if (this.hiddenPending && this.pending !== null && this.visible()) this.renderNow(this.pending);
    }).observe(el);
    this.visibleLines = 120; // source lines rendered first when a note opens (a screenful or more)
    globalThis.quire = Object.assign(globalThis.quire ?? {}, { preview: this });
  }

  /**
   * What the preview needs from the page: {notePath(), artifacts(), openNote(id, fragment),
   * download(id), source: {element, text(), …} (see preview_sync.mjs), canWrite(),
   * splitView()}.
   */
  connect(workspace) {
    this.workspace = { ...workspace, images: new ImageStore(workspace.download), scrollTo: (id) => this.scrollTo(id) };
    handleLinks(this.el, this.workspace);
    handleTasks(this.el, workspace.source, workspace.canWrite);
    syncScroll(this.el.closest(".pane-preview") || this.el, workspace.source, () => workspace.splitView() && this.visible());
  }

  visible() {
    return this.el.checkVisibility ? this.el.checkVisibility() : this.el.offsetParent !== null;
  }

  /** Show HTML the engine rendered (an artifact's `html`: the whole note, lines from 0). */
  showEngineHtml(html) {
    this.seq++;
    this.pending = null;
    this.paint([[0, html]]);
    // The next edit will need the preview worker: start it while the page is idle.
    if (this.visible()) requestIdleCallback(() => this.renderer.start().catch(() => {}), { timeout: 2000 });
  }

  /**
   * Render text (a string, or a function giving it), debounced; while the preview is hidden the
   * text only waits. `length`: the text's length, when known (a long note waits longer).
   */
  update(text, { delay = DEBOUNCE_MS, length = 0 } = {}) {
    this.pending = text;
    clearTimeout(this.timer);
    // Nothing per keystroke but the timer: visibility and the text are looked at when it fires.
    this.timer = setTimeout(() => this.renderNow(this.pending), delay + Math.round((length / 1e6) * DEBOUNCE_PER_MB_MS));
  }

  async renderNow(source) {
    clearTimeout(this.timer);
    this.pending = source;
    this.hiddenPending = false;
    if (source === null) return;
    if (!this.visible()) { this.hiddenPending = true; return; }
    const text = typeof source === "function" ? source() : source;
    const seq = ++this.seq;
    // A preview with nothing in it (a note just opened) shows its first screen at once.
    const onPartial = this.el.querySelector(".preview-section") ? null : (sections) => {
      if (seq === this.seq) this.paint(sections, { partial: true });
    };
    try {
      const done = await this.render(text, onPartial);
      if (!done || seq !== this.seq) return;
      this.pending = null;
      this.stats.renderMs = done.ms;
      if (onPartial) await this.fill(done.sections, seq);
      if (seq === this.seq) this.paint(done.sections);
    } catch (err) {
      // A tab that handed the workspace over keeps the preview it has until it can render again.
      if (err?.code === "not_owner") return;
      if (seq === this.seq) replace(this.el, h("p", { class: "preview-empty" }, `Preview unavailable: ${err.message || err}`));
    }
  }

  /** The preview worker's rendering; the engine's for a short note while that worker starts,
   * or if it cannot start. */
  async render(text, onPartial = null) {
    const starting = this.renderer.start();
    if (this.engine && !this.renderer.isReady && text.length <= ENGINE_RENDER_LIMIT) return this.renderByEngine(text);
    try {
      await starting;
      this.stats.via = "preview-worker";
      return await this.renderer.render(text, { onPartial, firstLines: this.visibleLines });
    } catch (err) {
      if (!this.engine) throw err;
      return this.renderByEngine(text);
    }
  }

  async renderByEngine(text) {
    this.stats.via = "engine";
    const started = performance.now();
    const { html } = await this.engine.call("markdown.render", { text });
    return { sections: [[0, html]], ms: performance.now() - started };
  }

  /** Put `sections` ([[first line, html], …]) in; unchanged sections stay as they are. */
  paint(sections, { partial = false } = {}) {
    const started = performance.now();
    if (partial) {
      // The first screen of a note just opened; the rest follows in the full rendering.
      patchSections(this.el, sections, (html) => renderedFragment(html, this.workspace));
      this.stats.firstPaintMs = performance.now() - started;
      this.el.dataset.partial = "true";
      return;
    }
    delete this.el.dataset.partial;
    if (!sections.some(([, html]) => typeof html === "string" && html.trim())) {
      setEngineHtml(this.el, "", null);
    } else {
      this.stats.built = patchSections(this.el, sections, (html) => renderedFragment(html, this.workspace));
    }
    this.stats.paintMs = performance.now() - started;
    this.stats.renders++;
    this.el.dataset.rendered = String(this.stats.renders);
    if (this.anchor) {
      this.scrollTo(this.anchor);
      this.anchor = "";
    }
  }

  /**
   * Fill a preview that was empty when the render started (a note just opened) top first, a
   * slice at a time, yielding to input between slices; paint() then finishes the job.
   */
  async fill(sections, seq) {
    const build = (html) => renderedFragment(html, this.workspace);
    let i = this.el.children.length; // the first screen may be in already (a partial answer)
    if (i > sections.length) return;
    const fill = this.stats.fill = { slices: 0, started: performance.now(), ended: null };
    while (i < sections.length) {
      i = appendSections(this.el, sections, i, build, performance.now() + SLICE_MS);
      fill.slices++;
      if (i < sections.length) await yieldToInput();
      if (seq !== this.seq) return;
    }
    fill.ended = performance.now();
  }

  /** Scroll to the heading `id` now, or once the document being opened is rendered. */
  scrollTo(id, { later = false } = {}) {
    if (later) { this.anchor = id; return; }
    const target = anchorTarget(this.el, id);
    if (target) target.scrollIntoView({ block: "start" });
    else if (!id) (this.el.closest(".pane-preview") || this.el).scrollTop = 0;
  }

  clear() {
    clearTimeout(this.timer);
    this.seq++;
    this.pending = null;
    this.el.replaceChildren();
  }
}

/**
 * Let input, painting and every other task in, then go on: the next frame, then a task queued
 * behind whatever waits. Not scheduler.yield(): its continuations run ahead of ordinary tasks,
 * so filling a 1 MB note (3 s of slices) held back every timer, worker message and the page's
 * own handlers for all that time, and painted a frame only every 100-200 ms. Hidden, the fill
 * waits for the page to show again (no frames), which is what a hidden preview should do.
 */
function yieldToInput() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => { setTimeout(resolve, 0); });
  });
}

/**
 * Put rendered Markdown into `el`: sanitised with the shared policy, then its images and links
 * made to work inside the app (with `workspace`, see Preview.connect; without it images show as notes).
 * An empty document gets a quiet placeholder.
 */
export function setEngineHtml(el, html, workspace = null) {
  if (typeof html !== "string" || !html.trim()) {
    replace(el, h("p", { class: "preview-empty" }, "Nothing to preview yet."));
    return;
  }
  el.replaceChildren(renderedFragment(html, workspace));
}

/** Rendered HTML as a sanitised fragment with working images, links and checkboxes. */
function renderedFragment(html, workspace) {
  const fragment = sanitize(html);
  showImages(fragment, workspace);
  markLinks(fragment, { inApp: Boolean(workspace) });
  if (workspace && !workspace.canWrite()) for (const box of fragment.querySelectorAll("input")) box.disabled = true;
  return fragment;
}
