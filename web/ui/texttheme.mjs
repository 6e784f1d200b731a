// How Markdown looks in the editor: headings larger and bold, emphasis, code, links and quotes
// told apart by weight and colour (the colours are the page's CSS variables, so the app's
// theme applies). The layout of the editor itself is in ../app.css (.editor .cm-*).

import { HighlightStyle, tags as t } from "../vendor/codemirror/codemirror.mjs";

export const markdownHighlight = HighlightStyle.define([
  { tag: t.heading1, fontSize: "1.45em", fontWeight: "700", lineHeight: "1.4" },
  { tag: t.heading2, fontSize: "1.25em", fontWeight: "700" },
  { tag: t.heading3, fontSize: "1.1em", fontWeight: "650" },
  { tag: [t.heading4, t.heading5, t.heading6], fontWeight: "650" },
  { tag: t.strong, fontWeight: "700" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.strikethrough, textDecoration: "line-through" },
  { tag: [t.link, t.url], color: "var(--accent)" },
  { tag: t.monospace, fontFamily: "var(--font-mono)", color: "var(--ink-2)", backgroundColor: "var(--bg-active)", borderRadius: "3px" },
  { tag: t.quote, color: "var(--ink-2)", fontStyle: "italic" },
  { tag: [t.processingInstruction, t.meta, t.contentSeparator], color: "var(--ink-3)" },
  { tag: t.list, color: "var(--ink-2)" },
]);
