// "Today's note": opens /daily/YYYY-MM-DD.md (the local date), creating it first if needed from
// the template /templates/daily.md when there is one. In the template, {{date}} and {{title}}
// become the date (2026-12-01), {{weekday}} its day ("Tuesday"), {{long_date}} the date in
// words ("Tuesday 1 December 2026"), {{time}} the time of creation (14:05).

import { dateStamp } from "./dom.mjs";
import { reportError, note } from "./notifications.mjs";

export const DAILY_FOLDER = "/daily";
export const TEMPLATE_PATHS = ["/templates/daily.md", "/templates/Daily.md", "/templates/daily note.md"];

/** The path of the daily note of `day`. */
export function dailyPath(day = new Date()) {
  return `${DAILY_FOLDER}/${dateStamp(day)}.md`;
}

/** A template's text with its placeholders filled for `day` (unknown ones are left as written). */
export function fillTemplate(text, day = new Date()) {
  const pad = (x) => String(x).padStart(2, "0");
  const weekday = day.toLocaleDateString("en-GB", { weekday: "long" });
  const values = {
    date: dateStamp(day), title: dateStamp(day), weekday, time: `${pad(day.getHours())}:${pad(day.getMinutes())}`,
    long_date: `${weekday} ${day.getDate()} ${day.toLocaleDateString("en-GB", { month: "long" })} ${day.getFullYear()}`,
  };
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, name) => values[name] ?? all);
}

/** The text a new daily note starts with: the filled template, or a heading with the date. */
async function startingText({ session, tree }, day) {
  const template = TEMPLATE_PATHS.map((p) => tree.artifacts().find((a) => a.path === p)).find(Boolean);
  if (!template) return `# ${dateStamp(day)}\n\n`;
  try {
    const t = await session.call("artifacts.get", { id: template.id });
    return fillTemplate(t.text ?? "", day);
  } catch (err) {
    reportError(err, "Could not read the daily template");
    return `# ${dateStamp(day)}\n\n`;
  }
}

/** Open today's note, creating it if it does not exist yet. */
export async function openToday({ store, session, tree, documents }, day = new Date()) {
  const path = dailyPath(day);
  const existing = () => tree.artifacts().find((a) => a.path === path);
  let artifact = existing();
  if (!artifact) {
    if (!store.canWrite()) { note("Today's note does not exist yet, and this tab is read-only."); return; }
    const content = await startingText({ session, tree }, day);
    artifact = await session.mutate("artifacts.create", { path, content, mime_type: "text/markdown" },
      { context: "Could not create today's note" });
    await documents.refreshTree();
    // Made meanwhile in another way (another tab): open that one.
    artifact = artifact || existing();
    if (!artifact) return;
  }
  tree.reveal(path);
  await documents.open(artifact.id, { focus: true });
}
