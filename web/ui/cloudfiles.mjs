// Large files on the page: the upload queue's driver and progress, and reading a file wherever
// its bytes are. The queue itself runs in the engine's worker (pylib/blobs/service.py): this
// module asks it to run when there is something to send (and again when the browser comes back
// online), polls its progress into the status bar, and says in the status bar when files wait
// for the workspace key ("Unlock" opens web/ui/keys.mjs). A file over 1 MB is saved on this
// device at once (files.add: outside the SQLite file once the key is unlocked); the engine
// encrypts and uploads it from there, so it survives a reload, a closed tab and being offline.
// When a run stopped because the server could not be reached, its /healthz is asked now and
// then, and the queue starts again as soon as it answers (the backoff is for a server that
// answers but fails).

import { h, formatBytes } from "./dom.mjs";
import { showTask, hideTask } from "./notifications.mjs";

const IDLE_MS = 4000; // how often the queue is looked at while nothing runs
const BUSY_MS = 700; // ... and while it uploads
const PROBE_MS = 3000; // how often an unreachable server is asked whether it is back
const DOWNLOAD_POLL_MS = 250; // how often a download's progress is looked at
const UNREACHABLE = ["unavailable", "network_error"]; // a run stopped for these: ask /healthz
// Why a run stopped, in words (the rest just wait).
const STOPPED_TEXT = { unavailable: "cannot reach the server", network_error: "cannot reach the server",
  not_signed_in: "sign in to upload" };

/** Fired on `window` when an upload run ends. */
export const FILES_CHANGED = "quire:files-changed";

const STATE_TEXT = {
  waiting: "Kept on this device — waiting to upload",
  uploading: "Saved on this device — uploading",
  on_device: "On this device and in the cloud (encrypted)",
  cloud_only: "In the cloud only — downloaded when opened",
};

/** A file's bytes `{name, mime_type, data}`: inline, on this device, or downloaded and verified;
 * `onProgress({done, total})` hears how a download goes (plaintext bytes). */
export async function readFile(session, id, onProgress = null) {
  try {
    return await session.call("artifacts.download", { id });
  } catch (err) {
    if (err?.code !== "file_elsewhere") throw err;
  }
  return watched(session, id, () => session.call("files.open", { id }), onProgress);
}

/** One version's bytes `{name, mime_type, data}` (files.open_version: a large file's old
 * version from this device or downloaded and verified), its download shown as `readFile`'s. */
export function readVersion(session, versionId, onProgress = null) {
  return watched(session, versionId, () => session.call("files.open_version", { version_id: versionId }), onProgress);
}

// Runs `read()` while the engine's progress for `key` (files.status `downloads`) goes to `onProgress`.
async function watched(session, key, read, onProgress) {
  if (!onProgress) return read();
  let finished = false;
  const watch = async () => {
    while (!finished) {
      try {
        const moved = (await session.call("files.status", {})).downloads?.[key];
        if (moved && !finished) onProgress(moved);
      } catch { /* progress is a nicety: the download itself answers */ }
      await new Promise((resolve) => setTimeout(resolve, DOWNLOAD_POLL_MS));
    }
  };
  watch();
  try {
    return await read();
  } finally {
    finished = true;
  }
}

/** `readFile` with its progress in the status bar's task area ("Downloading x — 12 MB of 40 MB"). */
export function readFileShowingProgress(session, id, name) {
  return showingProgress(name, (onProgress) => readFile(session, id, onProgress));
}

/** `readVersion` with its progress in the status bar's task area. */
export function readVersionShowingProgress(session, versionId, name) {
  return showingProgress(name, (onProgress) => readVersion(session, versionId, onProgress));
}

async function showingProgress(name, read) {
  let shown = false;
  try {
    return await read(({ done, total }) => {
      shown = true;
      showTask(`Downloading ${name} — ${formatBytes(done)} of ${formatBytes(total)}`, total ? done / total : null);
    });
  } finally {
    if (shown) hideTask();
  }
}

/** Where a large file's bytes are: `{state, text}` (both null for a file that is not a large one). */
export async function fileState(session, id) {
  const rows = await session.call("files.list", {});
  const row = rows.find((r) => r.id === id);
  return row ? { state: row.state, text: STATE_TEXT[row.state] } : { state: null, text: null };
}

export class CloudFiles {
  /** `session`: the page's Session; `store`: the page's Store (`state.ready`). */
  constructor({ session, store, openEncryption }) {
    this.session = session;
    this.store = store;
    this.openEncryption = openEncryption;
    this.status = null;
    this.timer = null;
    this.el = null;
  }

  /** Start watching the queue (once the workspace is ready). */
  start() {
    window.addEventListener("online", () => this.kick(true));
    this.tick();
  }

  async kick(retryNow = false) {
    try {
      this.show(await this.session.call("files.sync", { retry_now: retryNow }));
    } catch { /* the next tick tries again */ }
  }

  async tick() {
    clearTimeout(this.timer);
    try {
      const status = await this.session.call("files.status", {});
      this.show(status);
      if (!status.running && status.waiting.count && status.unlocked && navigator.onLine) {
        await this.kick(UNREACHABLE.includes(status.stopped) && await this.serverBack());
      }
    } catch { /* not the owning tab, or the engine is busy: look again later */ }
    const busy = this.status?.running || (this.status?.waiting.count && this.status?.unlocked);
    this.timer = setTimeout(() => this.tick(), busy ? BUSY_MS : IDLE_MS);
  }

  /** Whether the server answers again (asked at most every PROBE_MS). */
  async serverBack() {
    if (Date.now() - (this.probedAt || 0) < PROBE_MS) return false;
    this.probedAt = Date.now();
    try {
      return (await fetch("/healthz", { cache: "no-store" })).ok;
    } catch {
      return false;
    }
  }

  show(status) {
    this.status = status;
    const waiting = status.waiting;
    if (status.running && status.overall_total) {
      showTask(`Uploading ${waiting.count} file${waiting.count === 1 ? "" : "s"} (encrypted)…`,
        status.overall_done / status.overall_total);
      this.line(`Uploading ${formatBytes(status.overall_done)} of ${formatBytes(status.overall_total)}`);
      this.uploading = true;
      return;
    }
    if (this.uploading) hideTask();
    this.uploading = false;
    const sent = this.waitingBefore !== undefined && waiting.count < this.waitingBefore;
    this.waitingBefore = waiting.count;
    // The tree's "local" mark and the file card say where the bytes are: tell them they moved.
    if (sent) window.dispatchEvent(new Event(FILES_CHANGED));
    if (!waiting.count) return this.line(null);
    const what = `${waiting.count} file${waiting.count === 1 ? "" : "s"} waiting to upload`;
    if (!status.unlocked) return this.line(`${what}: set up or unlock encryption`, true);
    const why = !navigator.onLine ? "offline" : STOPPED_TEXT[status.stopped];
    this.line(why ? `${what} (${why})` : what);
  }

  /** The status bar's note about files (created on first use, next to the other states). */
  line(text, askKey = false) {
    if (!this.el) {
      const bar = document.getElementById("index-state");
      if (!bar) return;
      this.el = h("span", { class: "status-sep", id: "files-state" });
      bar.after(this.el);
    }
    this.el.hidden = !text;
    this.el.replaceChildren(text || "");
    if (text && askKey) {
      this.el.append(" ", h("button", { type: "button", class: "btn btn-quiet btn-small",
        onclick: () => this.openEncryption().then(() => this.tick()) }, "Unlock"));
    }
  }
}
