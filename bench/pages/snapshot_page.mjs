// Starts snapshot_worker.mjs and reports like the bare boot pages.

import { report } from "./bare_report.mjs";

const worker = new Worker(new URL("snapshot_worker.mjs", import.meta.url), { type: "module" });
worker.onmessage = ({ data }) => report(data);
worker.onerror = (event) => report({ error: event.message || "worker failed to start" });
