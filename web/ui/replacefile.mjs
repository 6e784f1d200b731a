// "Replace file…": new bytes for a file that is not a Markdown note, chosen in a file picker,
// from the file's card and its item menu. They go through files.update with the hash the page
// knows of the file, so a file changed meanwhile (in another tab, on another device) is refused
// with a clear message instead of being overwritten. A file over 1 MB is kept on this device
// first and then uploaded by the queue, as files.add does; the upload is started at once.

import { h, formatBytes } from "./dom.mjs";
import { note, reportError, showError, showTask, hideTask } from "./notifications.mjs";
import { displayName, kindOf } from "./kinds.mjs";

/** Whether "Replace file…" is offered for `artifact` (a Markdown note is edited instead). */
export function canReplace(artifact) {
  return Boolean(artifact) && kindOf(artifact) !== "markdown";
}

/** The file the person picks, or null if they cancel. */
export function chooseFile() {
  return new Promise((resolve) => {
    const input = h("input", { type: "file", hidden: true, "aria-hidden": "true" });
    const done = (file) => { input.remove(); resolve(file); };
    input.addEventListener("change", () => done(input.files[0] || null));
    input.addEventListener("cancel", () => done(null));
    document.body.append(input);
    input.click();
  });
}

/**
 * Build the function that replaces a file's content: `replace(artifact)` asks for the file,
 * saves it and shows the result. `session`: {call(), mutate()}; `editor`: the Editor (its
 * unsaved text is saved first); `documents`: re-reads the tree and the open document; `tree`:
 * what the page knows of each file (its hash).
 */
export function fileReplacer({ session, editor, documents, tree }, choose = chooseFile) {
  return async function replace(artifact) {
    const id = artifact.id;
    const name = displayName(artifact);
    if (editor.current?.id === id) await editor.flush();
    // The hash the person saw: a change after this (while the picker is open, too) is a conflict.
    const base = tree.byId(id)?.hash ?? artifact.hash ?? null;
    const file = await choose();
    if (!file) return null;
    showTask(`Replacing ${name}`);
    let saved;
    try {
      const content = new Uint8Array(await file.arrayBuffer());
      saved = await session.mutate("files.update", { id, content, base_hash: base }, { quiet: true });
    } catch (err) {
      if (err?.code === "conflict") {
        showError(`${name} changed since you opened it (in another tab or on another device), so it was not replaced.`
          + " Open it again to see the newest version, then replace it if you still want to.", "Not replaced");
      } else {
        reportError(err, `Could not replace ${name}`);
      }
      return null;
    } finally {
      hideTask();
    }
    session.call("files.sync", {}).catch(() => {}); // a large file's upload starts now, not at the next look
    await documents.refreshTree();
    if (editor.current?.id === id) await documents.reloadOpen();
    note(`Replaced ${name} with ${file.name} (${formatBytes(file.size)})`);
    return saved;
  };
}
