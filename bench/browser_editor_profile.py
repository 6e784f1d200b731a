"""Where the editor's time goes, counted rather than timed: a Chromium trace and a V8 CPU profile
of keys typed into a 1 MB note, and a trace of warm reloads to an editable first screen.

Wall-clock latencies on a shared 2-core machine mostly measure waiting for a core; the trace's
thread times (`tdur`: time the page's main thread actually ran) and the profile's samples do
not, so they say what runs per keystroke and what a reload does before the note takes typing.

- Keystrokes: per key, the main thread's busy time (RunTask) and its parts (input events,
  animation frames, style, layout, paint, GC, ...), in thread time and in wall time; and the
  CPU profile's self time per script (CodeMirror's bundle, each of the page's modules, native
  work), with the page's own functions that ran per key.
- Warm reload: navigation timing (service worker, response, DOM), when each module of the
  first screen arrived, and the main thread's work from navigation to the note taking typing,
  by kind (HTML parse, script compile and evaluation, style, layout, paint).

    .venv/bin/python -m bench.browser_editor_profile [--quick]
"""

from __future__ import annotations

import json
from collections import defaultdict

from bench.browser_editor import EDITABLE_WITH, call, note_text
from bench.browser_harness import BOOT_TIMEOUT_MS, Chromium, Table, boot_app, main_for, ms, watch_errors

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "v8",
              "blink.user_timing", "loading", "toplevel"]
# Trace events worth a row (inclusive times; they nest: a RunTask holds the rest).
KEY_EVENTS = ["RunTask", "EventDispatch", "FunctionCall", "FireAnimationFrame", "TimerFire",
              "UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize", "UpdateLayer",
              "HitTest", "MinorGC", "MajorGC", "V8.GC_SCAVENGER", "V8.GC_MARK_COMPACTOR",
              "V8.GCIncrementalMarking", "ParseHTML", "EvaluateScript", "v8.compileModule",
              "v8.evaluateModule", "v8.compile", "v8.run", "ParseAuthorStyleSheet", "ResourceReceivedData"]


def main_thread_events(trace: dict) -> list[dict]:
    """Complete events of the page's main thread (the busiest CrRendererMain)."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    mains = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    busy: dict = defaultdict(float)
    for e in events:
        if e.get("ph") == "X" and e.get("name") == "RunTask" and (e["pid"], e["tid"]) in mains:
            busy[(e["pid"], e["tid"])] += e.get("tdur", e.get("dur", 0))
    if not busy:
        return []
    main = max(busy, key=busy.get)
    return [e for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) == main]


def totals(events: list[dict], start_us: float = 0, end_us: float = float("inf")) -> dict[str, tuple[float, float]]:
    """name -> (thread ms, wall ms), summed over the events inside [start, end]."""
    out: dict = defaultdict(lambda: [0.0, 0.0])
    for e in events:
        if not start_us <= e["ts"] <= end_us:
            continue
        name = e["name"]
        if name == "EventDispatch":
            name = f"EventDispatch {e.get('args', {}).get('data', {}).get('type', '')}".strip()
        out[name][0] += e.get("tdur", e.get("dur", 0)) / 1000
        out[name][1] += e.get("dur", 0) / 1000
    return {k: (v[0], v[1]) for k, v in out.items()}


def event_rows(table: Table, sums: dict, per: float, names: list[str]) -> None:
    for name in names:
        for key in sorted(k for k in sums if k == name or k.startswith(name + " ")):
            thread, wall = sums[key]
            if wall >= 0.05 * per:
                table.add(key, ms(thread / per), ms(wall / per))


def profile_self_times(profile: dict) -> tuple[dict[str, float], dict[str, float], float]:
    """(self ms per script, self ms per page function 'module:name', total ms) from a CPU profile."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    interval: dict = defaultdict(float)
    deltas = profile.get("timeDeltas", [])
    for sample, delta in zip(profile.get("samples", [])[1:], deltas[1:]):
        interval[sample] += delta / 1000
    by_script: dict = defaultdict(float)
    by_function: dict = defaultdict(float)
    for node_id, spent in interval.items():
        frame = nodes[node_id]["callFrame"]
        url = frame.get("url", "")
        script = url.rsplit("/", 2)[-2] + "/" + url.rsplit("/", 1)[-1] if "/" in url else (frame["functionName"] or "(native)")
        if "codemirror" in url:
            script = "CodeMirror bundle"
        by_script[script] += spent
        if "/ui/" in url or "/embed/" in url or "/engine/" in url or "/preview/" in url:
            by_function[f"{url.rsplit('/', 1)[-1]}:{frame['functionName'] or '(anonymous)'}"] += spent
    return dict(by_script), dict(by_function), sum(interval.values())


def trace_of(page, cr: Chromium, action) -> dict:
    cr.browser.start_tracing(page=page, categories=CATEGORIES)
    try:
        action()
    finally:
        raw = cr.browser.stop_tracing()
    return json.loads(raw)


def keystroke_profile(cr: Chromium, page, keys: int, settle_ms: int, label: str) -> list[Table]:
    """Keys typed at the end of a 1 MB note opened `settle_ms` before (500: as the benchmark
    types, while the syntax tree may not reach the end yet; 10 s: a settled note)."""
    size = 1_000_000
    text = note_text(size)
    page.evaluate("(v) => quire.ui.layout.setView(v)", "edit")
    created = call(page, "artifacts.create", {"path": f"/profile-1mb-{settle_ms}.md", "content": text})
    page.evaluate("(id) => quire.ui.documents.refreshTree().then(() => quire.ui.documents.open(id, {focus: true}))", created["id"])
    page.wait_for_function("(n) => quire.ui.editor.text().length === n", arg=size)
    page.locator("#editor .cm-content").click()
    page.keyboard.press("Control+End")
    page.wait_for_timeout(settle_ms)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 100})

    def typing() -> None:
        cdp.send("Profiler.start")
        for i in range(keys):
            page.keyboard.type("abcdefghij "[i % 11], delay=0)
            page.wait_for_timeout(40)
        page.wait_for_timeout(100)

    trace = trace_of(page, cr, typing)
    profile = cdp.send("Profiler.stop")["profile"]
    cdp.detach()
    events = main_thread_events(trace)
    keydowns = [e["ts"] for e in events if e["name"] == "EventDispatch" and e.get("args", {}).get("data", {}).get("type") == "keydown"]
    sums = totals(events, min(keydowns, default=0), max(keydowns, default=0) + 60_000)
    per = max(1, len(keydowns))
    frame = Table(f"Main thread per keystroke, 1 MB note, {label} ({per} keys; inclusive, nested: RunTask holds the rest)",
                  ["trace event", "thread ms / key", "wall ms / key"])
    event_rows(frame, sums, per, KEY_EVENTS)
    frame.notes.append("Thread time is what the main thread ran; wall time adds waiting for a core.")
    by_script, by_function, total = profile_self_times(profile)
    scripts = Table(f"CPU profile while typing ({label}): self time per script, ms per key", ["script", "ms / key", "share"])
    for script, spent in sorted(by_script.items(), key=lambda kv: -kv[1])[:12]:
        scripts.add(script, ms(spent / per), f"{spent / total:.0%}")
    own = Table(f"The page's own functions while typing ({label}; self time), ms per key", ["function", "ms / key"])
    for name, spent in sorted(by_function.items(), key=lambda kv: -kv[1])[:15]:
        own.add(name, f"{spent / per:.3f}")
    return [frame, scripts, own]


NAV_TIMING = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource").filter((r) => /\\.(mjs|css)$/.test(r.name))
    .map((r) => ({ name: r.name.replace(location.origin, ""), start: r.startTime, end: r.responseEnd, worker: r.workerStart }));
  return { worker: n.workerStart, fetch: n.fetchStart, response: n.responseStart, html: n.responseEnd,
           interactive: n.domInteractive, res };
}"""


def reload_profile(cr: Chromium, page, rounds: int) -> list[Table]:
    text = page.evaluate("quire.ui.editor.text()")
    marks: list[dict] = []
    sums_all: dict = defaultdict(lambda: [0.0, 0.0])
    for _ in range(rounds):
        result: dict = {}

        def reload() -> None:
            page.reload(wait_until="commit")
            result["editable"] = page.evaluate(EDITABLE_WITH, text)

        trace = trace_of(page, cr, reload)
        timing = page.evaluate(NAV_TIMING)
        timing["editable"] = result["editable"]
        marks.append(timing)
        events = main_thread_events(trace)
        nav = [e["ts"] for e in events if e["name"] in ("ParseHTML",)]
        start = min(nav, default=0)
        end = start + result["editable"] * 1000
        for k, (t, w) in totals(events, start - 1, end).items():
            sums_all[k][0] += t
            sums_all[k][1] += w
        boot_app(page)
        page.wait_for_timeout(500)
    timing = Table(f"Warm reload: navigation to typing accepted, median of {rounds} (ms since navigation)",
                   ["step", "ms"])
    med = lambda key: sorted(m[key] for m in marks)[len(marks) // 2]  # noqa: E731
    for key, label in [("worker", "service worker starts"), ("fetch", "page fetch starts"),
                       ("response", "page's first byte"), ("html", "page's last byte"),
                       ("interactive", "HTML parsed (DOM interactive)"), ("editable", "note takes typing")]:
        timing.add(label, ms(med(key)))
    first = marks[len(marks) // 2]["res"]
    for r in sorted(first, key=lambda r: r["end"])[:16]:
        timing.add(f"  {r['name']}: requested {ms(r['start'])}, arrived", ms(r["end"]))
    work = Table("Main thread from the page's first parse to typing accepted, ms per reload (inclusive)",
                 ["trace event", "thread ms", "wall ms"])
    event_rows(work, {k: (v[0], v[1]) for k, v in sums_all.items()}, rounds, KEY_EVENTS)
    return [timing, work]


def run(cr: Chromium, url: str, quick: bool) -> list[Table]:
    keys, rounds = (30, 3) if quick else (60, 5)
    ctx = cr.context(url)
    try:
        page = ctx.new_page()
        errors = watch_errors(page)
        boot_app(page, url, errors)
        tables = keystroke_profile(cr, page, keys, 500, "typed 0.5 s after going to its end, as the benchmark does")
        tables += keystroke_profile(cr, page, keys, 10_000, "typed 10 s after going to its end")
        created = call(page, "artifacts.create", {"path": "/profile-10kb.md", "content": note_text(10_000)})
        page.evaluate("(id) => quire.ui.documents.refreshTree().then(() => quire.ui.documents.open(id))", created["id"])
        page.wait_for_function("(n) => quire.ui.editor.text().length === n", arg=10_000, timeout=BOOT_TIMEOUT_MS)
        page.wait_for_timeout(1500)
        tables += reload_profile(cr, page, rounds)
        cr.check_origin()
        if errors:
            raise RuntimeError(f"page errors: {errors[:3]}")
        return tables
    finally:
        ctx.close()


if __name__ == "__main__":
    main_for(__doc__, run)
