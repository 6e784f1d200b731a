// Builds the editor's CodeMirror bundle (scripts/editor_bundle.py runs it): esbuild's API,
// bundling scripts/codemirror_entry.mjs into one minified ES module, with the patches below
// applied to the pinned packages as they are read. Each patch must match exactly once, or the
// build fails: a new version of the package is looked at again, never patched blindly.
//
//   node scripts/editor_bundle.mjs <entry> <outfile>

import { readFile } from "node:fs/promises";
import { build } from "esbuild";

const PATCHES = [
  {
    // @lezer/markdown 1.8.1 reuses whole groups of unchanged blocks after an edit only while
    // they are at most a quarter of the size parsed before the reuse starts, so reuse from the
    // top of a note (the usual case: an edit below) took each of its blocks one by one, O(blocks)
    // per keystroke (about 4 ms in a 1 MB note, with the tree rebuilt as much). Measuring the
    // quarter from where each group starts keeps the same bound on lopsided trees and takes
    // O(log blocks) groups. The parse itself is unchanged: the same blocks are reused.
    file: /[\\/]@lezer[\\/]markdown[\\/]dist[\\/]index\.js$/,
    find: "cur.type.isAnonymous && cur.tree && (cur.to - cur.from > maxAnonSize || !canStopAfterLastChild(cur.tree))",
    replace: "cur.type.isAnonymous && cur.tree && (cur.to - cur.from > Math.max(maxAnonSize, (cur.from - off - cx.block.from) >> 2) || !canStopAfterLastChild(cur.tree))",
  },
  {
    // @lezer/highlight 1.2.3 (1.2.5 too) highlights a range by stepping from a node's first
    // child over every sibling that ends before the range: in a 1 MB note, each update of the
    // visible lines near its end walked all the note's blocks (about 7 ms per keystroke).
    // Entering at the range's start (the first child ending after it, Side.After) descends the
    // balanced tree instead; the children highlighted, and so the classes, are the same.
    file: /[\\/]@lezer[\\/]highlight[\\/]dist[\\/]index\.js$/,
    find: "else if (cursor.firstChild()) {\n            if (mounted)\n                inheritedClass = \"\";",
    replace: "else if (from > start ? cursor.enter(from, 2 /* Side.After */) : cursor.firstChild()) {\n            if (mounted)\n                inheritedClass = \"\";",
  },
  {
    // @codemirror/language 6.11.3 parses for up to 20 ms in every transaction while the syntax
    // tree does not reach the end of the viewport yet: after opening a 1 MB note and going to its
    // end, the parse (400-800 ms of CPU) is done by the keystrokes, 20 ms in each, until it has
    // caught up. Then a transaction does 2 ms of it, and the rest is left to the background parse,
    // which runs when the page is idle and stops for pending input. With a complete tree (the
    // usual case) the incremental parse of an edit is unchanged.
    file: /[\\/]@codemirror[\\/]language[\\/]dist[\\/]index\.js$/,
    find: "if (!newCx.work(20 /* Work.Apply */, upto))",
    replace: "if (!newCx.work(upto === undefined ? 20 /* Work.Apply */ : 2, upto))",
  },
];

const patches = {
  name: "quire-patches",
  setup(bundle) {
    for (const patch of PATCHES) {
      bundle.onLoad({ filter: patch.file }, async ({ path }) => {
        const source = await readFile(path, "utf8");
        const found = source.split(patch.find).length - 1;
        if (found !== 1) throw new Error(`${path}: the patch matches ${found} times, not once`);
        return { contents: source.replace(patch.find, patch.replace), loader: "js" };
      });
    }
  },
};

const [entry, outfile] = process.argv.slice(2);
await build({
  entryPoints: [entry], outfile, bundle: true, format: "esm", minify: true, target: "es2022",
  legalComments: "eof", logLevel: "warning", plugins: [patches],
});
