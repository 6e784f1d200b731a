// Today's note: its path and the template's placeholders (web/ui/daily.mjs). Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

globalThis.navigator ??= { platform: "Linux x86_64", userAgent: "node" };
const { dailyPath, fillTemplate } = await import("../../web/ui/daily.mjs");

const DAY = new Date(2026, 11, 1, 9, 5); // Tuesday 1 December 2026, 09:05 local time

test("the daily note's path is the local date under /daily", () => {
  assert.equal(dailyPath(DAY), "/daily/2026-12-01.md");
  assert.equal(dailyPath(new Date(2027, 0, 9)), "/daily/2027-01-09.md");
});

test("placeholders are filled; unknown ones stay as written", () => {
  const text = "# {{date}}\n{{ weekday }}, {{long_date}} at {{time}} — {{title}} {{mood}} {date}";
  assert.equal(fillTemplate(text, DAY),
    "# 2026-12-01\nTuesday, Tuesday 1 December 2026 at 09:05 — 2026-12-01 {{mood}} {date}");
  assert.equal(fillTemplate("", DAY), "");
});
