// Real times for the history and activity panels: "Today 14:03", "Yesterday 09:12",
// "3 Nov 09:12" (and the year when it is not this one), and lists grouped by day. No DOM here
// (tested with node).

function toDate(ts) {
  if (ts instanceof Date) return ts;
  const n = Number(ts);
  return new Date(n < 1e11 ? n * 1000 : n);
}

const pad = (x) => String(x).padStart(2, "0");

/** "14:03" in the 24-hour clock, whatever the locale prefers (the wording). */
export function clock(ts) {
  const d = toDate(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "Today", "Yesterday", "3 Nov", "3 Nov 2025". */
export function dayLabel(ts, now = new Date()) {
  const d = toDate(ts);
  if (sameDay(d, now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(d, yesterday)) return "Yesterday";
  const month = d.toLocaleDateString("en-GB", { month: "short" });
  return d.getFullYear() === now.getFullYear() ? `${d.getDate()} ${month}` : `${d.getDate()} ${month} ${d.getFullYear()}`;
}

/** "Today 14:03", "3 Nov 09:12". */
export function stamp(ts, now = new Date()) {
  return `${dayLabel(ts, now)} ${clock(ts)}`;
}

/** `[{day, items}]` in the order given (newest first stays newest first). */
export function groupByDay(items, timeOf, now = new Date()) {
  const groups = [];
  for (const item of items) {
    const day = dayLabel(timeOf(item), now);
    if (!groups.length || groups[groups.length - 1].day !== day) groups.push({ day, items: [] });
    groups[groups.length - 1].items.push(item);
  }
  return groups;
}

/** ISO text for a <time datetime>. */
export function isoOf(ts) {
  return toDate(ts).toISOString();
}
