// Real times and grouping by day for the history and activity panels.
import test from "node:test";
import assert from "node:assert/strict";
import { clock, dayLabel, stamp, groupByDay } from "../../web/ui/when.mjs";

const now = new Date(2026, 11, 1, 15, 30);

test("times read as the issue asks: Today 14:03, Yesterday, 3 Nov 09:12", () => {
  assert.equal(stamp(new Date(2026, 11, 1, 14, 3), now), "Today 14:03");
  assert.equal(stamp(new Date(2026, 10, 30, 23, 59), now), "Yesterday 23:59");
  assert.equal(stamp(new Date(2026, 10, 3, 9, 12), now), "3 Nov 09:12");
  assert.equal(dayLabel(new Date(2025, 10, 3, 9, 12), now), "3 Nov 2025");
  assert.equal(clock(new Date(2026, 0, 1, 0, 5).getTime()), "00:05");
});

test("seconds and milliseconds since the epoch both work", () => {
  const ms = new Date(2026, 11, 1, 8, 0).getTime();
  assert.equal(stamp(ms, now), stamp(ms / 1000, now));
});

test("lists group by day in their own order", () => {
  const items = [new Date(2026, 11, 1, 10), new Date(2026, 11, 1, 9), new Date(2026, 10, 30, 9), new Date(2026, 10, 2, 9)];
  const groups = groupByDay(items, (d) => d, now);
  assert.deepEqual(groups.map((g) => [g.day, g.items.length]), [["Today", 2], ["Yesterday", 1], ["2 Nov", 1]]);
});

test("the status bar, file cards and lists tell the time as history does (24-hour)", async () => {
  globalThis.navigator ??= { platform: "Linux x86_64", userAgent: "" }; // dom.mjs reads it on import
  const { formatClock, formatWhen } = await import("../../web/ui/dom.mjs");
  assert.equal(formatClock(new Date(2026, 11, 1, 22, 17, 3)), "22:17:03");
  assert.equal(formatClock(new Date(2026, 11, 1, 0, 5, 9).getTime()), "00:05:09");
  assert.match(formatWhen(new Date(2020, 2, 4, 21, 5)), / 21:05$/);
});
