// Both Markdown renderers in one Pyodide: the new one (pylib.markdown from the engine wheel,
// markdown-it-py) and the old one (its sources handed over by the page, imported as
// `old_markdown`). Protocol: {id, op, args} in, {id, ok, result | error} out.

import { importPyodide, runtimeOptions } from "./pyodide_boot.mjs";

let pyodide;
const renderers = {};

async function setup({ old }) {
  const loadPyodide = await importPyodide();
  pyodide = await loadPyodide(runtimeOptions());
  await pyodide.loadPackage(["markdown-it-py", "mdit-py-plugins", "quire-pylib"], { messageCallback: () => {} });
  pyodide.FS.mkdirTree("/bench/old_markdown");
  for (const [name, source] of Object.entries(old)) pyodide.FS.writeFile(`/bench/old_markdown/${name}`, source);
  pyodide.runPython("import sys; sys.path.insert(0, '/bench')");
  renderers.new = pyodide.pyimport("pylib.markdown").render_markdown;
  renderers.old = pyodide.pyimport("old_markdown").render_markdown;
  for (const render of Object.values(renderers)) render("# warm *up* [a](b)\n\n| a |\n|---|\n| b |\n");
  return true;
}

function time({ which, text, reps }) {
  const render = renderers[which];
  const times = [];
  let size = 0;
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    size = render(text).length;
    times.push(performance.now() - started);
  }
  return { times, size };
}

const ops = { setup, time };
onmessage = async ({ data: { id, op, args } }) => {
  try {
    postMessage({ id, ok: true, result: await ops[op](args) });
  } catch (error) {
    postMessage({ id, ok: false, error: String(error?.stack || error) });
  }
};
