// bench/engine_semantic_query.py's JavaScript half: the embedding worker's index
// (web/embed/vectors.mjs: int8 rows, WebAssembly SIMD dot products, a top-k heap) against two
// same-run baselines over the same N random unit vectors: the same index with the scalar
// JavaScript loop (the worker before SIMD), and float32 rows ranked by a full sort. Prints
// JSON timings (ms).
import { VectorIndex, DIMS, quantize } from "../../web/embed/vectors.mjs";

const [n, queries, k] = process.argv.slice(2).map(Number);
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
const unit = () => {
  const v = Float32Array.from({ length: DIMS }, random);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};

const index = new VectorIndex();
const scalar = new VectorIndex({ simd: false });
if (!index.simd) throw new Error("WebAssembly SIMD is unavailable");
const floats = new Float32Array(n * DIMS);
const batch = 1000;
for (let start = 0; start < n; start += batch) {
  const items = [], data = new Int8Array(Math.min(batch, n - start) * DIMS);
  for (let i = 0; i < data.length / DIMS; i++) {
    const v = unit();
    floats.set(v, (start + i) * DIMS);
    const q = quantize(v);
    data.set(q.data, i * DIMS);
    items.push({ artifact: `doc${(start + i) >> 3}`, chunk: (start + i) & 7, scale: q.scale });
  }
  index.put(items, data);
  scalar.put(items, data);
}

function fullSort(query) {
  const scores = new Array(n);
  for (let row = 0; row < n; row++) {
    let dot = 0;
    const base = row * DIMS;
    for (let i = 0; i < DIMS; i++) dot += query[i] * floats[base + i];
    scores[row] = [dot, row];
  }
  return scores.sort((a, b) => b[0] - a[0]).slice(0, k);
}

const ours = [], baseline = [], scalarTimes = [];
let agree = 0, sameTop = 0;
for (let q = 0; q < queries; q++) {
  const query = unit();
  let t = performance.now();
  const found = index.query(query, k);
  ours.push(performance.now() - t);
  t = performance.now();
  const slow = scalar.query(query, k);
  scalarTimes.push(performance.now() - t);
  const slowTop = new Set(slow.slice(0, 10).map((f) => `${f.artifact}\u0000${f.chunk}`));
  sameTop += found.slice(0, 10).filter((f) => slowTop.has(`${f.artifact}\u0000${f.chunk}`)).length / 10;
  t = performance.now();
  const exact = fullSort(query);
  baseline.push(performance.now() - t);
  const top = new Set(exact.slice(0, 10).map(([, row]) => `doc${row >> 3}\u0000${row & 7}`));
  agree += found.slice(0, 10).filter((f) => top.has(`${f.artifact}\u0000${f.chunk}`)).length / 10;
}
console.log(JSON.stringify({ ours, scalar: scalarTimes, baseline, recall10: agree / queries, simdVsScalar10: sameTop / queries }));
