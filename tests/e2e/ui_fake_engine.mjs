// An in-memory stand-in for web/engine/client.mjs, for fast browser tests of the page alone.
// tests/e2e/test_ui_*.py serve it in place of the real client (Playwright route), so the page's
// behaviour (autosave queueing, dialogs, escaping, shortcuts) is tested without booting Pyodide.
// Options come from globalThis.__fakeEngine (set by an init script): {delayMs, ownership, seed}.

const opts = globalThis.__fakeEngine || {};
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class EngineError extends Error {
  constructor(code, message) { super(message); this.code = code; this.name = "EngineError"; }
}

const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function renderMarkdown(text) {
  const out = [];
  for (const block of text.split(/\n{2,}/)) {
    const b = block.trim();
    if (!b) continue;
    const inline = (s) => escape(s).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>").replace(/`(.+?)`/g, "<code>$1</code>");
    const m = /^(#{1,6})\s+(.*)$/.exec(b);
    if (m) out.push(`<h${m[1].length}>${inline(m[2])}</h${m[1].length}>`);
    else if (b.split("\n").every((l) => /^[-*]\s/.test(l))) out.push(`<ul>${b.split("\n").map((l) => `<li>${inline(l.slice(2))}</li>`).join("")}</ul>`);
    else out.push(`<p>${inline(b).replace(/\n/g, "<br>")}</p>`);
  }
  return out.join("\n");
}

const kindOf = (path, mime) => /\.md$/i.test(path) ? "markdown" : /\.(py|js|json)$/i.test(path) ? "code"
  : (mime || "").startsWith("image/") ? "image" : /\.txt$/i.test(path) || (mime || "").startsWith("text/") ? "text" : "other";

class Store {
  constructor() {
    this.artifacts = new Map();
    this.folders = new Set();
    this.versions = [];
    this.trash = [];
    this.log = [];
    this.seq = 0;
    this.clock = Date.now() - 3 * 86400_000;
  }
  now() { this.clock = Math.max(Date.now(), this.clock + 1000); return this.clock; }
  id() { return `id${++this.seq}`; }
  act(type, payload) { this.log.push({ id: this.id(), timestamp: this.now(), action_type: type, payload }); }
  live(path) { return [...this.artifacts.values()].find((a) => a.path === path && !a.deleted); }
  summary(a) {
    const { content, deleted, ...rest } = a;
    return { ...rest, size_bytes: content.length, kind: kindOf(a.path, a.mime_type) };
  }
  full(a) {
    let text = null;
    try { text = dec.decode(a.content); } catch { text = null; }
    if (a.kind === "image" || (a.mime_type || "").startsWith("image/") || a.mime_type === "application/octet-stream") text = null;
    const s = this.summary(a);
    return { ...s, text, html: text !== null && s.kind === "markdown" ? (opts.evilHtml ? EVIL_HTML : renderMarkdown(text)) : null, version_count: this.versions.filter((v) => v.artifact_id === a.id).length };
  }
  addVersion(a, reason) {
    const seq = this.versions.filter((v) => v.artifact_id === a.id).length + 1;
    this.versions.push({ id: this.id(), artifact_id: a.id, seq, size_bytes: a.content.length, hash: null, created_at: a.updated_at, reason, content: a.content });
  }
  create(path, content, mime) {
    if (this.live(path)) throw new EngineError("conflict", "Something with this name already exists.");
    const t = this.now();
    const name = path.split("/").pop();
    const folder = path.slice(0, path.length - name.length - 1) || "/";
    const a = { id: this.id(), path, name, folder, mime_type: mime || null, content: typeof content === "string" ? enc.encode(content) : content, created_at: t, updated_at: t, hash: null, pending_upload: (content?.length || 0) > 1_000_000 };
    this.artifacts.set(a.id, a);
    this.addVersion(a, "create");
    return a;
  }
  get(id) {
    const a = this.artifacts.get(id);
    if (!a || a.deleted) throw new EngineError("not_found", "No such document.");
    return a;
  }
  relocate(a, path) {
    if (this.live(path)) throw new EngineError("conflict", "Something with this name already exists.");
    a.path = path;
    a.name = path.split("/").pop();
    a.folder = path.slice(0, path.length - a.name.length - 1) || "/";
  }
}

const store = new Store();
for (const [path, text] of opts.seed || []) store.create(path, text, path.endsWith(".md") ? "text/markdown" : "text/plain");

const methods = {
  "tree.list": () => ({ folders: [...store.folders].sort(), artifacts: [...store.artifacts.values()].filter((a) => !a.deleted).map((a) => store.summary(a)) }),
  "artifacts.get": ({ id }) => store.full(store.get(id)),
  "artifacts.create": ({ path, content = "", mime_type }) => { const a = store.create(path, content, mime_type); store.act("ARTIFACT_CREATE", { path }); return store.full(a); },
  "artifacts.upload": ({ path, data, mime_type }) => { const a = store.create(path, data, mime_type); store.act("ARTIFACT_UPLOAD", { path }); return store.full(a); },
  "artifacts.update": ({ id, content }) => {
    if (opts.failUpdates) throw new EngineError("quota_exceeded", "The browser refused to store more data.");
    const a = store.get(id);
    const next = typeof content === "string" ? enc.encode(content) : content;
    if (dec.decode(a.content) !== dec.decode(next)) { a.content = next; a.updated_at = store.now(); store.addVersion(a, "update"); store.act("ARTIFACT_UPDATE", { path: a.path }); }
    return store.full(a);
  },
  "artifacts.rename": ({ id, name }) => { const a = store.get(id); const from = a.path; store.relocate(a, `${a.folder === "/" ? "" : a.folder}/${name}`); store.act("ARTIFACT_RENAME", { from, to: a.path }); return store.full(a); },
  "artifacts.move": ({ id, folder }) => { const a = store.get(id); const from = a.path; store.relocate(a, `${folder === "/" ? "" : folder}/${a.name}`); store.act("ARTIFACT_MOVE", { from, to: a.path }); return store.full(a); },
  "artifacts.delete": ({ id }) => { const a = store.get(id); a.deleted = true; store.trash.unshift({ id: store.id(), kind: "artifact", path: a.path, name: a.name, deleted_at: store.now(), item_count: 1, size_bytes: a.content.length, ids: [a.id] }); store.act("ARTIFACT_DELETE", { path: a.path }); return { trashed: 1 }; },
  "artifacts.download": ({ id }) => { const a = store.get(id); return { name: a.name, mime_type: a.mime_type || "application/octet-stream", data: a.content.slice() }; },
  "folders.create": ({ path }) => { store.folders.add(path); store.act("FOLDER_CREATE", { path }); return { path }; },
  "folders.rename": ({ path, name }) => moveFolder(path, `${path.slice(0, path.lastIndexOf("/")) || ""}/${name}`),
  "folders.move": ({ path, parent }) => moveFolder(path, `${parent === "/" ? "" : parent}/${path.split("/").pop()}`),
  "folders.delete": ({ path }) => {
    const inside = [...store.artifacts.values()].filter((a) => !a.deleted && a.path.startsWith(`${path}/`));
    inside.forEach((a) => { a.deleted = true; });
    const gone = [...store.folders].filter((f) => f === path || f.startsWith(`${path}/`));
    gone.forEach((f) => store.folders.delete(f));
    store.trash.unshift({ id: store.id(), kind: "folder", path, name: path.split("/").pop(), deleted_at: store.now(), item_count: inside.length + gone.length, size_bytes: 0, ids: inside.map((a) => a.id), folders: gone });
    store.act("FOLDER_DELETE", { path });
    return { trashed: inside.length + gone.length };
  },
  "versions.list": ({ artifact_id, limit = 50, before = null }) => store.versions
    .filter((v) => v.artifact_id === artifact_id && (before === null || v.seq < before))
    .sort((a, b) => b.seq - a.seq).slice(0, limit).map(({ content, ...v }) => v),
  "versions.get": ({ version_id }) => {
    const v = store.versions.find((x) => x.id === version_id);
    const { content, ...rest } = v;
    const text = dec.decode(content);
    return { ...rest, text, html: renderMarkdown(text) };
  },
  "versions.restore": ({ version_id }) => {
    const v = store.versions.find((x) => x.id === version_id);
    const a = store.get(v.artifact_id);
    a.content = v.content; a.updated_at = store.now(); store.addVersion(a, "restore");
    store.act("VERSION_RESTORE", { path: a.path });
    return store.full(a);
  },
  "trash.list": () => store.trash.map(({ ids, folders, ...t }) => t),
  "trash.restore": ({ id }) => {
    const t = store.trash.find((x) => x.id === id);
    if (!t) throw new EngineError("not_found", "That item is not in the trash.");
    t.ids.forEach((i) => { store.artifacts.get(i).deleted = false; });
    (t.folders || []).forEach((f) => store.folders.add(f));
    store.trash = store.trash.filter((x) => x !== t);
    store.act("TRASH_RESTORE", { path: t.path });
    return { restored: t.item_count, path: t.path };
  },
  "trash.empty": () => { const n = store.trash.length; store.trash = []; store.act("TRASH_EMPTY", { deleted: n }); return { deleted: n }; },
  "activity.list": ({ limit = 50, before = null }) => {
    const all = [...store.log].reverse();
    const start = before ? all.findIndex((x) => x.id === before) + 1 : 0;
    const items = all.slice(start, start + limit);
    return { items, next: start + limit < all.length ? items[items.length - 1].id : null };
  },
  "storage.stats": () => {
    const live = [...store.artifacts.values()].filter((a) => !a.deleted);
    const by = {};
    for (const a of live) { const k = kindOf(a.path, a.mime_type); by[k] = by[k] || { kind: k, count: 0, bytes: 0 }; by[k].count++; by[k].bytes += a.content.length; }
    return {
      size_bytes: 4096 * (20 + store.versions.length), page_size: 4096, page_count: 20, free_bytes: 0,
      artifacts: { count: live.length, bytes: live.reduce((n, a) => n + a.content.length, 0) },
      by_type: Object.values(by), versions: { count: store.versions.length, bytes: 0 },
      trashed: { count: store.trash.length, bytes: 0 }, trash_units: store.trash.length,
      pending_uploads: { count: 0, bytes: 0 }, actions: store.log.length,
    };
  },
  "markdown.render": ({ text }) => ({ html: opts.evilHtml ? EVIL_HTML : renderMarkdown(text) }),
  "transfer.export": () => ({ name: "workspace.sqlite", data: enc.encode("SQLite format 3\u0000fake") }),
  "transfer.import": ({ data, mode }) => {
    const head = dec.decode(data.slice(0, 15));
    if (head !== "SQLite format 3") throw new EngineError("invalid_import", "This file is not a SQLite database.");
    store.act("WORKSPACE_IMPORT", { mode });
    return { mode, summary: { artifacts: 0 }, backup: mode === "replace" ? enc.encode("SQLite format 3\u0000backup") : undefined };
  },
};

function moveFolder(from, to) {
  for (const a of store.artifacts.values()) if (a.path.startsWith(`${from}/`)) { a.path = to + a.path.slice(from.length); a.folder = a.path.slice(0, a.path.lastIndexOf("/")) || "/"; }
  for (const f of [...store.folders]) if (f === from || f.startsWith(`${from}/`)) { store.folders.delete(f); store.folders.add(to + f.slice(from.length)); }
  store.act("FOLDER_MOVE", { from, to });
  return { path: to };
}

// What a buggy renderer could emit: the page must neutralise all of it.
const EVIL_HTML = '<h1>Title</h1><img src=x onerror="window.__pwned=1"><script>window.__pwned=2<\/script>'
  + '<a href="javascript:window.__pwned=3">link</a><iframe srcdoc="<p>x</p>"></iframe><p onclick="window.__pwned=4" style="color:red">text</p>';

const READS = new Set(["tree.list", "artifacts.get", "artifacts.download", "versions.list", "versions.get", "trash.list", "activity.list", "storage.stats", "markdown.render", "transfer.export"]);

export class Engine extends EventTarget {
  constructor() {
    super();
    this.calls = [];
    globalThis.quire = Object.assign(globalThis.quire ?? {}, { engine: this, fakeStore: store, fakeOpts: opts });
  }
  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
  async start() {
    if (opts.ownership === "elsewhere") { this.emit("ownership", { state: "elsewhere" }); return false; }
    this.emit("ownership", { state: "owner" });
    return this.boot();
  }
  async boot() {
    for (const [phase, f] of [["runtime", 0.1], ["packages", 0.4], ["restore", 0.6], ["migrate", 0.8]]) {
      this.emit("progress", { phase, fraction: f, message: null });
      await sleep(opts.bootStepMs ?? 10);
    }
    this.emit("progress", { phase: "ready", fraction: 1, message: "Ready" });
    this.emit("ready", { schemaVersion: 8, restoredBytes: 0, bootMs: 42 });
    return true;
  }
  async takeOver() { this.emit("ownership", { state: "owner" }); await this.boot(); }
  async release() { if (this.beforeRelease) await this.beforeRelease(); this.emit("ownership", { state: "released" }); }
  async call(method, params = {}) {
    this.calls.push({ method, params: JSON.parse(JSON.stringify(params, (k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))) });
    const fn = methods[method];
    if (!fn) throw new EngineError("unknown_method", `Unknown method ${method}.`);
    if (method === "transfer.export" || method === "transfer.import") {
      const phase = method === "transfer.export" ? "export" : "import";
      for (const f of [0.2, 0.6, 1]) { this.emit("progress", { phase, fraction: f, message: phase === "export" ? "Exporting…" : "Importing…" }); await sleep(20); }
    }
    const updating = method === "artifacts.update";
    if (updating) { this.inflight = (this.inflight || 0) + 1; this.maxInflight = Math.max(this.maxInflight || 0, this.inflight); }
    try {
      if (!READS.has(method)) await sleep(opts.delayMs ?? 5);
    } finally {
      if (updating) this.inflight--;
    }
    const result = fn(params);
    if (!READS.has(method)) this.emit("saved", { generation: store.seq, ms: 1, at: Date.now() });
    return result;
  }
  async storageEstimate() { return { persisted: false, quota: 2 * 1024 ** 3, usage: 5 * 1024 ** 2 }; }
}
