// Links in the preview: `#heading` scrolls the preview; a relative link or a [[wiki link]] to
// a note opens it inside the app (then scrolls to its #heading, if any); an external link
// opens in a new tab with rel=noopener, never taking the workspace page with it.

import { note } from "./notifications.mjs";
import { ID_PREFIX } from "./sanitize.mjs";
import { findByName, findByPath, fragmentOf, isRemote, resolvePath } from "./preview_paths.mjs";

/**
 * Mark external links (run on the sanitised fragment, before it is in the page). Where no
 * click handler opens notes (`inApp` false: a version in the history dialog), links to notes
 * keep their text but lose their target, so a click never navigates the workspace page away.
 */
export function markLinks(root, { inApp = true } = {}) {
  for (const a of root.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href");
    if (isRemote(href)) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    } else if (!inApp) {
      a.removeAttribute("href");
    }
  }
}

/** The element of the heading (or footnote) `id` inside `root` (ids carry the sanitiser's
 * prefix), or null. */
export function anchorTarget(root, id) {
  if (!id) return null;
  const find = (key) => root.querySelector(`[id="${CSS.escape(ID_PREFIX + key)}"]`);
  // A heading's text links too: "My Heading" as #my-heading.
  return find(id) || find(id.trim().toLowerCase().replace(/\s+/g, "-"));
}

/**
 * Handle clicks in the preview element `el`. `workspace`: {notePath(), artifacts(), openNote(id,
 * fragment)}; returns the listener (for tests and removal).
 */
export function handleLinks(el, workspace) {
  const onClick = (event) => {
    const a = event.target.closest?.("a[href]");
    if (!a || !el.contains(a) || event.defaultPrevented) return;
    const href = a.getAttribute("href");
    if (a.classList.contains("wikilink")) {
      event.preventDefault();
      openWiki(a, workspace);
    } else if (href.startsWith("#")) {
      event.preventDefault();
      const target = anchorTarget(el, fragmentOf(href));
      if (target) target.scrollIntoView({ block: "start" });
    } else if (!isRemote(href)) {
      event.preventDefault();
      openRelative(href, workspace);
    }
    // External links: the browser opens them in a new tab (target=_blank, rel=noopener).
  };
  el.addEventListener("click", onClick);
  return onClick;
}

function openWiki(a, workspace) {
  const target = a.dataset.wiki || "";
  const heading = a.dataset.heading || "";
  if (!target) { // [[#Heading]]: this note
    workspace.scrollTo(heading);
    return;
  }
  const found = findByName(workspace.artifacts(), target, workspace.notePath());
  if (found) workspace.openNote(found.id, heading);
  else note(`No note named “${target}” in this workspace yet.`);
}

function openRelative(href, workspace) {
  const path = resolvePath(href, workspace.notePath());
  const fragment = fragmentOf(href);
  if (!path) { workspace.scrollTo(fragment); return; }
  const found = findByPath(workspace.artifacts(), path);
  if (found) workspace.openNote(found.id, fragment);
  else note(`${path} is not in this workspace.`);
}
