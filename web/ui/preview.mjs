// The rendered Markdown preview. The HTML comes only from the engine's Markdown renderer
// (`markdown.render` or the `html` field of an artifact/version), which escapes everything the
// document contains; it is the one place the page assigns innerHTML.

import { h, replace } from "./dom.mjs";

export class Preview {
  constructor(engine, el) {
    this.engine = engine;
    this.el = el;
    this.seq = 0;
    this.timer = null;
  }

  /** Show HTML produced by the engine's Markdown renderer. */
  showEngineHtml(html) {
    this.seq++;
    setEngineHtml(this.el, html);
  }

  /** Render text through the engine, debounced; stale answers are dropped. */
  update(text, delay = 200) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.renderNow(text), delay);
  }

  async renderNow(text) {
    clearTimeout(this.timer);
    const seq = ++this.seq;
    try {
      const { html } = await this.engine.call("markdown.render", { text });
      if (seq === this.seq) setEngineHtml(this.el, html);
    } catch (err) {
      // A tab that handed the workspace over keeps the preview it has until it can render again.
      if (err?.code === "not_owner") return;
      if (seq === this.seq) replace(this.el, h("p", { class: "preview-empty" }, `Preview unavailable: ${err.message || err}`));
    }
  }

  clear() {
    clearTimeout(this.timer);
    this.seq++;
    this.el.replaceChildren();
  }
}

/** Put renderer output into `el`; an empty document gets a quiet placeholder. */
export function setEngineHtml(el, html) {
  if (typeof html !== "string" || !html.trim()) {
    replace(el, h("p", { class: "preview-empty" }, "Nothing to preview yet."));
    return;
  }
  // The renderer already escapes; parse in an inert template and drop anything active anyway,
  // so a renderer bug can never run code in the workspace page.
  const tpl = document.createElement("template");
  tpl.innerHTML = html; // escaped, safe HTML from pylib's Markdown renderer (inert: not yet in the page)
  harden(tpl.content);
  el.replaceChildren(tpl.content);
}

const BLOCKED = "script, style, iframe, frame, frameset, object, embed, link, meta, base, form, button, textarea, select, svg, math, template";
const URL_ATTRS = new Set(["href", "src", "xlink:href", "action", "formaction", "srcset", "poster", "background"]);

function harden(root) {
  for (const bad of root.querySelectorAll(BLOCKED)) bad.remove();
  for (const input of root.querySelectorAll("input")) {
    // Task-list checkboxes are the only inputs a rendering may hold; they are read-only.
    if ((input.getAttribute("type") || "").toLowerCase() !== "checkbox") input.remove();
    else input.setAttribute("disabled", "");
  }
  for (const node of root.querySelectorAll("*")) {
    for (const attr of [...node.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on") || name === "style" || name === "srcdoc") node.removeAttribute(attr.name);
      else if (URL_ATTRS.has(name) && !safeUrl(attr.value, name)) node.removeAttribute(attr.name);
    }
  }
  // Links open outside the app and never take the workspace page with them.
  for (const a of root.querySelectorAll("a[href]")) {
    a.target = "_blank";
    a.rel = "noopener noreferrer";
  }
  // Images from other hosts would break cross-origin isolation and leak reads: keep them out.
  for (const img of root.querySelectorAll("img[src]")) {
    if (!/^(data:image\/(png|gif|jpeg|webp);|blob:)/i.test(img.getAttribute("src"))) {
      img.replaceWith(document.createTextNode(img.getAttribute("alt") || ""));
    }
  }
}

function safeUrl(value, name) {
  const v = value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
  if (v.startsWith("javascript:") || v.startsWith("vbscript:")) return false;
  if (v.startsWith("data:")) return name === "src" && /^data:image\/(png|gif|jpeg|webp);/.test(v);
  return true;
}
