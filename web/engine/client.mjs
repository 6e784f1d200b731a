// The page's handle on the data worker (web/engine/engine.py running in Pyodide via PyScript).
//
// One tab owns the workspace at a time: a Web Lock elects it. Another tab learns that the
// workspace is open "elsewhere" and may ask for it ("Use here"); the owner then closes its
// engine (every acknowledged edit is already durable) and releases the lock.
//
// A tab that does not own the workspace waits for the lock all the while: when the owner goes
// away it learns at once ("free": it holds the lock and offers "Use here"), and its reads are
// answered by the owning tab meanwhile (./peer.mjs), so it shows the workspace read-only.
//
// Events (detail): progress {phase, fraction, message}; ready {schemaVersion, restoredBytes, bootMs};
// saved {generation, ms, at}; save-error {code, message}; ownership {state: owner|elsewhere|released|free};
// peer-changed {} (the owning tab changed the workspace).

import "../vendor/pyscript/core.js";
import { METHODS } from "./methods.mjs";
import { compileRuntime, serveRuntime } from "./runtime.mjs";
import { Peer } from "./peer.mjs";
import { Handovers } from "./handover.mjs";

const here = (path) => new URL(path, import.meta.url).href;
const ENGINE_URL = here("./engine.py");
const PAGESTORE_URL = here("./pagestore.mjs");
// Our Pyodide (web/engine/runtime.mjs): the worker instantiates the WebAssembly this page compiles.
const RUNTIME_URL = here("./runtime.mjs");
const ENGINE_PACKAGES = ["pydantic", "quire-pylib"];
// How long "Use here" waits for the owning tab to step aside (save, close its engine, release
// the lock). A tab that crashed lets go of the lock at once; one that is frozen or stuck never
// answers, and this tab must not write beside it, so it gives up and says so.
const HANDOVER_MS = 10_000;

/** True once `promise` resolves, false if `ms` pass first. */
function within(promise, ms) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  return Promise.race([promise.then(() => true), late]).finally(() => clearTimeout(timer));
}

/**
 * PyScript's worker, created the way its `PyWorker` does (polyscript's XWorker with a Hook),
 * with one addition: a main-thread `onWorker` hook that serves the compiled runtime to the new
 * worker. PyScript's own `hooks.main.onWorker` only runs once a `<script type="py">` has set
 * PyScript's hooks up, and this page has none; `PyWorker` resolves only after the runtime has
 * started, too late to answer the worker's request.
 */
function startWorker(url, options) {
  const polyscript = globalThis[Symbol.for("polyscript")];
  if (!polyscript?.XWorker) throw new Error("PyScript did not load.");
  const { XWorker, Hook } = polyscript;
  const hook = new Hook(null, { main: { onWorker: (_interpreter, worker) => serveRuntime(worker) } });
  return XWorker.call(hook, url, { ...options, type: "pyodide" }).ready;
}

export class EngineError extends Error {
  constructor(code, message, { committed = false, details = {}, result } = {}) {
    super(message);
    this.name = "EngineError";
    this.code = code;
    // What the engine adds to the code (docs/engine-api.md), e.g. {problems: [...]}.
    this.details = details ?? {};
    // True when the call succeeded but the workspace's changes could not be made durable yet;
    // `result` is then the call's own answer (a read's answer is good all the same).
    this.committed = committed;
    this.result = result;
  }
}

export class Engine extends EventTarget {
  constructor({ workspace = "default", chunkSize } = {}) {
    super();
    this.workspace = workspace;
    this.chunkSize = chunkSize;
    this.lockName = `quire-workspace:${workspace}`;
    this.worker = null;
    this.inFlight = 0; // calls waiting for or in the worker
    this.ownership = "none";
    this.seq = 0;
    this.releaseLock = null;
    // Set by the UI: saves whatever is typed but not yet sent, before another tab takes over.
    this.beforeRelease = null;
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.markFailed = reject;
    });
    this.ready.catch(() => {});
    this.channel = new BroadcastChannel(`quire-ownership:${workspace}`);
    this.channel.onmessage = (event) => this.onChannelMessage(event.data);
    this.peer = new Peer(workspace, this, () => this.emit("peer-changed", {}));
    this.lockWait = null; // this tab's one request for the lock while another tab holds it
    this.takingOver = false;
    this.handoverMs = HANDOVER_MS; // browser tests shorten it
    // One handle for benchmarks and browser tests to reach the engine the page uses.
    globalThis.quire = Object.assign(globalThis.quire ?? {}, { engine: this });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // Mirrors the engine's state on <html data-engine="..."> for styling and browser tests.
  setState(state) {
    if (globalThis.document) document.documentElement.dataset.engine = state;
  }

  setOwnership(state) {
    this.ownership = state;
    if (state !== "owner") this.setState(state);
    this.emit("ownership", { state });
  }

  /** Acquire the workspace (or learn it is open elsewhere) and boot the engine. */
  async start() {
    if (!(await this.acquire({ ifAvailable: true }))) {
      this.setOwnership("elsewhere");
      this.watchForRelease();
      return false;
    }
    this.setOwnership("owner");
    await this.boot();
    return true;
  }

  /**
   * "Use here": ask the owning tab to hand over, wait for the lock, then boot in this tab.
   * Rejects with code `handover_timeout` when the owning tab does not let go in time: it keeps
   * the workspace (this tab stays read-only) and ignores the request should it wake up later.
   */
  async takeOver() {
    this.takingOver = true;
    try {
      this.emit("progress", { phase: "handover", fraction: 0.05, message: "Asking the other tab to hand over…" });
      // One lock request per tab: the one waiting since the other tab took it (or the lock
      // this tab already holds, when the other tab has gone).
      if (!this.releaseLock) this.watchForRelease();
      const acquired = this.releaseLock ? Promise.resolve(true) : this.lockWait;
      // The request says until when this tab waits: one delivered later (to a tab that was
      // frozen) is ignored, so the workspace never moves after this tab said it could not.
      this.channel.postMessage({ type: "release-request", until: Date.now() + this.handoverMs });
      if (!(await within(acquired, this.handoverMs))) {
        throw new EngineError("handover_timeout",
          "The other tab did not hand over the workspace (it may be frozen or busy), so it keeps it and this tab stays read-only. Switch to that tab or close it, then try again.");
      }
      this.ready = new Promise((resolve, reject) => {
        this.markReady = resolve;
        this.markFailed = reject;
      });
      this.setOwnership("owner");
    } finally {
      this.takingOver = false;
    }
    await this.boot();
  }

  /** Wait for the lock in the background; when the owner goes away this tab holds it ("free"). */
  watchForRelease() {
    if (this.lockWait) return;
    this.lockWait = this.acquire({ ifAvailable: false }).then((got) => {
      this.lockWait = null;
      if (got && !this.takingOver && this.ownership !== "owner") this.setOwnership("free");
      return got;
    });
  }

  acquire({ ifAvailable }) {
    return new Promise((resolve, reject) => {
      navigator.locks
        .request(this.lockName, { ifAvailable }, (lock) => {
          if (!lock) {
            resolve(false);
            return undefined;
          }
          resolve(true);
          return new Promise((release) => {
            this.releaseLock = release;
          });
        })
        .catch(reject);
    });
  }

  async onChannelMessage(message) {
    if (message?.type !== "release-request") return;
    if (typeof message.until === "number" && Date.now() > message.until) return; // its tab gave up
    if (this.ownership === "owner") {
      await this.release();
    } else if (this.ownership === "free" && !this.takingOver) {
      // Held only because the owner went away: another tab wants it, so it has it.
      this.releaseLock?.();
      this.releaseLock = null;
      this.setOwnership("elsewhere");
      this.watchForRelease();
    }
  }

  /** Save what is pending, close the engine and let another tab own the workspace. */
  async release() {
    this.ownership = "releasing";
    try {
      if (this.beforeRelease) await this.beforeRelease();
    } finally {
      if (this.worker) {
        try {
          await this.worker.sync.close();
        } finally {
          this.worker.terminate();
          this.worker = null;
        }
      }
      this.releaseLock?.();
      this.releaseLock = null;
      this.setOwnership("released");
      this.watchForRelease();
    }
  }

  async boot() {
    const started = performance.now();
    compileRuntime();
    this.setState("booting");
    this.emit("progress", { phase: "runtime", fraction: 0.1, message: "Starting Python…" });
    try {
      // "passthrough" hands the packages to loadPyodide itself, so the wheels download and
      // install while the runtime starts, from our own lock (no micropip, no PyScript cache).
      this.worker = await startWorker(ENGINE_URL, {
        config: { packages: ENGINE_PACKAGES, packages_cache: "passthrough" },
        version: RUNTIME_URL,
        async: true,
      });
      this.worker.sync.progress = (detail) => this.emit("progress", detail);
      this.handovers = new Handovers();
      this.handovers.listen(this.worker);
      const info = await this.worker.sync.boot({
        workspace: this.workspace,
        pagestore_url: PAGESTORE_URL,
        chunk_size: this.chunkSize ?? null,
      });
      const detail = { ...info, bootMs: performance.now() - started, workerBootMs: info.bootMs };
      this.info = detail;
      this.markReady(detail);
      this.setState("ready");
      this.emit("ready", detail);
      this.peer.changed(); // tabs waiting to show the workspace read-only: this one answers now
      // Open, but its first save was refused (a full disk): the page says so and retries.
      if (info.saveError) this.emit("save-error", info.saveError);
      return detail;
    } catch (error) {
      const failure = new EngineError("boot_failed", `Quire could not start: ${error?.message || error}`);
      this.markFailed(failure);
      this.setState("failed");
      throw failure;
    }
  }

  /**
   * Call the engine API (docs/engine-api.md; the methods are web/engine/methods.mjs).
   * Mutations resolve once durable in IndexedDB.
   */
  async call(method, params = {}) {
    if (!Object.hasOwn(METHODS, method)) throw new EngineError("unknown_method", `Unknown method ${String(method)}.`);
    if (!this.worker && this.ownership !== "owner" && this.ownership !== "none" && Peer.serves(method)) {
      return this.peer.ask(method, params); // the owning tab answers reads
    }
    await this.ready;
    if (!this.worker) throw new EngineError("not_owner", "This workspace is open in another tab.");
    const id = ++this.seq;
    // Background work (the semantic indexer) waits until no other call is queued.
    this.inFlight++;
    let answer;
    try {
      answer = await this.worker.sync.call({ id, method, params });
      if (answer.handed_over) answer.result.data = await this.handovers.take(id); // ./handover.mjs
    } finally { this.inFlight--; }
    if (answer.id !== id) throw new EngineError("protocol", `Answer ${answer.id} for request ${id}.`);
    if (answer.saved) {
      this.emit("saved", { ...answer.saved, at: Date.now() });
      this.peer.changed();
    }
    if (!answer.ok) {
      if (answer.save_error) this.emit("save-error", answer.save_error);
      throw new EngineError(answer.error.code, answer.error.message, { details: answer.error.details });
    }
    // Large listings come as the JSON text SQLite built (pylib/rpc.py): parsing it here is far
    // cheaper than converting the objects one by one in the worker.
    const result = answer.result_json !== undefined ? JSON.parse(answer.result_json) : answer.result;
    if (answer.save_error) {
      this.emit("save-error", answer.save_error);
      const { code, message, details } = answer.save_error;
      throw new EngineError(code, message, { committed: true, details, result });
    }
    return result;
  }

  /**
   * A call made for its answer: like `call`, except that it still answers while earlier changes
   * wait for room to be saved (a full disk) — the "save-error" event has told the page, which
   * retries the save by itself.
   */
  async read(method, params = {}) {
    try {
      return await this.call(method, params);
    } catch (err) {
      if (err instanceof EngineError && err.committed) return err.result;
      throw err;
    }
  }

  /** Persistent-storage status and quota; asks the browser to keep our data once. */
  async storageEstimate() {
    const storage = navigator.storage;
    if (!storage) return { persisted: false, quota: null, usage: null };
    let persisted = (await storage.persisted?.()) ?? false;
    if (!persisted && storage.persist) persisted = await storage.persist();
    const { quota = null, usage = null } = (await storage.estimate?.()) ?? {};
    return { persisted, quota, usage };
  }
}
