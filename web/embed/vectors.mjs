// The local vector index held by the embedding worker: int8 rows with one scale each, kept in
// memory once loaded, scanned by brute force (WebAssembly SIMD dot products, ./simdscan.mjs;
// a scalar loop where SIMD is missing) into a bounded min-heap (no full sort). DOM-free: tests
// run it under Node.
//
// A row is one chunk: its artifact id, its chunk number and its 384 int8 components; the
// chunk's float vector is `scale * row`. Vectors are unit length, so the dot product with a
// unit query is the cosine.

import { simdScanner, ensureBytes, DATA_OFFSET } from "./simdscan.mjs";

export const DIMS = 384;
const Q16 = 32767;

/** Quantise a unit float vector to int8 with one scale (max |x| maps to 127). */
export function quantize(vector) {
  let max = 0;
  for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i]));
  const scale = max > 0 ? max / 127 : 1;
  const out = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = Math.round(vector[i] / scale);
  return { data: out, scale };
}

/** Keep the k best (score, index) pairs seen; `sorted()` gives them best first. */
class TopK {
  constructor(k) {
    this.k = k;
    this.scores = new Float64Array(k);
    this.items = new Int32Array(k);
    this.size = 0;
  }

  push(score, item) {
    const { scores, items } = this;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (scores[parent] <= score) break;
        scores[i] = scores[parent]; items[i] = items[parent]; i = parent;
      }
      scores[i] = score; items[i] = item;
    } else if (score > scores[0]) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i, best = score;
        if (l < this.k && scores[l] < best) { m = l; best = scores[l]; }
        if (r < this.k && scores[r] < best) { m = r; }
        if (m === i) break;
        scores[i] = scores[m]; items[i] = items[m]; i = m;
      }
      scores[i] = score; items[i] = item;
    }
  }

  sorted() {
    const out = [];
    for (let i = 0; i < this.size; i++) out.push([this.scores[i], this.items[i]]);
    return out.sort((a, b) => b[0] - a[0]);
  }
}

export class VectorIndex {
  /** `simd: false` keeps the scalar scan (the benchmark's same-run baseline). */
  constructor({ simd = true } = {}) {
    this.capacity = 1024;
    this.size = 0;
    this.simd = simd ? simdScanner(DIMS) : null;
    this.data = this.rowsView(new Int8Array(0));
    this.scales = new Float32Array(this.capacity);
    this.artifacts = [];   // row -> artifact id
    this.chunks = [];      // row -> chunk number
    this.rows = new Map(); // "artifact\u0000chunk" -> row
  }

  /** Storage for `capacity` rows holding `old`'s: in the scanner's memory (grown in place,
   * followed by room for one int32 score per row) or a plain array. */
  rowsView(old) {
    const bytes = this.capacity * DIMS;
    if (!this.simd) {
      const data = new Int8Array(bytes);
      data.set(old.subarray(0, this.size * DIMS));
      return data;
    }
    ensureBytes(this.simd.memory, DATA_OFFSET + bytes + this.capacity * 4);
    return new Int8Array(this.simd.memory.buffer, DATA_OFFSET, bytes);
  }

  grow(needed) {
    if (needed <= this.capacity) return;
    while (this.capacity < needed) this.capacity *= 2;
    const data = this.rowsView(this.data);
    const scales = new Float32Array(this.capacity);
    scales.set(this.scales.subarray(0, this.size));
    this.data = data;
    this.scales = scales;
  }

  /** Add or replace rows: `items` of {artifact, chunk, scale}, `data` their int8 rows in order. */
  put(items, data) {
    this.grow(this.size + items.length);
    items.forEach((item, i) => {
      const key = `${item.artifact}\u0000${item.chunk}`;
      let row = this.rows.get(key);
      if (row === undefined) {
        row = this.size++;
        this.rows.set(key, row);
        this.artifacts[row] = item.artifact;
        this.chunks[row] = item.chunk;
      }
      this.data.set(data.subarray(i * DIMS, (i + 1) * DIMS), row * DIMS);
      this.scales[row] = item.scale;
    });
  }

  /** Drop every row of these artifacts (or, with `fromChunk`, their chunks from that number on). */
  drop(artifactIds, fromChunk = 0) {
    const gone = new Set(artifactIds);
    let write = 0;
    this.rows.clear();
    for (let read = 0; read < this.size; read++) {
      if (gone.has(this.artifacts[read]) && this.chunks[read] >= fromChunk) continue;
      if (write !== read) {
        this.data.copyWithin(write * DIMS, read * DIMS, (read + 1) * DIMS);
        this.scales[write] = this.scales[read];
        this.artifacts[write] = this.artifacts[read];
        this.chunks[write] = this.chunks[read];
      }
      this.rows.set(`${this.artifacts[write]}\u0000${this.chunks[write]}`, write);
      write++;
    }
    this.size = write;
    this.artifacts.length = this.chunks.length = write;
  }

  clear() {
    this.size = 0;
    this.rows.clear();
    this.artifacts = [];
    this.chunks = [];
  }

  /** The `k` best chunks for a unit float query: [{artifact, chunk, score}], best first. */
  query(vector, k = 50, exclude = null) {
    const heap = new TopK(Math.max(1, k));
    if (this.simd) this.scanSimd(vector, heap, exclude);
    else this.scanScalar(vector, heap, exclude);
    return heap.sorted().map(([score, row]) => ({
      artifact: this.artifacts[row], chunk: this.chunks[row], score,
    }));
  }

  /** All rows at once in WebAssembly: the query as int16 (one scale), int32 sums, then the heap. */
  scanSimd(vector, heap, exclude) {
    const { memory, scan } = this.simd;
    const { scales, size } = this;
    let max = 0;
    for (let i = 0; i < DIMS; i++) max = Math.max(max, Math.abs(vector[i]));
    const qScale = max > 0 ? max / Q16 : 1;
    const q = new Int16Array(memory.buffer, 0, DIMS);
    for (let i = 0; i < DIMS; i++) q[i] = Math.round(vector[i] / qScale);
    const out = DATA_OFFSET + this.capacity * DIMS;
    scan(0, DATA_OFFSET, size, out);
    const sums = new Int32Array(memory.buffer, out, size);
    for (let row = 0; row < size; row++) {
      if (exclude !== null && this.artifacts[row] === exclude) continue;
      heap.push(sums[row] * qScale * scales[row], row);
    }
  }

  scanScalar(vector, heap, exclude) {
    const { data, scales, size } = this;
    const q = Float32Array.from(vector);
    for (let row = 0, base = 0; row < size; row++, base += DIMS) {
      if (exclude !== null && this.artifacts[row] === exclude) continue;
      let dot = 0;
      for (let i = 0; i < DIMS; i += 4) {
        dot += q[i] * data[base + i] + q[i + 1] * data[base + i + 1]
          + q[i + 2] * data[base + i + 2] + q[i + 3] * data[base + i + 3];
      }
      heap.push(dot * scales[row], row);
    }
  }

  /** The mean of an artifact's chunk vectors (unit length), or null if it has none. */
  centroid(artifactId) {
    const sum = new Float64Array(DIMS);
    let found = 0;
    for (let row = 0; row < this.size; row++) {
      if (this.artifacts[row] !== artifactId) continue;
      found++;
      const base = row * DIMS, s = this.scales[row];
      for (let i = 0; i < DIMS; i++) sum[i] += this.data[base + i] * s;
    }
    if (!found) return null;
    let norm = 0;
    for (let i = 0; i < DIMS; i++) norm += sum[i] * sum[i];
    norm = Math.sqrt(norm) || 1;
    return Float32Array.from(sum, (x) => x / norm);
  }
}
