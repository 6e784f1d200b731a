// The page's first module (index.html starts it): on a reload, the note open last is shown in
// the editor and takes typing (firstview.mjs) before the rest of the page loads; then app.mjs
// puts the page together around it. Only what that first screen needs is loaded before it:
// the editing surface, the unsaved-text store and the styles.

import { applyStylesheet } from "./dom.mjs";
import { firstViewText, showFirstView } from "./firstview.mjs";

const REST = [
  "app.mjs", "editor.mjs", "opening.mjs", "instantopen.mjs", "autosave.mjs", "preview.mjs", "sanitize.mjs",
  "../preview/client.mjs", "../vendor/dompurify/purify.es.mjs", "../engine/runtime.mjs", "../vendor/pyodide/pyodide.mjs",
];

// The styles of everything the page shows once it runs (only the first paint's are inline in
// index.html); preloaded there, so applying them costs a few milliseconds.
await applyStylesheet(new URL("../app.css", import.meta.url).href);
if (showFirstView()) {
  // For the console and browser tests, as app.mjs does once the page is put together.
  window.quire = Object.assign(window.quire ?? {}, { ui: { editor: { text: firstViewText } } });
}
// No note to show after all (index.html hid the boot card for one): the card is the first screen.
delete document.documentElement.dataset.first;
// Then the rest of the page: what app.mjs needs soonest (the editor's other modules, the
// preview and the engine) is fetched at once rather than one import level at a time.
for (const path of REST) {
  document.head.append(Object.assign(document.createElement("link"), { rel: "modulepreload", href: new URL(path, import.meta.url).href }));
}
import("./app.mjs");
