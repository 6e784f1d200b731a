// Pyodide on the page's main thread, nothing else.

import { bootPyodide } from "./pyodide_boot.mjs";
import { report } from "./bare_report.mjs";

try {
  const { timings } = await bootPyodide();
  report({ timings });
} catch (error) {
  report({ error: String(error?.stack ?? error) });
}
