// Starting the workspace: the boot card's progress while the engine starts, the first view once
// it is ready (the tree and the document open last time), and the same again when the tab
// takes the workspace back from another tab. Later progress (import, export) shows as a task.

import { $ } from "./dom.mjs";
import { setSaveState, showError, showTask, hideTask } from "./notifications.mjs";

const BOOT_PHASES = {
  runtime: "Starting Python…", packages: "Loading packages…", restore: "Opening your workspace…",
  migrate: "Upgrading the workspace…", ready: "Ready",
};

/** Load the engine client; null (and the boot card says why) when it cannot load. */
export async function loadEngine() {
  try {
    const { Engine } = await import("../engine/client.mjs");
    return new Engine();
  } catch (err) {
    bootFailed(err, "Could not load the engine");
    return null;
  }
}

export class Boot {
  /** `documents`: {refreshTree(), reloadOpen(), openLast()}; `engine`: its progress/ready events. */
  constructor({ store, engine, documents }) {
    this.store = store;
    this.engine = engine;
    this.documents = documents;
    // The empty state's words, which the ownership banner may replace until the engine is ready.
    this.emptyTitle = $("#empty-title").textContent;
    this.emptyText = [...$("#empty-text").childNodes].map((n) => n.cloneNode(true));
    engine.addEventListener("progress", (e) => this.progress(e.detail || {}));
    engine.addEventListener("ready", (e) => this.ready(e.detail));
  }

  /** Start the engine; the boot card says so if the workspace cannot open. */
  async start() {
    try {
      await this.engine.start();
    } catch (err) {
      bootFailed(err, "Could not open the workspace");
    }
  }

  progress({ phase, fraction, message }) {
    if (phase === "import" || phase === "export") {
      showTask(message || (phase === "import" ? "Importing…" : "Exporting…"), fraction);
      return;
    }
    if (this.store.state.booted && phase !== "ready") {
      showTask(message || BOOT_PHASES[phase] || "Working…", fraction);
      return;
    }
    const bar = $("#boot-progress");
    if (typeof fraction === "number") bar.value = Math.max(0, Math.min(1, fraction));
    $("#boot-message").textContent = message || BOOT_PHASES[phase] || "Starting…";
  }

  async ready(detail) {
    const { store, documents } = this;
    const again = store.state.booted;
    store.set({ booted: true });
    $("#empty-title").textContent = this.emptyTitle;
    $("#empty-text").replaceChildren(...this.emptyText.map((n) => n.cloneNode(true)));
    hideTask();
    $("#boot").hidden = true;
    $("#app").dataset.state = "ready";
    // Taken back from another tab, or shown read-only from it until now: show what it saved
    // before this tab edits again.
    const shown = again || Boolean(documents.editor.current);
    if (shown) {
      await documents.refreshTree();
      await documents.reloadOpen();
    }
    store.set({ ready: true, viewing: false });
    if (!shown) {
      await documents.refreshTree();
      await documents.openLast();
    }
    store.emit("save-status");
    if (detail && typeof detail.bootMs === "number") console.info(`Quire ready in ${Math.round(detail.bootMs)} ms`);
  }
}

function bootFailed(err, what) {
  $("#boot-message").textContent = "Quire could not start.";
  $("#boot-progress").value = 0;
  setSaveState("error", { message: "Not started" });
  showError(err, what);
}
