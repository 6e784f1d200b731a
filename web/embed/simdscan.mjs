// The int8 dot products of the vector index in WebAssembly SIMD: one call scores every row
// against a query held as int16, 16 components per step (i32x4.dot_i16x8_s), about thirty
// times the work per cycle of the scalar JavaScript loop. The module is a few hundred bytes,
// assembled here (the row length is fixed, so the inner loop is unrolled) rather than vendored:
// nothing to fetch, and the same code runs in the worker and under Node (tests, benchmarks).
//
// Memory layout (one WebAssembly.Memory, grown as rows are added):
//   [0, QUERY_BYTES)        the query, DIMS int16
//   [DATA_OFFSET, …)        the rows, DIMS int8 each (DIMS is a multiple of 16: aligned)
//   after the last row      the scores, one int32 per row (scratch, rewritten by each scan)
// Sums cannot overflow: |q| ≤ 32767 and |row| ≤ 127 give at most 384 × 32767 × 127 < 2^31.

export const QUERY_BYTES = 1024;
export const DATA_OFFSET = QUERY_BYTES;
const PAGE = 65536;

const leb = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const name = (s) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];

// Opcodes (WebAssembly 2.0 core and fixed-width SIMD).
const GET = 0x20, SET = 0x21, TEE = 0x22, I32_CONST = 0x41, I32_ADD = 0x6a, I32_SUB = 0x6b;
const SIMD = 0xfd;
const v128Load = (offset) => [SIMD, 0x00, 4, ...leb(offset)];
const EXTEND_LOW = [SIMD, 0x87, 0x01], EXTEND_HIGH = [SIMD, 0x88, 0x01];
const DOT = [SIMD, 0xba, 0x01], ADD4 = [SIMD, 0xae, 0x01];
const lane = (i) => [SIMD, 0x1b, i];

/** The module's bytes: `scan(query, data, rows, out)` writes rows int32 dot products to out. */
export function moduleBytes(dims) {
  // Locals: 0 query, 1 data, 2 rows, 3 out (parameters); 4 acc, 5 chunk (v128).
  const body = [];
  const step = (j) => [
    GET, 4, GET, 1, ...v128Load(j * 16), TEE, 5, ...EXTEND_LOW, GET, 0, ...v128Load(j * 32), ...DOT, ...ADD4,
    GET, 5, ...EXTEND_HIGH, GET, 0, ...v128Load(j * 32 + 16), ...DOT, ...ADD4, SET, 4,
  ];
  body.push(0x02, 0x40, 0x03, 0x40);                       // block, loop
  body.push(GET, 2, 0x45, 0x0d, 1);                        // rows == 0: leave
  body.push(SIMD, 0x0c, ...new Array(16).fill(0), SET, 4); // acc = 0
  for (let j = 0; j < dims / 16; j++) body.push(...step(j));
  body.push(GET, 3, GET, 4, ...lane(0), GET, 4, ...lane(1), I32_ADD, GET, 4, ...lane(2), I32_ADD,
    GET, 4, ...lane(3), I32_ADD, 0x36, 2, 0);              // *out = sum of the lanes
  body.push(GET, 1, I32_CONST, ...leb(dims), I32_ADD, SET, 1);
  body.push(GET, 3, I32_CONST, 4, I32_ADD, SET, 3);
  body.push(GET, 2, I32_CONST, 1, I32_SUB, SET, 2);
  body.push(0x0c, 0, 0x0b, 0x0b, 0x0b);                    // br loop; end loop, block, function
  const code = [1, 2, 0x7b, ...body];                      // locals: one group of 2 v128
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("scan"), 0x00, 0]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ]);
}

/** A WebAssembly scanner for rows of `dims` int8, or null where SIMD is not supported. */
export function simdScanner(dims) {
  try {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(moduleBytes(dims));
    const { scan } = new WebAssembly.Instance(module, { env: { memory } }).exports;
    return { memory, scan };
  } catch {
    return null;
  }
}

/** Grow `memory` so that `bytes` fit; returns whether it grew (old views are then detached). */
export function ensureBytes(memory, bytes) {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return false;
  memory.grow(Math.ceil((bytes - have) / PAGE));
  return true;
}
