// Reads for a tab that does not own the workspace, answered by the tab that does.
//
// Only one tab runs the engine (a Web Lock elects it), but every tab should show the workspace:
// a tab that does not own it sends its reads (the tree, a document, a preview…) over a
// BroadcastChannel, and the owner answers them from its engine. The owner also says when the
// workspace changed, so the other tabs show what it saved. Only the read methods below are
// served: a tab that does not own the workspace can never change it this way.

const READS = new Set([
  "workspace.info", "tree.list", "artifacts.get", "markdown.render", "search.query", "search.fused",
  "versions.list", "versions.get", "versions.diff", "trash.list", "trash.contents",
  "activity.list", "storage.stats", "links.backlinks", "links.outgoing", "links.complete",
  "links.incoming", "tags.list", "tags.notes",
  // A download is reading too: a file's bytes as the owner has them, or fetched by it from S3
  // (then kept on its device, as when it opens the file itself) with its progress.
  "artifacts.download", "files.open", "files.open_version", "files.status",
]);
const TIMEOUT_MS = 5000;
// A file the owner downloads first (files.open*) takes as long as the download.
const SLOW_READS = new Set(["files.open", "files.open_version"]);
const DOWNLOAD_TIMEOUT_MS = 10 * 60 * 1000;
// A page-level read (the semantic search runs in the owner's page: its embedding worker holds
// the model and the vectors) may wait for the owner's model to answer, as it does there.
const PAGE_TIMEOUT_MS = 15000;
const CHANGED_AFTER_MS = 300; // one "changed" for a burst of saves

export class PeerReadError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "PeerReadError";
    this.code = code;
  }
}

export class Peer {
  /**
   * `engine`: the page's Engine — its `ownership` says whether this tab serves reads, and its
   * `call` answers them; `onChanged()` runs in a tab that does not own the workspace when the
   * owner's workspace changed.
   */
  constructor(workspace, engine, onChanged) {
    this.engine = engine;
    this.onChanged = onChanged;
    this.waiting = new Map(); // request id -> {resolve, reject, timer}
    this.changedTimer = null;
    // Reads the owning tab's page answers itself (name -> async (params) => result), beside the
    // engine's READS: set by the UI (web/ui/semantic.mjs registers "page.semantic_search").
    this.pageReads = new Map();
    this.channel = new BroadcastChannel(`quire-reads:${workspace}`);
    this.channel.onmessage = (event) => this.onMessage(event.data);
  }

  static serves(method) {
    return READS.has(method);
  }

  /** Ask the owning tab (an engine read, or a page read by its name); rejects with code
   * `not_owner` when no tab answers in time. */
  ask(method, params) {
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new PeerReadError("not_owner", "This workspace is open in another tab, which does not answer."));
      }, SLOW_READS.has(method) ? DOWNLOAD_TIMEOUT_MS : method.startsWith("page.") ? PAGE_TIMEOUT_MS : TIMEOUT_MS);
      this.waiting.set(id, { resolve, reject, timer });
      this.channel.postMessage({ type: "read", id, method, params });
    });
  }

  /** The owner: tell the other tabs the workspace changed (once per burst of saves). */
  changed() {
    clearTimeout(this.changedTimer);
    this.changedTimer = setTimeout(() => this.channel.postMessage({ type: "changed" }), CHANGED_AFTER_MS);
  }

  async onMessage(message) {
    if (!message || typeof message !== "object") return;
    if (message.type === "read") return this.serve(message);
    if (message.type === "answer") {
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new PeerReadError(message.error?.code || "peer", message.error?.message || "The other tab could not answer."));
      return;
    }
    if (message.type === "changed" && this.engine.ownership !== "owner") this.onChanged?.();
  }

  async serve({ id, method, params }) {
    if (this.engine.ownership !== "owner") return;
    const page = this.pageReads.get(method);
    if (!page && !READS.has(method)) return;
    try {
      const result = page ? await page(params) : await this.engine.read(method, params);
      this.channel.postMessage({ type: "answer", id, ok: true, result });
    } catch (err) {
      this.channel.postMessage({ type: "answer", id, ok: false, error: { code: err?.code || "internal", message: err?.message || String(err) } });
    }
  }
}
