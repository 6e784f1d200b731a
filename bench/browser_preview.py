"""Preview render time in Chromium: markdown-it-py (the app's renderer) against the hand-written
renderer it replaced, in the same run, for 10 KB and 100 KB notes.

Two tables:
- *Renderers inside Pyodide*: both renderers in one Pyodide worker, taking turns each round
  (the old sources come from git: the parent of the commit that removed them), plus the same
  pair in CPython for reference.
- *The app's pipeline*: the real preview worker (web/preview) renders the note in sections
  (pylib/markdown/sections.py), then the page sanitises (DOMPurify with the shared policy) and
  inserts the sections that changed, and lays out; once when a note opens (every section
  new) and for one keystroke in the middle of it. The goal is ≤ 50 ms for 100 KB.
- *Opening a note*: the app's Preview shows a note just opened (every section new): the first
  screen is rendered and shown first, the rest after it; time to first content and to all.

`.venv/bin/python -m bench.browser_preview [--quick]`. Timings on a shared 2-core machine are
noisy: compare the ratios of one run.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.browser_harness import ROOT, Table, main_for, median, ms, p95, ratio, watch_errors

OLD_FILES = ("__init__.py", "blocks.py", "inline.py", "lines.py", "links.py", "lists.py", "tables.py", "urls.py")
SIZES = {"10 KB": 10_000, "100 KB": 100_000}

BLOCK = """## Meeting notes {n}

We talked about the *plan* for **next week**, with a [link to the brief](https://example.com/brief)
and a reference to [the roadmap][roadmap]. Some `inline code`, ~~an old idea~~ and a [[Wiki note]].

- first point, with _emphasis_
- second point
  - a nested one
- [ ] a task to do
- [x] a task done

> A quote that runs
> over two lines.

| name | count | share |
|:-----|------:|:-----:|
| a    |     1 |  10%  |
| b    |    22 |  90%  |

```python
def hello(name):
    return f"hi {{name}}"
```

1. one
2. two

[roadmap]: https://example.com/roadmap

"""


def sample(size: int) -> str:
    """A note of about `size` characters of mixed prose, lists, tables and code."""
    parts, n, total = [], 0, 0
    while total < size:
        block = BLOCK.format(n=n)
        parts.append(block)
        total += len(block)
        n += 1
    return "".join(parts)[:size]


def old_sources() -> dict[str, str]:
    """The renderer the app used before markdown-it-py, from git."""
    removed = subprocess.run(["git", "rev-list", "-n", "1", "HEAD", "--", "pylib/markdown/blocks.py"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    if not removed:
        raise RuntimeError("the old renderer is not in this repository's history")
    return {name: subprocess.run(["git", "show", f"{removed}^:pylib/markdown/{name}"], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout for name in OLD_FILES}


def cpython_renderers(old: dict[str, str]):
    from pylib.markdown import render_markdown

    folder = Path(tempfile.mkdtemp()) / "old_markdown"
    folder.mkdir()
    for name, source in old.items():
        (folder / name).write_text(source)
    spec = importlib.util.spec_from_file_location("old_markdown", folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_markdown"] = module
    spec.loader.exec_module(module)
    return {"old": module.render_markdown, "new": render_markdown}


def time_cpython(render, text: str, reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        render(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def run(cr, url: str, quick: bool) -> list[Table]:
    rounds = 3 if quick else 8
    reps = 2 if quick else 3
    old = old_sources()
    context = cr.context(url)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{url}bench/preview.html")
    page.wait_for_function("() => globalThis.benchReady === true")
    page.evaluate("(old) => globalThis.bench.setup(old)", old)
    boot_ms = page.evaluate("() => globalThis.bench.startPreview()")
    py = cpython_renderers(old)
    compare = Table("Preview renderers: render time (ms), same run", [
        "note", "old, Pyodide p50", "new, Pyodide p50", "new p95", "new ÷ old", "old, CPython p50",
        "new, CPython p50", "new ÷ old (CPython)"])
    pipe = Table("The app's preview pipeline (ms): preview worker + sanitise + insert + layout", [
        "note", "sections new", "worker render p50", "round trip p50", "page paint p50", "total p50",
        "total p95", "goal"])
    opens = Table("Opening a note in the preview (ms): first content vs all of it, same renders", [
        "note", "sections", "first content p50", "first content p95", "all p50", "first ÷ all", "goal"])
    for label, size in SIZES.items():
        text = sample(size)
        times = {"old": [], "new": [], "cp-old": [], "cp-new": [], "open": [], "edit": [], "opening": []}
        for n in range(rounds):  # turns, so a busy machine slows both alike
            for which in ("old", "new"):
                times[which] += page.evaluate("([w, t, r]) => globalThis.bench.time(w, t, r)", [which, text, reps])["times"]
                times[f"cp-{which}"] += time_cpython(py[which], text, reps)
            opened = text.replace("## Meeting notes", f"## Notes {n} {label}")  # every section new
            times["open"].append(page.evaluate("(t) => globalThis.bench.pipeline(t)", opened))
            middle = len(opened) // 2
            edited = opened[:middle] + "x" + opened[middle:]  # one keystroke
            times["edit"].append(page.evaluate("(t) => globalThis.bench.pipeline(t)", edited))
            fresh = text.replace("## Meeting notes", f"## Opened {n} {label}")
            times["opening"].append(page.evaluate("(t) => globalThis.bench.opening(t)", fresh))
        compare.add(label, ms(median(times["old"])), ms(median(times["new"])), ms(p95(times["new"])),
                    ratio(median(times["new"]), median(times["old"])), ms(median(times["cp-old"])),
                    ms(median(times["cp-new"])), ratio(median(times["cp-new"]), median(times["cp-old"])))
        for case in ("open", "edit"):
            p = times[case]
            total = [x["total"] for x in p]
            pipe.add(f"{label}, {'opened' if case == 'open' else 'one keystroke'}",
                     f"{p[-1]['built']} of {p[-1]['sections']}", ms(median([x["worker"] for x in p])),
                     ms(median([x["roundTrip"] for x in p])), ms(median([x["paint"] for x in p])),
                     ms(median(total)), ms(p95(total)), "≤ 50" if size == 100_000 else "")
        o = times["opening"]
        first, whole = [x["first"] for x in o], [x["total"] for x in o]
        opens.add(label, str(o[-1]["sections"]), ms(median(first)), ms(p95(first)), ms(median(whole)),
                  ratio(median(first), median(whole)), "≤ 50" if size == 100_000 else "")
    cr.check_origin()
    context.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    compare.notes.append(f"{rounds} rounds × {reps} renders per renderer and size; the old renderer is the "
                         "hand-written one markdown-it-py replaced (from git). The old one lacks footnotes, "
                         "reference links, heading ids and source lines, and is quadratic on long lines of URLs.")
    pipe.notes.append(f"Preview worker boot (its own Pyodide, renderer only): {ms(boot_ms)} ms. "
                      "Round trip = postMessage to the worker, render, answer; paint = DOMPurify + images/links + layout.")
    opens.notes.append("First content: the first screen (the sections starting in the first 120 source lines) "
                       "rendered, sanitised, inserted and laid out; the rest follows in a second answer.")
    return [compare, pipe, opens]


if __name__ == "__main__":
    main_for(__doc__, run)
