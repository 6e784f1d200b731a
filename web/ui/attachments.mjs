// Images pasted or dropped into a note become files of the workspace, in an `attachments/`
// folder next to the note, and a Markdown image link to each goes into the text at once (the
// names are chosen before the upload starts, so typing can go on meanwhile). The upload is the
// engine's `artifacts.upload`, which creates the folder when it is missing. The naming needs no
// DOM (tested with node); the status bar's messages are imported when an upload runs.

export const ATTACHMENTS = "attachments";

/** A file name that is safe in a path and in a Markdown link, keeping the extension. */
export function attachmentName(file, now = new Date()) {
  const ext = (file.type.split("/")[1] || "png").replace("jpeg", "jpg").replace(/\+.*$/, "").replace(/[^a-z0-9]/gi, "");
  let name = (file.name || "").trim();
  // A pasted screenshot is called "image.png" by the browser: give it a dated name instead.
  if (!name || /^image\.\w+$/i.test(name)) {
    const pad = (n) => String(n).padStart(2, "0");
    name = `pasted-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}.${ext}`;
  }
  name = name.replace(/[^\w.\-]+/g, "-").replace(/^[.-]+/, "") || `image.${ext}`;
  return /\.[a-z0-9]+$/i.test(name) ? name : `${name}.${ext}`;
}

/**
 * Where each image goes and the Markdown that links to it, relative to the note at `notePath`.
 * `taken(path)`: whether a path is in use; names chosen in this call count as taken too.
 */
export function planAttachments(notePath, files, taken, now = new Date()) {
  const parent = notePath.slice(0, notePath.lastIndexOf("/"));
  const folder = `${parent}/${ATTACHMENTS}`;
  const joinPath = (dir, name) => `${dir}/${name}`;
  const chosen = new Set();
  return files.map((file) => {
    const name = attachmentName(file, now);
    const dot = name.lastIndexOf(".");
    let path = joinPath(folder, name);
    for (let i = 2; taken(path) || chosen.has(path); i++) path = joinPath(folder, `${name.slice(0, dot)}-${i}${name.slice(dot)}`);
    chosen.add(path);
    const file_name = path.slice(folder.length + 1);
    const alt = file_name.slice(0, file_name.lastIndexOf(".")).replace(/[[\]]/g, "");
    return { file, path, markdown: `![${alt}](${ATTACHMENTS}/${file_name})` };
  });
}

/**
 * Attach `files` (images) to the note `artifact`: returns the Markdown to insert now and a
 * promise of the uploads (each failure is reported by name; the others still go in).
 */
export function attachImages({ session, taken, refreshTree }, artifact, files) {
  const plan = planAttachments(artifact.path, files, taken);
  const done = (async () => {
    const { reportError, note } = await import("./notifications.mjs");
    let ok = 0;
    for (const { file, path } of plan) {
      const data = new Uint8Array(await file.arrayBuffer());
      const res = await session.mutate("files.add", { path, data, mime_type: file.type || "image/png" },
        { context: `Could not attach ${file.name || "the image"}` });
      if (res) ok++;
    }
    if (ok) {
      await refreshTree();
      note(ok === 1 ? `Attached ${plan[0].path.split("/").pop()}` : `Attached ${ok} images`);
    }
    return ok;
  })().catch(async (err) => {
    (await import("./notifications.mjs")).reportError(err, "Could not attach the image");
    return 0;
  });
  const markdown = plan.map((p) => p.markdown).join("\n");
  return { markdown, done };
}
