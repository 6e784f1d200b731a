// The action table (web/ui/commands.mjs) and the shortcuts made from it. Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

// dom.mjs reads the platform once, at import (Node 20 has no navigator).
globalThis.navigator ??= { platform: "Linux x86_64", userAgent: "node" };
const { COMMANDS, command, menuItem, keyLabels, ariaKeys, matchesKey, commandForKey } = await import("../../web/ui/commands.mjs");

const key = (init) => ({ ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, code: "", key: "", ...init });

test("ids are unique and every entry has a title", () => {
  const ids = COMMANDS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const c of COMMANDS) assert.ok(c.title, c.id);
  assert.throws(() => command("nope"), /unknown command/);
});

test("no two global commands share a key combination", () => {
  const seen = new Map();
  for (const c of COMMANDS.filter((x) => !x.scope)) {
    for (const k of c.keys || []) {
      assert.ok(!seen.has(k), `${k}: ${seen.get(k)} and ${c.id}`);
      seen.set(k, c.id);
    }
  }
});

test("key events find their command", () => {
  assert.equal(commandForKey(key({ ctrlKey: true, shiftKey: true, code: "KeyF", key: "F" })).id, "search");
  assert.equal(commandForKey(key({ metaKey: true, code: "KeyP", key: "p" })).id, "palette");
  assert.equal(commandForKey(key({ ctrlKey: true, shiftKey: true, code: "KeyP", key: "P" })).id, "palette");
  assert.equal(commandForKey(key({ altKey: true, code: "KeyD", key: "∂" })).id, "today");
  assert.equal(commandForKey(key({ shiftKey: true, key: "?", code: "Slash" })).id, "help");
  assert.equal(commandForKey(key({ key: "Escape" })).id, "escape");
  assert.equal(commandForKey(key({ ctrlKey: true, code: "KeyF", key: "f" })), null); // the browser's find
  assert.equal(commandForKey(key({ key: "F2" })), null); // the tree's own key
  assert.equal(matchesKey(key({ ctrlKey: true, altKey: true, code: "KeyS" }), "Mod+S"), false);
});

test("labels for people, for assistive technology and for menus", () => {
  assert.deepEqual(keyLabels("Mod+Shift+F", "Ctrl"), ["Ctrl", "Shift", "F"]);
  assert.deepEqual(keyLabels("Escape", "⌘"), ["Esc"]);
  assert.equal(ariaKeys("Mod+Shift+F"), "Control+Shift+F");
  const item = menuItem("rename", () => 1, { disabled: true });
  assert.equal(item.label, "Rename");
  assert.equal(item.icon, "pencil");
  assert.equal(item.disabled, true);
});
