// Images in the preview: a workspace image shows from a blob: URL the page makes from the
// engine's bytes; a remote image is never loaded (the app works offline and what a note
// shows stays private), and says so on hover. Nothing the renderer emits carries a `src`:
// the page sets one only to a blob: URL of its own.

import { h } from "./dom.mjs";
import { findByName, findByPath, isRemote, resolvePath } from "./preview_paths.mjs";

export const REMOTE_IMAGE_NOTE = "Remote image not loaded: Quire works offline and keeps what you read private, so pictures come only from this workspace.";
const MAX_CACHED = 200;

export class ImageStore {
  /** `download(id)` → {data: Uint8Array, mime_type}: the engine's bytes of a file. */
  constructor(download) {
    this.download = download;
    this.urls = new Map(); // `${id}:${hash}` -> Promise<string> (a blob: URL)
  }

  url(artifact) {
    const cacheKey = `${artifact.id}:${artifact.hash ?? artifact.updated_at ?? ""}`;
    let url = this.urls.get(cacheKey);
    if (!url) {
      url = this.download(artifact.id).then(({ data, mime_type: type }) =>
        URL.createObjectURL(new Blob([data], { type: type || artifact.mime_type || "application/octet-stream" })));
      url.catch(() => this.urls.delete(cacheKey));
      this.urls.set(cacheKey, url);
      if (this.urls.size > MAX_CACHED) this.evict();
    }
    return url;
  }

  evict() {
    const [oldest, url] = this.urls.entries().next().value;
    this.urls.delete(oldest);
    url.then((u) => URL.revokeObjectURL(u), () => {});
  }
}

function placeholder(cls, text, title) {
  return h("span", { class: `preview-image-note ${cls}`, title, role: "img", "aria-label": title }, text);
}

/**
 * Give each image in `root` (sanitised, not yet in the page) its workspace picture, or a
 * note in its place. `workspace`: {notePath(), artifacts()} and an ImageStore as `images`.
 */
export function showImages(root, workspace) {
  for (const img of root.querySelectorAll("img")) {
    const alt = img.getAttribute("alt") || "";
    const src = img.getAttribute("data-src");
    const wiki = img.getAttribute("data-wiki");
    if (src !== null && isRemote(src)) {
      img.replaceWith(placeholder("is-remote", `Remote image not loaded: ${alt || src}`, `${REMOTE_IMAGE_NOTE} (${src})`));
      continue;
    }
    const artifacts = workspace?.artifacts?.() ?? [];
    const notePath = workspace?.notePath?.() ?? "/";
    const path = src !== null ? resolvePath(src, notePath) : null;
    const artifact = wiki !== null ? findByName(artifacts, wiki, notePath) : findByPath(artifacts, path);
    if (!artifact || !workspace?.images) {
      const missing = wiki ?? path ?? "";
      img.replaceWith(placeholder("is-missing", `Image not found: ${alt || missing}`, `Not in this workspace: ${missing}`));
      continue;
    }
    img.dataset.path = artifact.path;
    img.loading = "lazy";
    workspace.images.url(artifact).then((url) => { img.src = url; }, () => {
      img.replaceWith(placeholder("is-missing", `Image not readable: ${alt}`, `Could not read ${artifact.path}`));
    });
  }
}
