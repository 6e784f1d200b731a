// Workspace upkeep: stepped engine tasks (cleanup, compaction) with progress, and the idle
// scheduler that runs what the engine says is due (care.status → due) in the background.
//
// Each step is one engine call and one transaction, so the editor's saves go in between the
// steps: a long cleanup never holds up typing, and leaving the page mid-way loses nothing.

import { showTask, hideTask } from "./notifications.mjs";

// Idle means no key or pointer input for this long; then the scheduler looks for due work.
export const IDLE_MS = 20_000;
// ... and it asks at most this often.
export const POLL_MS = 10 * 60_000;

/**
 * Run `method` step by step until a step says `done`. `next(step)` gives the next call's
 * params; `label` shows progress in the status bar (null: quiet). Resolves to the steps' results.
 */
export async function runSteps(session, method, params, { label = null, next, progress, background = false } = {}) {
  const results = [];
  let current = params;
  try {
    for (;;) {
      if (label) showTask(label, results.length ? results[results.length - 1].progress ?? null : 0);
      const step = await session.mutate(method, current, { quiet: true, background });
      results.push(step);
      if (progress) progress(step, results);
      if (step.done) return results;
      current = next(step);
      // Let the page handle input and the editor save between two steps.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    if (label) hideTask();
  }
}

export function cleanupSteps(session, params = {}, opts = {}) {
  return runSteps(session, "care.cleanup", { ...params, cursor: "" },
    { ...opts, next: (step) => ({ ...params, cursor: step.cursor }) });
}

export function compactSteps(session, opts = {}) {
  return runSteps(session, "care.compact", {}, {
    ...opts, next: () => ({}),
    progress: (step, all) => {
      const first = all[0];
      step.progress = first.free_bytes ? 1 - step.free_bytes / Math.max(first.free_bytes, 1) : 1;
      opts.progress?.(step, all);
    },
  });
}

/** Sum what a cleanup's steps removed. */
const counted = (n, one, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/** "Removed 3 versions, 1 trashed item, 0 activity entries" for a `totalRemoved` sum. */
export function describeRemoved(t) {
  return `Removed ${counted(t.versions, "version")}, ${counted(t.trash_items, "trashed item")}, ${counted(t.activity, "activity entry", "activity entries")}`;
}

export function totalRemoved(steps) {
  const sum = { versions: 0, trash_items: 0, activity: 0, skipped: [] };
  for (const s of steps) {
    for (const k of ["versions", "trash_items", "activity"]) sum[k] += s.removed?.[k] || 0;
    sum.skipped.push(...(s.skipped || []));
  }
  return sum;
}

/**
 * The background scheduler: when the owner tab has been idle for IDLE_MS, ask what is due and
 * run it quietly. `onProblem(result)` hears of a failed integrity check.
 */
export class Upkeep {
  /** `unsaved()`: the editor holds text not yet durable (upkeep waits for it). */
  constructor({ session, store, onProblem, unsaved = () => false }) {
    Object.assign(this, { session, store, onProblem, unsaved });
    this.lastInput = Date.now();
    this.lastPoll = 0;
    this.running = false;
    for (const type of ["keydown", "pointerdown", "input"]) {
      window.addEventListener(type, () => { this.lastInput = Date.now(); }, { capture: true, passive: true });
    }
    this.timer = setInterval(() => this.tick(), 5_000);
  }

  async tick(force = false) {
    const { store } = this;
    if (this.running || !store.canWrite()) return;
    // The user's changes first: nothing runs while one is on its way or storage refuses them
    // (a check of a big workspace is one long engine call, and the save that storage takes
    // again once there is room would wait behind it).
    if (store.state.pending > 0 || store.state.saveError || this.unsaved()) return;
    const now = Date.now();
    if (!force && (now - this.lastInput < IDLE_MS || now - this.lastPoll < POLL_MS)) return;
    this.running = true;
    this.lastPoll = now;
    try {
      const status = await this.session.call("care.status", {});
      for (const job of status.due) await this.run(job);
    } catch (err) {
      console.warn("workspace upkeep", err);
    } finally {
      this.running = false;
    }
  }

  async run(job) {
    if (job === "check") {
      const result = await this.session.mutate("care.check", {}, { quiet: true, background: true });
      // One notice per problem found, not one per background check that finds it again.
      const key = `${result.problem_count}:${result.problems?.[0]?.message}`;
      if (!result.ok && key !== this.reported) this.onProblem?.(result);
      this.reported = result.ok ? null : key;
    } else if (job === "cleanup") {
      await cleanupSteps(this.session, {}, { background: true });
    } else if (job === "dictionary") {
      await this.session.mutate("care.train_dictionary", {}, { quiet: true, background: true });
    } else if (job === "compact") {
      await compactSteps(this.session, { background: true });
    }
  }
}
