// A module worker that runs the check it is sent: a Python module defining
// `async def check(platform, options)`, called with pylib.platform.current; the JSON result
// goes back to the page.
import { serve, writeModule } from "./pyodide_worker.mjs";

serve(async (pyodide, { source, options }) => {
  writeModule(pyodide, "engine_check", source);
  pyodide.globals.set("check_options", pyodide.toPy(options));
  return pyodide.runPythonAsync(`
import importlib, json
from pylib import platform
import engine_check
importlib.reload(engine_check)
json.dumps(await engine_check.check(platform.current, check_options))
`);
});
