// The worker of bare_worker.html: boots Pyodide and says how long each step took.

import { bootPyodide } from "./pyodide_boot.mjs";

try {
  const { timings } = await bootPyodide();
  self.postMessage({ timings });
} catch (error) {
  self.postMessage({ error: String(error?.stack ?? error) });
}
