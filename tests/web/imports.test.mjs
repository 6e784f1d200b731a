// The page's modules (web/ui/*.mjs): no import circles, and each stays a module of one idea.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

const UI = new URL("../../web/ui/", import.meta.url);
const modules = readdirSync(UI).filter((f) => f.endsWith(".mjs"));
const source = (name) => readFileSync(new URL(name, UI), "utf8");
const importsOf = (name) => [...source(name).matchAll(/from "\.\/([\w-]+\.mjs)"/g)].map((m) => m[1]);

test("the page has its modules", () => {
  for (const name of ["app.mjs", "store.mjs", "boot.mjs", "layout.mjs", "itemmenu.mjs"]) assert.ok(modules.includes(name), name);
});

test("no module imports itself through others", () => {
  const graph = new Map(modules.map((m) => [m, importsOf(m)]));
  const circles = [];
  const walk = (name, path) => {
    for (const next of graph.get(name) || []) {
      if (path.includes(next)) circles.push([...path.slice(path.indexOf(next)), next].join(" → "));
      else walk(next, [...path, next]);
    }
  };
  for (const name of modules) walk(name, [name]);
  assert.deepEqual(circles, []);
});

test("the store imports nothing: it runs without a DOM (and in node)", () => {
  assert.deepEqual(importsOf("store.mjs"), []);
});

test("no component is handed a shared context object", () => {
  const handed = modules.filter((m) => /\bctx\b/.test(source(m)));
  assert.deepEqual(handed, []);
});
