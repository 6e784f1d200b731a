// The background indexer embeds one chunk per call while the person is at the page (a call
// in flight runs to its end, sharing the cores with their typing), and four once the page has
// been left alone; every chunk asked for is embedded and stored once either way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Indexer, ACTIVE_MS } from "../../web/embed/indexer.mjs";

function setup(sinceInput) {
  const chunks = Array.from({ length: 9 }, (_, i) => ({ id: `c${i}`, artifact_id: "a", text: `chunk ${i}` }));
  const stored = [];
  const engine = {
    inFlight: 0,
    async call(method, params) {
      if (method === "embeddings.pending") return { chunks: stored.length ? [] : chunks, model: "m", progress: {} };
      if (method === "embeddings.store") { stored.push(...params.vectors.map((v) => v.id)); return {}; }
      if (method === "embeddings.vectors") return { items: [], data: new Uint8Array(0) };
      throw new Error(method);
    },
  };
  const calls = [];
  const embedder = {
    lanes: 1,
    async embed(texts) { calls.push(texts.length); return new Float32Array(texts.length * 384).fill(0.05); },
    async drop() {}, async put() {},
  };
  return { indexer: new Indexer({ engine, embedder, sinceInput }), calls, stored, chunks };
}

test("one chunk per call while the person is at the page", async () => {
  const { indexer, calls, stored, chunks } = setup(() => ACTIVE_MS / 2);
  assert.equal(await indexer.step(), true);
  assert.deepEqual(calls, Array(9).fill(1));
  assert.deepEqual(stored, chunks.map((c) => c.id));
});

test("four per call once the page has been left alone", async () => {
  const { indexer, calls, stored, chunks } = setup(() => ACTIVE_MS + 1);
  assert.equal(await indexer.step(), true);
  assert.deepEqual(calls, [4, 4, 1]);
  assert.deepEqual(stored, chunks.map((c) => c.id));
});
