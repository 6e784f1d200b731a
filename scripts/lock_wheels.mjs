// The engine's wheels, resolved and locked by micropip and byte-compiled by pyodide-build, all
// inside the Pyodide the browser runs (under Node, offline).
//
//   node scripts/lock_wheels.mjs --index DIR [--index DIR...] --tools DIR --cache DIR --out DIR REQUIREMENT...
//
// 1. The wheels in the --index folders are served as a PEP 691 simple index on 127.0.0.1 (this
//    process, a free port, closed at the end).
// 2. micropip installs REQUIREMENT... from that index alone (dependencies from the wheels'
//    metadata, hashes checked), and `micropip.freeze()` writes the lock. The lock starts empty, so
//    it holds exactly what was installed: nothing the app does not load.
// 3. pyodide-build's `py-compile` (from --tools, installed without its build-time dependencies)
//    compiles the locked wheels to this interpreter's bytecode (Python 3.14, which the host's
//    CPython cannot write) and updates the lock's file names and hashes. Compiled wheels are kept
//    in --cache by their input's hash, so an unchanged dependency keeps its exact bytes.
// OUT gets the compiled wheels and pyodide-lock.json (file names relative to OUT).
import { loadPyodide } from "pyodide";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts, positionals: requirements } = parseArgs({
  allowPositionals: true,
  options: {
    index: { type: "string", multiple: true }, tools: { type: "string" }, out: { type: "string" }, cache: { type: "string" },
  },
});
if (!opts.index || !opts.tools || !opts.out || !opts.cache || !requirements.length) {
  console.error("usage: lock_wheels.mjs --index DIR... --tools DIR --cache DIR --out DIR REQUIREMENT...");
  process.exit(2);
}

/** PEP 503 normalised project name of a wheel file. */
const projectOf = (file) => file.split("-")[0].replace(/[-_.]+/g, "-").toLowerCase();
const wheelsIn = (dir) => readdirSync(dir).filter((f) => f.endsWith(".whl")).map((f) => resolve(dir, f));

/** A read-only simple index (PEP 691 JSON) of the given wheels; resolves to its base URL. */
function serveIndex(wheels, server) {
  let base = "";
  const byFile = new Map(wheels.map((path) => [basename(path), path]));
  server.on("request", (req, res) => {
    const [, kind, name] = decodeURIComponent(new URL(req.url, "http://x").pathname).split("/");
    if (kind === "files" && byFile.has(name)) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(byFile.get(name)));
    } else if (kind === "simple") {
      const files = [...byFile.keys()].filter((f) => projectOf(f) === name).map((f) => ({
        filename: f,
        url: `${base}/files/${encodeURIComponent(f)}`,
        hashes: { sha256: createHash("sha256").update(readFileSync(byFile.get(f))).digest("hex") },
      }));
      if (!files.length) res.writeHead(404).end();
      else res.writeHead(200, { "content-type": "application/vnd.pypi.simple.v1+json" })
        .end(JSON.stringify({ meta: { "api-version": "1.0" }, name, files }));
    } else res.writeHead(404).end();
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => {
    base = `http://127.0.0.1:${server.address().port}`;
    ok(base);
  }));
}

const upstream = JSON.parse(readFileSync(`${root}/node_modules/pyodide/pyodide-lock.json`, "utf8"));
const pyodide = await loadPyodide({
  indexURL: `${root}/node_modules/pyodide/`,
  lockFileContents: { info: upstream.info, packages: {} },
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
const tools = wheelsIn(opts.tools);
const micropipWheel = tools.find((path) => projectOf(basename(path)) === "micropip");
await pyodide.loadPackage(micropipWheel, { messageCallback: () => {} });

const out = resolve(opts.out);
mkdirSync(out, { recursive: true });
pyodide.FS.mkdirTree("/out");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: out }, "/out");
const cache = resolve(opts.cache);
mkdirSync(cache, { recursive: true });
pyodide.FS.mkdirTree("/cache");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: cache }, "/cache");

const indexServer = createServer();
const toolServer = createServer();
try {
  const indexURL = await serveIndex(opts.index.flatMap(wheelsIn), indexServer);
  const toolURL = await serveIndex(tools.filter((path) => path !== micropipWheel), toolServer);
  pyodide.globals.set("requirements", pyodide.toPy(requirements));
  pyodide.globals.set("index_url", `${indexURL}/simple`);
  pyodide.globals.set("tool_url", `${toolURL}/simple`);
  pyodide.globals.set("tool_names", pyodide.toPy(tools.filter((p) => p !== micropipWheel).map((p) => projectOf(basename(p)))));
  const code = readFileSync(join(root, "scripts", "lock_wheels.py"), "utf8");
  pyodide.runPython(code, { filename: "lock_wheels.py" });
  await pyodide.globals.get("main")();
} finally {
  indexServer.close();
  toolServer.close();
}
