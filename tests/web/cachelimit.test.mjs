// The storage view's device cache limit: what the GB field accepts, and how a limit is shown.
import test from "node:test";
import assert from "node:assert/strict";

globalThis.navigator ??= { platform: "Linux x86_64", userAgent: "node" };
const { limitBytes, shownGb, MAX_GB } = await import("../../web/ui/cachelimit.mjs");

const GIB = 1024 ** 3;

test("a number of GB from 0 to the maximum is a limit in bytes", () => {
  assert.equal(limitBytes("2"), 2 * GIB);
  assert.equal(limitBytes(" 0.5 "), GIB / 2);
  assert.equal(limitBytes("0,25"), GIB / 4);
  assert.equal(limitBytes("0"), 0);
  assert.equal(limitBytes(String(MAX_GB)), MAX_GB * GIB);
});

test("anything else is refused, never read as some other limit", () => {
  for (const bad of ["", " ", "-1", "abc", "1e3", "2 GB", String(MAX_GB + 1), "Infinity", "NaN", "1.2.3"]) {
    assert.equal(limitBytes(bad), null, bad);
  }
});

test("the field shows the limit in GB, as the person would type it", () => {
  assert.equal(shownGb(2 * GIB), "2");
  assert.equal(shownGb(GIB / 2), "0.5");
  assert.equal(shownGb(limitBytes("0.003")), "0.003");
});
