// Compile unpacked pure-Python wheels to Python 3.14 bytecode with Pyodide itself, so the
// browser imports .pyc instead of compiling every .py on each boot (as Pyodide's own wheels do).
// Usage: node scripts/compile_wheels.mjs DIR   (DIR holds the unpacked wheels; .pyc land beside .py)
import { loadPyodide } from "pyodide";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const target = resolve(process.argv[2]);
const pyodide = await loadPyodide({ indexURL: `${root}/node_modules/pyodide/` });
pyodide.FS.mkdirTree("/src");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: target }, "/src");
const ok = await pyodide.runPythonAsync(`
import compileall, py_compile
# Unchecked hashes: the .pyc is valid whatever the file times are after unpacking.
compileall.compile_dir("/src", quiet=1, legacy=True, workers=1,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
`);
process.exit(ok === false ? 1 : 0);
