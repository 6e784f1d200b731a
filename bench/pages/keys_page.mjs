// Timings for bench/browser_keys.py, run on the page (window.runKeys(options) -> results).
// Argon2id with the parameters the keyring uses, from the vendored hash-wasm; the same-run
// baseline is WebCrypto's PBKDF2-SHA256 at 600,000 iterations (OWASP's figure). The device
// file store: one strict-durability IndexedDB put of a 10 MB file until it is durable, and one
// get until the bytes are in hand, stored as bytes and as a Blob; the baseline is the same
// with 4 KiB (a transaction's cost). Then the engine's own store (web/engine/devicefiles.mjs).
import { argon2id } from "/vendor/hash-wasm/index.esm.min.js";
import { DeviceFiles } from "/engine/devicefiles.mjs";

const now = () => performance.now();

async function timeArgon2(costs) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const started = now();
  const out = await argon2id({
    password: "correct horse battery staple", salt, memorySize: costs.memory_kib,
    iterations: costs.iterations, parallelism: costs.parallelism, hashLength: 32, outputType: "binary",
  });
  if (out.length !== 32) throw new Error("argon2id gave the wrong length");
  return now() - started;
}

async function timePbkdf2(iterations) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const started = now();
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode("correct horse battery staple"),
    "PBKDF2", false, ["deriveBits"]);
  await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
  return now() - started;
}

function request(req) {
  return new Promise((resolve, reject) => { req.onsuccess = () => resolve(req.result); req.onerror = () => reject(req.error); });
}

function done(tx) {
  return new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = tx.onabort = () => reject(tx.error); });
}

async function openStore() {
  const open = indexedDB.open("quire-bench-device-files", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("files");
  return request(open);
}

async function timeStore(db, size, rounds, asBlob) {
  const writes = [], reads = [];
  for (let i = 0; i < rounds; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(Math.min(size, 65536)));
    const data = new Uint8Array(size);
    for (let at = 0; at < size; at += bytes.length) data.set(bytes.subarray(0, Math.min(bytes.length, size - at)), at);
    const key = `f-${size}-${i}`;
    let started = now();
    const tx = db.transaction("files", "readwrite", { durability: "strict" });
    tx.objectStore("files").put(asBlob ? new Blob([data]) : data, key);
    await done(tx);
    writes.push(now() - started);
    started = now();
    const stored = await request(db.transaction("files").objectStore("files").get(key));
    const got = asBlob ? new Uint8Array(await stored.arrayBuffer()) : stored;
    if (got.length !== size || got[size - 1] !== data[size - 1]) throw new Error("read back the wrong bytes");
    reads.push(now() - started);
  }
  const clear = db.transaction("files", "readwrite");
  clear.objectStore("files").clear();
  await done(clear);
  return { writes, reads };
}

function filled(size) {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.min(size, 65536)));
  const data = new Uint8Array(size);
  for (let at = 0; at < size; at += bytes.length) data.set(bytes.subarray(0, Math.min(bytes.length, size - at)), at);
  return data;
}

// The engine's own store as it ships, its file deleted after each round like a freed cache.
async function timeDeviceFiles(size, rounds) {
  const files = await DeviceFiles.open("bench");
  const writes = [], reads = [];
  for (let i = 0; i < rounds; i++) {
    const data = filled(size), name = `f-${size}-${i}`;
    let started = now();
    await files.put(name, data);
    writes.push(now() - started);
    started = now();
    const got = await files.get(name);
    reads.push(now() - started);
    if (got.length !== size || got[size - 1] !== data[size - 1] || got[size >> 1] !== data[size >> 1]) throw new Error("read back the wrong bytes");
    await files.delete(name);
  }
  files.close();
  return { writes, reads };
}

window.runKeys = async ({ rounds, costs, pbkdf2 }) => {
  const argon = [], baseline = [];
  for (let i = 0; i < rounds; i++) {  // alternate, so a busy moment slows both alike
    argon.push(await timeArgon2(costs));
    baseline.push(await timePbkdf2(pbkdf2));
  }
  const db = await openStore();
  const big = await timeStore(db, 10_000_000, rounds * 2, false);
  const bigBlob = await timeStore(db, 10_000_000, rounds * 2, true);
  const small = await timeStore(db, 4096, rounds * 2, false);
  db.close();
  const device = await timeDeviceFiles(10_000_000, rounds * 2);
  return { argon, baseline, big, bigBlob, small, device };
};
window.keysReady = true;
