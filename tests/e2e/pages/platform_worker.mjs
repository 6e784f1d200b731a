// A module worker that runs the platform checks it is sent (tests/pylib/platform_vectors.py)
// on pylib.platform.current — the Pyodide platform: WebCrypto, fetch, BroadcastChannel.
import { serve, writeModule } from "./pyodide_worker.mjs";

serve(async (pyodide, { source, baseUrl }) => {
  writeModule(pyodide, "platform_vectors", source);
  pyodide.globals.set("base_url", baseUrl);
  return pyodide.runPythonAsync(`
import json
from pylib import platform
import platform_vectors
results = await platform_vectors.compute(platform.current, base_url, refused=False)
json.dumps({"platform": platform.current.name, "results": results})
`);
});
