// How the preview finds a workspace item from what a note wrote: a relative path (resolved
// against the note's folder), a workspace path ("/folder/x.png"), or a [[wiki]] name (matched
// as the engine's link index matches: case-folded, NFC, without ".md").

const REMOTE = /^(?:[a-z][a-z0-9+.\-]*:|\/\/|\\\\)/i;

/** True for a URL with a scheme (http:, mailto:, …) or a protocol-relative one. */
export function isRemote(href) {
  return REMOTE.test(href.trim());
}

/** The workspace path `href` names from the note at `notePath`, without ?query or #fragment. */
export function resolvePath(href, notePath) {
  const bare = href.split("#", 1)[0].split("?", 1)[0];
  if (!bare) return null;
  const folder = (notePath || "/").replace(/[^/]*$/, "");
  let decoded;
  try {
    decoded = decodeURIComponent(bare);
  } catch {
    decoded = bare;
  }
  const parts = [];
  for (const part of (decoded.startsWith("/") ? decoded : folder + decoded).split("/")) {
    if (part === "..") parts.pop();
    else if (part && part !== ".") parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** The #fragment of `href`, decoded ("" when none). */
export function fragmentOf(href) {
  const i = href.indexOf("#");
  if (i < 0) return "";
  try {
    return decodeURIComponent(href.slice(i + 1));
  } catch {
    return href.slice(i + 1);
  }
}

const key = (s) => s.normalize("NFC").toLowerCase().replace(/\.md$/, "");

/** The artifact at `path`, or at `path` + ".md" (links often leave the extension out). */
export function findByPath(artifacts, path) {
  if (!path) return null;
  const wanted = path.normalize("NFC");
  return artifacts.find((a) => a.path.normalize("NFC") === wanted)
    || artifacts.find((a) => a.path.normalize("NFC") === `${wanted}.md`) || null;
}

/**
 * The artifact a [[wiki]] target names: by name, or by the end of its path for
 * "folder/Note"; the note's own folder wins, then the shortest path.
 */
export function findByName(artifacts, target, notePath) {
  const wanted = key(target.trim().replace(/^\/+/, ""));
  if (!wanted) return null;
  const folder = (notePath || "/").replace(/[^/]*$/, "");
  const matches = artifacts.filter((a) => {
    const path = key(a.path);
    return wanted.includes("/") ? path === `/${wanted}` || path.endsWith(`/${wanted}`) : key(a.name) === wanted;
  });
  matches.sort((a, b) => (b.folder + "/" === folder) - (a.folder + "/" === folder) || a.path.length - b.path.length);
  return matches[0] || null;
}
