// Where pasted and dropped images go (web/ui/attachments.mjs). Run: node --test tests/web/
import { test } from "node:test";
import assert from "node:assert/strict";

import { attachmentName, planAttachments } from "../../web/ui/attachments.mjs";

const at = new Date(2026, 11, 1, 9, 5, 7);

test("a pasted screenshot gets a dated name; a dropped file keeps its own, made safe", () => {
  assert.equal(attachmentName({ name: "image.png", type: "image/png" }, at), "pasted-20261201-090507.png");
  assert.equal(attachmentName({ name: "", type: "image/jpeg" }, at), "pasted-20261201-090507.jpg");
  assert.equal(attachmentName({ name: "My holiday (1).JPG", type: "image/jpeg" }, at), "My-holiday-1-.JPG");
  assert.equal(attachmentName({ name: "../../etc", type: "image/svg+xml" }, at), "etc.svg");
});

test("images go into attachments/ beside the note, with a relative image link", () => {
  const plan = planAttachments("/work/Plan.md", [{ name: "chart.png", type: "image/png" }], () => false, at);
  assert.deepEqual(plan.map((p) => [p.path, p.markdown]), [["/work/attachments/chart.png", "![chart](attachments/chart.png)"]]);
  const top = planAttachments("/Note.md", [{ name: "a.gif", type: "image/gif" }], () => false, at);
  assert.equal(top[0].path, "/attachments/a.gif");
});

test("taken names, and names chosen in the same paste, get a number", () => {
  const taken = (p) => p === "/attachments/chart.png";
  const files = [{ name: "chart.png", type: "image/png" }, { name: "chart.png", type: "image/png" }];
  const plan = planAttachments("/Note.md", files, taken, at);
  assert.deepEqual(plan.map((p) => p.path), ["/attachments/chart-2.png", "/attachments/chart-3.png"]);
  assert.equal(plan[1].markdown, "![chart-3](attachments/chart-3.png)");
});
