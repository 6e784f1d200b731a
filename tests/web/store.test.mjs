// The page's store (web/ui/store.mjs): state, named events, batches. Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

import { Store, initialState } from "../../web/ui/store.mjs";

function record(store, ...events) {
  const seen = [];
  for (const event of events) store.on(event, (detail) => seen.push([event, detail]));
  return seen;
}

test("a new store starts not ready, owning the workspace, and cannot write", () => {
  const store = new Store();
  assert.deepEqual(store.state, initialState());
  assert.equal(store.isReady(), false);
  assert.equal(store.canWrite(), false);
});

test("becoming ready emits role-changed, then save-status, and allows writing", () => {
  const store = new Store();
  const seen = record(store, "role-changed", "save-status");
  store.set({ ready: true });
  assert.deepEqual(seen, [["role-changed", { ready: true, ownership: "owner" }], ["save-status", undefined]]);
  assert.equal(store.canWrite(), true);
});

test("another tab owning the workspace makes this one read-only", () => {
  const store = new Store({ ...initialState(), ready: true });
  const roles = [];
  store.on("role-changed", (d) => roles.push(d.ownership));
  store.set({ ownership: "elsewhere" });
  assert.deepEqual(roles, ["elsewhere"]);
  assert.equal(store.canWrite(), false);
  assert.equal(store.isReady(), false);
});

test("setting a value it already has emits nothing", () => {
  const store = new Store();
  const seen = record(store, "role-changed", "save-status");
  store.set({ ownership: "owner", ready: false, booted: false });
  assert.deepEqual(seen, []);
});

test("save keys emit save-status only; other keys emit nothing", () => {
  const store = new Store();
  const seen = record(store, "role-changed", "save-status");
  store.set({ pending: 1 });
  store.set({ saveError: { code: "quota_exceeded" } });
  store.set({ booted: true });
  assert.deepEqual(seen.map(([e]) => e), ["save-status", "save-status"]);
  assert.equal(store.state.booted, true);
});

test("named events reach their listeners with their detail, in subscription order", () => {
  const store = new Store();
  const order = [];
  store.on("document-opened", (d) => order.push(["first", d.id]));
  store.on("document-opened", (d) => order.push(["second", d.id]));
  store.on("workspace-changed", () => order.push(["other"]));
  store.emit("document-opened", { id: "a1" });
  assert.deepEqual(order, [["first", "a1"], ["second", "a1"]]);
});

test("unsubscribing stops the events", () => {
  const store = new Store();
  const seen = [];
  const off = store.on("save-status", () => seen.push(1));
  store.emit("save-status");
  off();
  store.emit("save-status");
  assert.equal(seen.length, 1);
});

test("a listener that throws does not stop the others", (t) => {
  const store = new Store();
  t.mock.method(console, "error", () => {});
  const seen = [];
  store.on("save-status", () => { throw new Error("broken panel"); });
  store.on("save-status", () => seen.push("status shown"));
  store.emit("save-status");
  assert.deepEqual(seen, ["status shown"]);
  assert.equal(console.error.mock.callCount(), 1);
});

test("a batch holds events until it ends and emits each once, with the final state", () => {
  const store = new Store({ ...initialState(), ready: true, booted: true });
  const seen = [];
  store.on("role-changed", (d) => seen.push(["role", { ...d }, store.canWrite()]));
  store.on("save-status", () => seen.push(["status"]));
  store.batch(() => {
    store.set({ ownership: "released" });
    store.set({ ownership: "owner" });
    store.set({ ready: false });
    assert.deepEqual(seen, [], "nothing is emitted inside the batch");
  });
  assert.deepEqual(seen, [["role", { ready: false, ownership: "owner" }, false], ["status"]]);
});

test("a batch emits distinct named events in order, and even when its function throws", () => {
  const store = new Store();
  const seen = record(store, "document-opening", "document-opened");
  assert.throws(() => store.batch(() => {
    store.emit("document-opening", { id: "a" });
    store.emit("document-opened", { id: "a" });
    throw new Error("stop");
  }), /stop/);
  assert.deepEqual(seen, [["document-opening", { id: "a" }], ["document-opened", { id: "a" }]]);
});
