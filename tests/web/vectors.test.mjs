// The vector index's two scans (WebAssembly SIMD and scalar JavaScript) rank the same chunks,
// with the same scores to within the query's int16 rounding, across growth and drops.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VectorIndex, DIMS, quantize } from "../../web/embed/vectors.mjs";

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
const unit = () => {
  const v = Float32Array.from({ length: DIMS }, random);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};

function filled(simd, rows) {
  const index = new VectorIndex({ simd });
  seed = 7;
  for (let start = 0; start < rows; start += 500) {
    const items = [], data = new Int8Array(500 * DIMS);
    for (let i = 0; i < 500; i++) {
      const q = quantize(unit());
      data.set(q.data, i * DIMS);
      items.push({ artifact: `doc${(start + i) >> 2}`, chunk: (start + i) & 3, scale: q.scale });
    }
    index.put(items, data);
  }
  return index;
}

test("the SIMD scan is used and agrees with the scalar scan, also after growth and a drop", () => {
  const fast = filled(true, 3000), slow = filled(false, 3000);
  assert.ok(fast.simd, "WebAssembly SIMD is available under Node");
  assert.ok(fast.capacity >= 3000);
  for (const index of [fast, slow]) index.drop(["doc3", "doc100"]);
  const query = unit();
  const a = fast.query(query, 20), b = slow.query(query, 20);
  assert.equal(a.length, 20);
  assert.ok(!a.some((hit) => hit.artifact === "doc3" || hit.artifact === "doc100"));
  assert.deepEqual(a.slice(0, 5).map((h) => h.artifact + h.chunk), b.slice(0, 5).map((h) => h.artifact + h.chunk));
  a.forEach((hit, i) => assert.ok(Math.abs(hit.score - b[i].score) < 1e-3, `score ${i}`));
});

test("a row's own vector is its best match, and `exclude` leaves out its artifact", () => {
  const index = filled(true, 1000);
  seed = 7;
  for (let i = 0; i < 41; i++) unit();
  const own = unit(); // row 41: doc10, chunk 1
  assert.deepEqual([index.query(own, 1)[0].artifact, index.query(own, 1)[0].chunk], ["doc10", 1]);
  assert.ok(index.query(own, 1)[0].score > 0.99);
  assert.notEqual(index.query(own, 5, "doc10")[0].artifact, "doc10");
});
