// Pyodide in a module worker (where the app runs its engine), nothing else.

import { report } from "./bare_report.mjs";

const worker = new Worker(new URL("bare_worker.mjs", import.meta.url), { type: "module" });
worker.onmessage = ({ data }) => report(data);
worker.onerror = (event) => report({ error: event.message || "worker failed to start" });
