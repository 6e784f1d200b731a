// Sync in the page: when to run a round, and what the sync indicator in the status bar says.
//
// The engine's SyncService (pylib/sync/service.py) decides what is due — a round soon after an
// edit (debounced), at once on focus and on coming online, a poll of the manifest while the page
// is visible, backing off after errors, never while offline. This module drives it: it reports
// focus, visibility and connectivity, and calls `sync.tick` whenever the status it got back asks
// to be woken (`wake_in_ms`). One call at a time; a round awaits the network in the worker while
// every other call (typing, saving) goes on, so sync never holds typing up.
//
// Only the tab that owns the workspace syncs (others follow its saves as before). After a round
// that took changes from another device, the tree and the open document are read again; notes
// both devices changed in the same lines are announced, with a way to open their history.

import { $, h, formatClock } from "./dom.mjs";
import { ConflictNotice } from "./syncconflicts.mjs";

const KEY_STATES = new Set(["key_missing"]); // no key here yet: the button opens the encryption screens
const STATUS_AFTER_SAVE_MS = 150; // a burst of saves asks for the status once (the round follows the save closely)

/** The indicator's words for a status (`text` comes from the engine; "Synced" gets its time). */
export function indicatorText(status) {
  if (status.state === "synced" && status.last_synced) return `Synced · ${formatClock(status.last_synced)}`;
  return status.text;
}

export class SyncIndicator {
  /**
   * `engine`: the engine client (call(), its "saved" and "ownership" events); `store`: the page's
   * store (ownership, ready); `documents`: {refreshTree(), reloadOpen()}; `history(artifact)`
   * opens a note's history; `tree`: {byId(id)}.
   */
  constructor({ engine, store, documents, history, tree }) {
    Object.assign(this, { engine, store, documents });
    this.conflicts = new ConflictNotice({ history, tree });
    this.status = null;
    this.timer = null;
    this.running = null; // the call in flight, if any
    this.again = null; // what to call once it ends
    this.build();
    engine.addEventListener("saved", () => this.soon());
    engine.addEventListener("ownership", () => this.ownershipChanged());
    // After "Use here" the engine boots again in this tab: sync resumes (not before the first boot).
    engine.addEventListener("ready", () => { if (this.status) setTimeout(() => this.start()); });
    addEventListener("focus", () => this.event("focus"));
    addEventListener("online", () => this.event("online"));
    addEventListener("offline", () => this.event("offline"));
    document.addEventListener("visibilitychange", () => this.event(document.hidden ? "hidden" : "visible"));
    globalThis.quire = Object.assign(globalThis.quire ?? {}, { sync: this });
  }

  build() {
    this.text = h("span", { class: "sync-text", id: "sync-text" }, "");
    this.button = h("button", { type: "button", class: "btn btn-quiet sync-now", id: "sync-now" }, "Sync now");
    this.button.addEventListener("click", async () => {
      if (!KEY_STATES.has(this.status?.state)) { this.now(); return; }
      await window.quire.openEncryption?.(); // web/ui/keys.mjs: set up or unlock, then sync
      this.now();
    });
    // Not a second role="status": the status bar's one live region is #status; this text is its own.
    this.text.setAttribute("aria-live", "polite");
    this.el = h("div", { class: "sync", id: "sync", hidden: true },
      h("span", { class: "sync-dot", "aria-hidden": "true" }), this.text, this.button);
    $(".statusbar").append(this.el);
  }

  owner() {
    return this.store.state.ownership === "owner" && this.engine.worker;
  }

  /** The engine is ready in this tab: report connectivity and run the first round. */
  start() {
    if (!this.owner()) return;
    this.el.hidden = false;
    this.call("sync.event", { kind: navigator.onLine ? "online" : "offline" });
    this.call("sync.tick", {}); // runs right after: finds the key, or syncs at once
  }

  ownershipChanged() {
    if (this.store.state.ownership === "owner") return; // start() follows once the engine is ready
    clearTimeout(this.timer);
    this.el.hidden = true;
  }

  event(kind) {
    if (this.owner() && this.status) this.call("sync.event", { kind });
  }

  /** "Sync now" / "Try again": a round at once, whatever the schedule says. */
  now() {
    this.call("sync.tick", { now: true });
  }

  soon() {
    if (!this.owner() || !this.status || this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.call("sync.status", {}), STATUS_AFTER_SAVE_MS);
  }

  /** One call to the sync service at a time; a call asked for meanwhile runs right after. */
  async call(method, params) {
    if (this.running) {
      // "now" and events must not be lost; a status or a scheduled tick may be folded in.
      if (!this.again || method !== "sync.status") this.again = [method, params];
      return this.running;
    }
    clearTimeout(this.timer);
    this.running = this.run(method, params);
    try {
      await this.running;
    } finally {
      this.running = null;
      const next = this.again;
      this.again = null;
      if (next) this.call(...next);
      else this.schedule();
    }
  }

  async run(method, params) {
    if (!this.owner()) return;
    if (method === "sync.tick") this.show({ ...(this.status || {}), state: "syncing", text: "Syncing…" });
    let status;
    try {
      status = await this.engine.call(method, params);
    } catch (err) {
      status = { ...(this.status || {}), state: "failed", retry: true, wake_in_ms: 30_000,
        text: `Sync failed: ${err?.message || err}`, pulled: 0, conflicts: [] };
    }
    this.show(status);
    // Not awaited: the next round never waits for the views.
    if (status.pulled > 0 || status.indexed) this.follow();
    if (status.conflicts?.length) this.conflicts.announce(status.conflicts);
  }

  /** Show what another device changed: the tree, and the open document (typing is kept). */
  async follow() {
    if (this.following) { this.followAgain = true; return; }
    this.following = true;
    try {
      do {
        this.followAgain = false;
        await this.documents.refreshTree();
        await this.documents.reloadOpen();
      } while (this.followAgain);
    } catch (err) {
      console.warn("Could not show the synced changes:", err);
    } finally {
      this.following = false;
    }
  }

  schedule() {
    clearTimeout(this.timer);
    const wake = this.status?.wake_in_ms;
    if (!this.owner() || wake === null || wake === undefined) return;
    this.timer = setTimeout(() => this.call("sync.tick", {}), Math.max(50, wake));
  }

  show(status) {
    this.status = status;
    this.el.dataset.state = status.state;
    this.text.textContent = indicatorText(status);
    this.el.title = status.waiting ? `${status.waiting} change${status.waiting === 1 ? "" : "s"} not yet on your other devices` : "";
    const busy = status.state === "syncing";
    const keys = KEY_STATES.has(status.state);
    const canRun = !["offline", "signed_out"].includes(status.state);
    this.button.hidden = busy || !canRun;
    this.button.textContent = keys ? (status.key === "locked" ? "Unlock…" : "Set up encryption…")
      : status.retry ? "Try again" : "Sync now";
  }
}
