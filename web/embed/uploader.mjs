// Keeps the server's vector index (Qdrant through the proxy, /api/vectors/*) in step with the
// local one while the user is signed in and "Server-side semantic index" is on. The queue is
// the engine's (`vectors.outbox`: what the server lacks or must drop, kept in the workspace,
// so it survives reloads); a batch is acknowledged (`vectors.acknowledge`) only after the
// server answered 200. Failures wait and retry: 401 until signed in again, 413 with smaller
// batches, 429, 5xx and offline with backoff. A point's payload is the document's id and the
// chunk number only: no text leaves the device.

const BACKOFF_MS = [2000, 5000, 15000, 30000, 60000, 120000];
const IDLE_MS = 30000;
const SETTING = "quire.serverIndex";

export class ServerError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function post(path, body) {
  return send(path, {
    method: "POST", headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
}

async function send(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", cache: "no-store", ...options });
  } catch {
    throw new ServerError(0, "offline");
  }
  if (!response.ok) throw new ServerError(response.status, `${path} answered ${response.status}`);
  return response.json();
}

/** Whether the user wants the server-side index (on unless turned off). */
export function serverIndexWanted() {
  try { return localStorage.getItem(SETTING) !== "off"; } catch { return true; }
}

export class Uploader {
  /** `engine`: {call}; `canWrite()`: this tab owns the workspace. */
  constructor({ engine, canWrite = () => true }) {
    Object.assign(this, { engine, canWrite });
    this.batch = 64;
    this.signedIn = false;
    this.failures = 0;
    this.stopped = false;
    this.wakeUp = null;
    this.lastError = null;
  }

  get active() {
    return this.signedIn && serverIndexWanted() && navigator.onLine !== false;
  }

  async checkSignedIn() {
    try {
      const res = await fetch("/api/auth/me", { cache: "no-store", credentials: "same-origin" });
      this.signedIn = res.ok && (await res.json()).signed_in === true;
    } catch {
      this.signedIn = false;
    }
    return this.signedIn;
  }

  wake() { this.wakeUp?.(); }

  stop() { this.stopped = true; this.wake(); }

  wait(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => { clearTimeout(timer); resolve(); };
    });
  }

  /** Send one batch of the queue; returns how many operations it held (0: nothing to do). */
  async step() {
    const box = await this.engine.call("vectors.outbox", { limit: this.batch });
    if (!box.remaining) return 0;
    if (box.upserts.length) {
      await post("/api/vectors/upsert", { points: box.upserts.map((u) => ({
        id: u.id, vector: u.vector, payload: { artifact_id: u.artifact_id, chunk: u.chunk } })) });
    }
    for (const artifact_id of box.deletes) await post("/api/vectors/delete", { artifact_id });
    if (box.stale.length) await post("/api/vectors/delete", { ids: box.stale });
    await this.engine.call("vectors.acknowledge", {
      upserted: box.upserts.map(({ artifact_id, chunk, chunk_id }) => ({ artifact_id, chunk, chunk_id })),
      deleted: box.deletes, stale: box.stale,
    });
    return box.remaining;
  }

  failed(error) {
    this.lastError = error;
    if (error.status === 401) this.signedIn = false;
    if (error.status === 413) this.batch = Math.max(1, Math.floor(this.batch / 2));
    return BACKOFF_MS[Math.min(this.failures++, BACKOFF_MS.length - 1)];
  }

  async run() {
    await this.checkSignedIn();
    while (!this.stopped) {
      if (!this.canWrite() || !serverIndexWanted()) { await this.wait(IDLE_MS); continue; }
      if (!this.signedIn && !(await this.checkSignedIn())) { await this.wait(IDLE_MS); continue; }
      try {
        const sent = await this.step();
        this.failures = 0;
        if (!sent) await this.wait(IDLE_MS);
      } catch (error) {
        await this.wait(this.failed(error));
      }
    }
  }

  /** Turn the server-side index off (and delete every vector of this user there, from all
   * their devices, in one request) or on again. Off is stored first, so nothing is uploaded
   * meanwhile; if the delete fails, the error is thrown and a second try deletes again. */
  async setWanted(on) {
    try { localStorage.setItem(SETTING, on ? "on" : "off"); } catch { /* private mode */ }
    if (on) { this.wake(); return; }
    const { deletes } = await this.engine.call("vectors.forget", {});
    await post("/api/vectors/delete", { all: true });
    await this.engine.call("vectors.acknowledge", { deleted: deletes });
  }

  /** What the server holds for this user: {points}. Throws ServerError (status 0: offline). */
  summary() {
    return send("/api/vectors/summary", { headers: { accept: "application/json" } });
  }

  /** The server's nearest chunks to a query vector: [{artifact, chunk, score}], or [] when inactive. */
  async query(vector, k = 50) {
    if (!this.active) return [];
    try {
      const { results } = await post("/api/vectors/query", { vector: Array.from(vector), limit: Math.min(k, 100) });
      return results.map((r) => ({ artifact: r.payload.artifact_id, chunk: r.payload.chunk, score: r.score }));
    } catch (error) {
      this.failed(error);
      return [];
    }
  }
}
