"""Boot: navigation to an editable workspace in the real app vs bare Pyodide, cold and warm.

The app runs under `quire serve` (the real server, in a child process). The baselines are
bench pages served by the bench server (web/ at /, bench/pages/ at /bench/, the same
static-file class and isolation headers as the proxy): Pyodide alone in a module worker (where
the app's engine runs), Pyodide alone on the main thread, and Pyodide plus the engine's wheels
and `import pylib.api` in a module worker (the app's floor without PyScript, restore or
migrations; it also splits loading the wheels from importing the engine).

Cold: a fresh browser context (empty HTTP cache, IndexedDB, service worker). Warm: reloads in
that context, the app's service worker installed and its workspace stored. Times are in page
time from navigation start to "editable" (`<html data-engine="ready">`, or the bare page's
ready mark); first paint is the page's first-contentful-paint entry. The page kinds take turns,
one browser context each, so a busy machine slows them alike. The app's boot is broken down by
the engine's own progress events (bench/pages/boot_marks.js).

    .venv/bin/python -m bench.browser_boot [--quick]
"""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.browser_harness import (
    main_for,
    BOOT_TIMEOUT_MS, PAGES, Chromium, QuireServer, Table, median, ms,
    p95, ratio, watch_errors,
)

FIRST_PAINT_GOAL_MS = 300.0
WARM_GOAL_RATIO = 1.3
APP = "app"
ENGINE = "engine"
PAINT = "paint"
HANDOFF = "handoff"
PAGE_OF = {"worker": "bench/bare_worker.html", "main": "bench/bare_main.html", ENGINE: "bench/snapshot.html",
           HANDOFF: "bench/handoff.html"}
PHASES = [  # (label, from mark, to mark) in the app's boot
    ("page → Engine created", None, "engineAt"),
    ("runtime: PyScript worker + Pyodide", "runtime", "packages"),
    ("packages + import pylib.api", "packages", "restore"),
    ("restore (PageStore)", "restore", "migrate"),
    ("migrate + first save", "migrate", "ready"),
]
STEPS = ["module", "read", "runtime", "packages", "import"]


@dataclass(frozen=True)
class Plan:
    min_contexts: int
    max_contexts: int
    reloads: int
    budget_s: float
    experiments: bool  # also the Pyodide + engine page (with its memory snapshot) and the wasm hand-off

    @classmethod
    def for_run(cls, quick: bool) -> Plan:
        return cls(1, 1, 1, 0, False) if quick else cls(2, 5, 2, 180, True)


@dataclass
class Samples:
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    paint_cold: list[float] = field(default_factory=list)
    paint_warm: list[float] = field(default_factory=list)
    phases_cold: list[dict] = field(default_factory=list)
    phases_warm: list[dict] = field(default_factory=list)
    steps_cold: list[dict] = field(default_factory=list)
    steps_warm: list[dict] = field(default_factory=list)
    snapshot_bytes: int = 0
    runtime_from_page: list[bool] = field(default_factory=list)  # the app: Pyodide from the page's module


@contextmanager
def quire_server():
    with tempfile.TemporaryDirectory(prefix="quire-bench-") as tmp:
        server = QuireServer(Path(tmp) / "data")
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


FCP = "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"


def app_load(page, url: str, reload: bool) -> dict:
    if reload:
        page.reload(wait_until="commit")
    else:
        page.goto(url, wait_until="commit")
    page.wait_for_function("globalThis.__bootMarks?.state", timeout=BOOT_TIMEOUT_MS)
    marks = page.evaluate("globalThis.__bootMarks")
    if marks["state"] != "ready":
        raise RuntimeError(f"the app did not boot: {page.locator('[role=alert]').all_inner_texts()}")
    marks["fcp"] = page.evaluate(FCP)
    marks["runtimeFromPage"] = page.evaluate("globalThis.quire?.engine?.info?.runtimeFromPage === true")
    return marks


def bare_load(page, url: str, reload: bool) -> dict:
    if reload:
        page.reload(wait_until="commit")
    else:
        page.goto(url, wait_until="commit")
    page.wait_for_function("document.documentElement.dataset.bare", timeout=BOOT_TIMEOUT_MS)
    result = page.evaluate("globalThis.bareBoot")
    if "error" in result:
        raise RuntimeError(f"bare boot failed: {result['error']}")
    result["fcp"] = page.evaluate(FCP)
    return result


def phases_of(marks: dict) -> dict:
    points = {"engineAt": marks["engineAt"], "ready": marks["ready"]["at"], **marks["phases"]}
    out = {}
    for label, start, end in PHASES:
        begin = 0.0 if start is None else points.get(start)
        if begin is not None and points.get(end) is not None:
            out[label] = points[end] - begin
    out["total"] = marks["readyAt"]
    return out


def one_context(cr: Chromium, kind: str, app_url: str, bench_url: str, plan: Plan, samples: Samples) -> None:
    origin = app_url if kind == APP else bench_url
    ctx = cr.context(origin)
    try:
        page = ctx.new_page()
        errors = watch_errors(page)
        if kind == APP:
            ctx.add_init_script(path=str(PAGES / "boot_marks.js"))
            load = lambda reload: app_load(page, app_url, reload)  # noqa: E731
        else:
            load = lambda reload: bare_load(page, bench_url + PAGE_OF[kind], reload)  # noqa: E731
        try:
            first = load(False)
            samples.cold.append(first["readyAt"])
            samples.paint_cold.append(first["fcp"])
            if kind == APP:
                samples.phases_cold.append(phases_of(first))
                samples.runtime_from_page.append(first["runtimeFromPage"])
                # Warm means the offline copy is installed, as on a second visit.
                page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            else:
                samples.steps_cold.append(first["timings"])
            for _ in range(plan.reloads):
                again = load(True)
                samples.warm.append(again["readyAt"])
                samples.paint_warm.append(again["fcp"])
                if kind == APP:
                    samples.phases_warm.append(phases_of(again))
                    samples.runtime_from_page.append(again["runtimeFromPage"])
                else:
                    samples.steps_warm.append(again["timings"])
                    samples.snapshot_bytes = again.get("snapshotBytes", 0)
        except Exception as exc:
            raise RuntimeError(f"{kind} boot failed: {exc}; page errors: {errors}") from exc
    finally:
        ctx.close()


def paint_baseline(cr: Chromium, app_url: str, samples: Samples) -> None:
    """First paint of a bare page (/healthz, rendered as text) from the app's own server."""
    ctx = cr.context(app_url)
    try:
        page = ctx.new_page()
        for reload in (False, True):
            if reload:
                page.reload()
            else:
                page.goto(app_url + "healthz")
            page.wait_for_function(f"({FCP}) !== null")
            (samples.paint_warm if reload else samples.paint_cold).append(page.evaluate(FCP))
    finally:
        ctx.close()


def measure(cr: Chromium, bench_url: str, app_url: str, plan: Plan) -> dict[str, Samples]:
    """Contexts in turns over every page kind: at least min_contexts, more while time allows."""
    results: dict[str, Samples] = defaultdict(Samples)
    started = time.monotonic()
    done = 0
    while done < plan.min_contexts or (done < plan.max_contexts and time.monotonic() - started < plan.budget_s):
        for kind in (APP, "worker", "main", *([ENGINE, HANDOFF] if plan.experiments else [])):
            one_context(cr, kind, app_url, bench_url, plan, results[kind])
        paint_baseline(cr, app_url, results[PAINT])
        done += 1
    cr.check_origin()
    return results


def med(values: list[float]) -> str:
    return ms(median(values)) if values else "—"


def tables(results: dict[str, Samples]) -> list[Table]:
    app, worker, main, engine, handoff = (results[k] for k in (APP, "worker", "main", ENGINE, HANDOFF))
    bare_cold, bare_warm = median(worker.cold), median(worker.warm)
    boot = Table(
        f"Boot to editable (ms from navigation; {len(app.cold)} cold loads and {len(app.warm)} warm reloads "
        "per page, medians unless p95)",
        ["page", "cold", "cold p95", "warm", "warm p95", "cold / bare", "warm / bare",
         "first paint cold", "first paint warm"],
    )
    boot.add("app via `quire serve`: navigation → editable", med(app.cold), ms(p95(app.cold)), med(app.warm),
             ms(p95(app.warm)), ratio(median(app.cold), bare_cold), ratio(median(app.warm), bare_warm),
             med(app.paint_cold), med(app.paint_warm))
    for label, s in [("bare Pyodide, module worker (\"bare\")", worker), ("bare Pyodide, main thread", main)]:
        boot.add(label, med(s.cold), ms(p95(s.cold)), med(s.warm), ms(p95(s.warm)), ratio(median(s.cold), bare_cold),
                 ratio(median(s.warm), bare_warm), med(s.paint_cold), med(s.paint_warm))
    server_page = results[PAINT]
    boot.add("bare page from the app's server (/healthz): first paint only", "—", "—", "—", "—", "—", "—",
             med(server_page.paint_cold), med(server_page.paint_warm))
    if handoff.cold:
        boot.add("bare Pyodide, module worker, wasm compiled by the page (experiment)", med(handoff.cold),
                 ms(p95(handoff.cold)), med(handoff.warm), ms(p95(handoff.warm)),
                 ratio(median(handoff.cold), bare_cold), ratio(median(handoff.warm), bare_warm),
                 med(handoff.paint_cold), med(handoff.paint_warm))
    if engine.cold:
        boot.add("Pyodide + engine wheels + import pylib.api, module worker", med(engine.cold),
                 ms(p95(engine.cold)), "—", "—", ratio(median(engine.cold), bare_cold), "—", med(engine.paint_cold),
                 "—")
        boot.add("the same, Pyodide from a memory snapshot (experiment)", "—", "—", med(engine.warm),
                 ms(p95(engine.warm)), "—", ratio(median(engine.warm), bare_warm), "—", med(engine.paint_warm))
    paint = max(median(app.paint_cold), median(app.paint_warm))
    warm_ratio = median(app.warm) / bare_warm
    boot.notes += [
        "Cold: a fresh browser context. Warm: a reload in that context (the app's service worker installed, "
        "its workspace stored; the snapshot row reads the snapshot its cold load stored). The wasm hand-off page "
        "compiles pyodide.asm.wasm on the page with WebAssembly.compileStreaming (which Chrome caches compiled "
        "across visits) and posts the module to the worker, which instantiates it. The app does the same "
        f"(web/engine/runtime.mjs): its worker ran the page's module in {sum(app.runtime_from_page)} of "
        f"{len(app.runtime_from_page)} loads.",
        f"Goal: first paint ≤ {FIRST_PAINT_GOAL_MS:.0f} ms — {med(app.paint_cold)} cold, {med(app.paint_warm)} "
        f"warm ({ratio(median(app.paint_cold), median(server_page.paint_cold))} and "
        f"{ratio(median(app.paint_warm), median(server_page.paint_warm))} of the bare page from the same server): "
        f"{'met' if paint <= FIRST_PAINT_GOAL_MS else 'missed'}. Warm boot ≤ {WARM_GOAL_RATIO}× bare — "
        f"{warm_ratio:.2f}× ({ratio(median(app.warm), median(main.warm))} of bare on the main thread): "
        f"{'met' if warm_ratio <= WARM_GOAL_RATIO else 'missed'}.",
    ]

    breakdown = Table("Where the app's boot goes (ms, medians of each phase, from the engine's progress events)",
                      ["phase", "cold", "warm"])
    for label, _, _ in PHASES:
        breakdown.add(label, med([p[label] for p in app.phases_cold if label in p]),
                      med([p[label] for p in app.phases_warm if label in p]))
    breakdown.add("total (navigation → editable)", med(app.cold), med(app.warm))

    steps = Table("Pyodide + engine in a module worker, step by step (ms, medians)",
                  ["boot", "pyodide.mjs", "read snapshot", "loadPyodide", "loadPackage (wheels)", "import pylib.api",
                   "total"])
    for label, runs in [("engine, fresh (cold)", engine.steps_cold),
                        ("engine, Pyodide from a memory snapshot (warm)", engine.steps_warm),
                        ("bare Pyodide (cold)", worker.steps_cold), ("bare Pyodide (warm)", worker.steps_warm),
                        ("bare Pyodide, wasm compiled by the page (warm)", handoff.steps_warm)]:
        if runs:
            steps.add(label, *(med([r[k] for r in runs if k in r]) for k in STEPS),
                      med([sum(r.get(k, 0) for k in STEPS) for r in runs]))
    if engine.steps_warm:
        steps.notes.append(f"The snapshot, taken right after loadPyodide, is {engine.snapshot_bytes / 2**20:.0f} MB "
                           "in IndexedDB. A snapshot taken after the wheels are loaded is refused by this Pyodide "
                           "(\"Unexpected hiwire entry\": pydantic-core's shared library leaves JS references it "
                           "cannot hold), so the wheels and the import run on every boot.")
    return [boot, breakdown, steps]


def run(cr: Chromium, base_url: str, quick: bool) -> list[Table]:
    plan = Plan.for_run(quick)
    with quire_server() as app_url:
        return tables(measure(cr, base_url, app_url, plan))


def main() -> None:
    main_for(__doc__, run)


if __name__ == "__main__":
    main()
