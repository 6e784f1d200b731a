// Runs the blob format's checks (tests/pylib/blob_vectors.py) inside real Pyodide under Node,
// on WebCrypto as the engine calls it. Prints one JSON line: {"platform", "results"}.
// Usage: node tests/pyodide/run_blobs.mjs
import { printVectors } from "./start_pyodide.mjs";

// The data worker hashes downloads as they come in with hash-wasm (pylib/blobs/browser.py).
const { createSHA256 } = await import("hash-wasm");
await printVectors("blob_vectors", "hashing", { hashing: createSHA256 });
