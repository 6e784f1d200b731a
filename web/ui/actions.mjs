// Document and folder actions: new, rename, move, delete (to Trash, with Undo), upload, download.
// Each asks its question in a <dialog>, calls the engine, then refreshes the tree.

import { basename, dirname, joinPath, downloadBytes, formatBytes } from "./dom.mjs";
import { displayName } from "./kinds.mjs";
import { promptText, chooseFolder } from "./dialogs.mjs";
import { note, showTask, hideTask, reportError } from "./notifications.mjs";
import { readFileShowingProgress } from "./cloudfiles.mjs";
import { incomingLinks, updateLinksField, askUpdateLinks, describe } from "./linkupdate.mjs";

const BAD_NAME = /[\/\\\u0000-\u001f]/;

function nameProblem(name) {
  if (BAD_NAME.test(name)) return "A name cannot contain slashes or control characters.";
  if (name === "." || name === "..") return "Please choose another name.";
  if (name.length > 255) return "That name is too long.";
  return null;
}

export class Actions {
  /** `session`: {call(), mutate()}; `documents`: {refreshTree(), open(), reloadOpen()}. */
  constructor({ store, session, tree, editor, documents }) {
    this.store = store;
    this.session = session;
    this.tree = tree;
    this.editor = editor;
    this.documents = documents;
  }

  pathTaken(path) {
    return this.tree.artifacts().some((a) => a.path === path) || this.tree.folders().includes(path);
  }

  uniquePath(folder, name) {
    let path = joinPath(folder, name);
    const dot = name.lastIndexOf(".");
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : "";
    for (let i = 2; this.pathTaken(path); i++) path = joinPath(folder, `${stem} (${i})${ext}`);
    return path;
  }

  async newDocument(folder = this.tree.currentFolder()) {
    if (!this.store.canWrite()) return;
    const suggested = basename(this.uniquePath(folder, "Untitled.md"));
    const name = await promptText({
      title: "New document", label: "Document name", value: suggested, okLabel: "Create", selectStem: true,
      hint: `In ${folder === "/" ? "the top level" : folder}. Names ending in .md get a preview.`,
      validate: (text) => nameProblem(text) || (this.pathTaken(joinPath(folder, withExtension(text))) ? "Something with this name already exists here." : null),
    });
    if (!name) return;
    const full = withExtension(name);
    const path = joinPath(folder, full);
    const mime_type = mimeFor(full);
    // The editor is ready for typing right away; the text goes into the document once it exists.
    const editor = this.editor;
    const load = editor.begin({ path, name: full, mime_type }, { focus: true });
    const artifact = await this.session.mutate("artifacts.create", { path, content: "", mime_type }, { context: "Could not create the document" });
    if (!artifact) { editor.abandon(load); return; }
    load.id = artifact.id;
    await this.documents.refreshTree();
    this.tree.reveal(path);
    if (editor.loading === load) await this.documents.open(artifact.id, { focus: true, artifact });
    else editor.arrive(load, artifact);
  }

  async newFolder(parent = this.tree.currentFolder()) {
    if (!this.store.canWrite()) return;
    const name = await promptText({
      title: "New folder", label: "Folder name", value: "", okLabel: "Create",
      hint: `In ${parent === "/" ? "the top level" : parent}.`,
      validate: (text) => nameProblem(text) || (this.pathTaken(joinPath(parent, text)) ? "Something with this name already exists here." : null),
    });
    if (!name) return;
    const path = joinPath(parent, name);
    const done = await this.session.mutate("folders.create", { path }, { context: "Could not create the folder" });
    if (!done) return;
    this.tree.expanded.add(path);
    this.tree.select({ type: "folder", path });
    await this.documents.refreshTree();
    this.tree.reveal(joinPath(path, "x"));
    note(`Created folder ${name}`);
  }

  async rename(item) {
    if (!this.store.canWrite() || !item) return;
    const old = item.type === "folder" ? basename(item.path) : displayName(item.artifact || item);
    const folder = dirname(item.path);
    const incoming = await incomingLinks(this.session, item);
    const field = incoming ? updateLinksField(incoming) : null;
    const name = await promptText({
      title: item.type === "folder" ? "Rename folder" : "Rename document", label: "New name", value: old,
      okLabel: "Save name", selectStem: item.type !== "folder", extra: field?.el,
      validate: (text) => nameProblem(text) || (text !== old && this.pathTaken(joinPath(folder, text)) ? "Something with this name already exists here." : null),
    });
    if (!name || name === old) return;
    const update_links = Boolean(field?.checked());
    // What is typed goes in first: a rewritten link must not race the note's own save.
    if (update_links) await this.editor.flush();
    if (item.type === "folder") {
      const res = await this.session.mutate("folders.rename", { path: item.path, name, update_links }, { context: "Could not rename the folder" });
      if (!res) return;
      this.tree.renameExpanded(item.path, res.path || joinPath(folder, name));
      await this.documents.refreshTree();
      await this.documents.reloadOpen();
    } else {
      const artifact = await this.session.mutate("artifacts.rename", { id: item.id, name, update_links }, { context: "Could not rename the document" });
      if (!artifact) return;
      this.editor.retitle(artifact);
      await this.documents.refreshTree();
      if (this.editor.current?.id === item.id || update_links) await this.documents.reloadOpen();
    }
    note(update_links ? `Renamed to ${name} · updated ${describe(incoming)}` : `Renamed to ${name}`);
  }

  async move(item) {
    if (!this.store.canWrite() || !item) return;
    const current = dirname(item.path);
    const folder = await chooseFolder({
      title: `Move ${item.type === "folder" ? basename(item.path) : displayName(item.artifact || item)}`,
      folders: this.tree.folders(), current, okLabel: "Move here",
      exclude: item.type === "folder" ? item.path : null,
    });
    if (folder === null || folder === current) return;
    await this.moveTo(item, folder);
  }

  async moveTo(item, folder) {
    if (!this.store.canWrite()) return;
    if (dirname(item.path) === folder) return;
    if (item.type === "folder" && (folder === item.path || folder.startsWith(`${item.path}/`))) return;
    const incoming = await incomingLinks(this.session, item);
    let update_links = false;
    if (incoming) {
      const label = item.type === "folder" ? basename(item.path) : displayName(item.artifact || item);
      update_links = await askUpdateLinks(incoming, label);
      if (update_links === null) return;
      if (update_links) await this.editor.flush();
    }
    if (item.type === "folder") {
      const res = await this.session.mutate("folders.move", { path: item.path, parent: folder, update_links }, { context: "Could not move the folder" });
      if (!res) return;
      this.tree.renameExpanded(item.path, res.path || joinPath(folder, basename(item.path)));
      await this.documents.refreshTree();
      await this.documents.reloadOpen();
    } else {
      const artifact = await this.session.mutate("artifacts.move", { id: item.id, folder, update_links }, { context: "Could not move the document" });
      if (!artifact) return;
      this.editor.retitle(artifact);
      await this.documents.refreshTree();
      if (artifact.path) this.tree.reveal(artifact.path);
      if (update_links) await this.documents.reloadOpen();
    }
    const where = folder === "/" ? "the top level" : folder;
    note(update_links ? `Moved to ${where} · updated ${describe(incoming)}` : `Moved to ${where}`);
  }

  async remove(item) {
    if (!this.store.canWrite() || !item) return;
    const isFolder = item.type === "folder";
    const label = isFolder ? basename(item.path) : displayName(item.artifact || item);
    const openId = this.editor.current?.id;
    const closing = isFolder ? this.tree.artifacts().some((a) => a.id === openId && a.path.startsWith(`${item.path}/`)) : openId === item.id;
    // Close first, so nothing is typed into a document on its way to the Trash; what was typed is saved.
    if (closing) this.editor.close();
    await this.editor.flush();
    const res = isFolder
      ? await this.session.mutate("folders.delete", { path: item.path }, { context: "Could not delete the folder" })
      : await this.session.mutate("artifacts.delete", { id: item.id }, { context: "Could not delete the document" });
    if (!res) return;
    if (this.tree.selected?.type === "folder" && this.tree.selected.path === item.path) this.tree.selected = null;
    await this.documents.refreshTree();
    const undo = async () => {
      // The trash unit for what we just deleted: the newest one at this path.
      let unit = null;
      try {
        const items = await this.session.call("trash.list", {});
        unit = items.find((t) => t.path === item.path && t.kind === (isFolder ? "folder" : "artifact"));
      } catch (err) { reportError(err, "Could not undo"); return; }
      if (!unit) return;
      const back = await this.session.mutate("trash.restore", { id: unit.id }, { context: "Could not undo" });
      if (!back) return;
      await this.documents.refreshTree();
      if (!isFolder) await this.documents.open(item.id);
      note(`Restored ${label}`);
    };
    const n = res.trashed;
    note(isFolder && n > 1 ? `Moved ${label} and ${n - 1} item${n === 2 ? "" : "s"} inside to Trash` : `Moved ${label} to Trash`, { undo });
  }

  async download(item) {
    const id = item.id;
    if (this.editor.current?.id === id) await this.editor.flush();
    try {
      // A large file may be in the cloud only: its download shows its progress.
      const res = await readFileShowingProgress(this.session, id, displayName(item));
      downloadBytes(res.data, res.name || displayName(item), res.mime_type || "application/octet-stream");
    } catch (err) {
      reportError(err, "Download failed");
    }
  }

  /** Upload files into a folder; each becomes an artifact. */
  async upload(files, folder = this.tree.currentFolder()) {
    if (!this.store.canWrite() || !files.length) return;
    let lastId = null;
    let done = 0;
    for (const file of files) {
      showTask(`Uploading ${file.name}`, files.length > 1 ? done / files.length : null);
      const path = this.uniquePath(folder, file.name.replace(BAD_NAME, "_"));
      const data = new Uint8Array(await file.arrayBuffer());
      const artifact = await this.session.mutate("files.add",
        { path, data, mime_type: file.type || mimeFor(file.name, "application/octet-stream") },
        { context: `Could not upload ${file.name}` });
      done++;
      if (artifact) {
        lastId = artifact.id;
        // Keep the tree current so uniquePath sees the new name.
        this.tree.data.artifacts.push(artifact);
      }
    }
    hideTask();
    await this.documents.refreshTree();
    if (lastId) {
      const a = this.tree.byId(lastId);
      if (a) this.tree.reveal(a.path);
      await this.documents.open(lastId);
      const total = files.reduce((n, f) => n + f.size, 0);
      note(files.length === 1 ? `Uploaded ${files[0].name} (${formatBytes(total)})` : `Uploaded ${done} files (${formatBytes(total)})`);
    }
  }
}

function withExtension(name) {
  return /\.[A-Za-z0-9]+$/.test(name) ? name : `${name}.md`;
}

const MIME_BY_EXT = {
  md: "text/markdown", markdown: "text/markdown", txt: "text/plain", json: "application/json",
  csv: "text/csv", html: "text/html", css: "text/css", js: "text/javascript", mjs: "text/javascript",
  py: "text/x-python", svg: "image/svg+xml", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg",
  gif: "image/gif", webp: "image/webp", pdf: "application/pdf", sqlite: "application/vnd.sqlite3",
};

function mimeFor(name, fallback = "text/plain") {
  const ext = name.toLowerCase().split(".").pop();
  return MIME_BY_EXT[ext] || fallback;
}
