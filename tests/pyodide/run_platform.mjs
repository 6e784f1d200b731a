// Runs the platform layer's known-answer checks (tests/pylib/platform_vectors.py) on the
// Pyodide platform inside real Pyodide under Node: WebCrypto, fetch, BroadcastChannel and the
// JS conversions as the engine calls them. Prints one JSON line: {"platform", "results"}.
// Usage: node tests/pyodide/run_platform.mjs [echo-server base URL]
import { printVectors } from "./start_pyodide.mjs";

await printVectors("platform_vectors", "base_url", { base_url: process.argv[2] ?? null });
