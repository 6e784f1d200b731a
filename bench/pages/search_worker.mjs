// The keyword-search benchmark in a plain module worker: Pyodide and the engine loaded the way
// the app's data worker loads them, bench/pages/search_workload.py on its FS, the workspace in
// the in-memory FS. Protocol: {id, op, args} in, {id, ok, result | error} out.

import { bootPyodide } from "./pyodide_boot.mjs";

let pyodide;
let py;

function toJs(proxy) {
  if (!proxy || typeof proxy.toJs !== "function") return proxy;
  try {
    return proxy.toJs({ dict_converter: Object.fromEntries });
  } finally {
    proxy.destroy();
  }
}

async function init() {
  const boot = await bootPyodide({ engine: true });
  pyodide = boot.pyodide;
  const source = await (await fetch(new URL("search_workload.py", import.meta.url))).text();
  pyodide.FS.mkdirTree("/bench");
  pyodide.FS.mkdirTree("/w");
  pyodide.FS.writeFile("/bench/search_workload.py", source);
  pyodide.runPython("import sys; sys.path.insert(0, '/bench')");
  py = pyodide.pyimport("search_workload");
  return { sqlite: pyodide.runPython("import sqlite3; sqlite3.sqlite_version") };
}

const OPS = {
  init,
  build: ({ documents }) => toJs(py.build("/w/search.sqlite", documents)),
  timeQueries: ({ reps, warmup }) => toJs(py.time_queries(reps, warmup)),
  timeSaves: ({ rounds }) => toJs(py.time_saves(rounds)),
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    self.postMessage({ id, ok: true, result: await OPS[op](args ?? {}) });
  } catch (error) {
    self.postMessage({ id, ok: false, error: `${error?.message ?? error}\n${error?.stack ?? ""}` });
  }
};
