"""Directory listing of 1,000 artifacts and a document's 50 newest versions, in headless Chromium.

Inside the worker: the micro-benchmark worker (bench/pages/micro_worker.mjs) builds a workspace
with the engine — 999 notes in 50 folders plus one document with 120 versions, 1,000 artifacts
in all — and times `tree.list` and `versions.list` (limit 50) as the app's worker
(web/engine/engine.py) runs them, with time.perf_counter in Pyodide:
`pylib.api.dispatch(method, params, json_text=True)` (tree.list stays the JSON text SQLite
built), then also the conversion of the answer to a JS object. The baseline is the same rows
read with bare sqlite3 (one SELECT, tuples only), timed the same way.

Through the page: the same workspace is imported into the real app (`quire serve`, a fresh
browser context) and the page times `globalThis.quire.engine.call(...)` — the round trip the
UI pays: message to the PyScript worker, dispatch, conversion to JS, answer, and for tree.list
the page's JSON.parse.

    .venv/bin/python -m bench.browser_queries [--quick]
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.browser_app import imported_app, round_trips
from bench.browser_boot import quire_server
from bench.browser_harness import (
    main_for,
    Chromium, Table, median, ms, p95, ratio, watch_errors,
)

DOCUMENTS = 999
VERSIONS = 120
GOAL_P95_MS = 10.0

TO_BASE64 = """async () => {
    const bytes = await bench.call("exportListing");
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
}"""

@dataclass(frozen=True)
class Plan:
    worker_reps: int
    page_reps: int
    warmup: int  # in the worker: new code paths run slowly until the wasm engine tiers them up

    @classmethod
    def for_run(cls, quick: bool) -> Plan:
        return cls(40, 20, 10) if quick else cls(200, 60, 30)


def in_worker(cr: Chromium, base_url: str, plan: Plan) -> tuple[dict, str, dict]:
    ctx = cr.context(base_url)
    try:
        page = ctx.new_page()
        errors = watch_errors(page)
        call = lambda op, args=None: page.evaluate(  # noqa: E731
            "([op, args]) => bench.call(op, args)", [op, args or {}])
        try:
            page.goto(base_url + "bench/micro.html")
            call("init")
            built = call("listing", {"documents": DOCUMENTS, "versions": VERSIONS})
            samples = {}
            for method, params in requests(built["docId"]).items():
                # Alternate engine and raw in two halves, so both see the same machine load.
                half = plan.worker_reps // 2
                samples[method] = {"engine": [], "to_js": [], "raw": []}
                for _ in range(2):
                    timed = call("timeDispatch", {"method": method, "params": params, "reps": half,
                                                  "warmup": plan.warmup})
                    samples[method]["engine"] += timed["dispatch"]
                    samples[method]["to_js"] += timed["to_js"]
                    samples[method]["raw"] += call("timeRaw", {"method": method, "reps": half,
                                                               "warmup": plan.warmup})
            exported = page.evaluate(TO_BASE64)
        except Exception as exc:
            raise RuntimeError(f"micro worker failed: {exc}; page errors: {errors}") from exc
        return samples, exported, built
    finally:
        ctx.close()


def requests(doc_id: str) -> dict[str, dict]:
    return {"tree.list": {}, "versions.list": {"artifact_id": doc_id, "limit": 50}}


def through_page(cr: Chromium, app_url: str, exported: str, doc_id: str, plan: Plan) -> dict[str, list[float]]:
    with imported_app(cr, app_url, exported, DOCUMENTS + 1) as page:
        return {method: round_trips(page, method, params, plan.page_reps, plan.warmup)
                for method, params in requests(doc_id).items()}


def tables(worker: dict, page: dict, built: dict, plan: Plan) -> list[Table]:
    table = Table(
        f"Listing and history (ms; {plan.worker_reps} calls in the worker, {plan.page_reps} round trips)",
        ["call", "engine p50", "engine p95", "+ to JS p50", "+ to JS p95", "raw SQL p50", "engine / raw",
         "round trip p50", "round trip p95", "round trip / engine"],
    )
    labels = {"tree.list": f"tree.list ({built['artifacts']} artifacts)",
              "versions.list": f"versions.list (50 newest of {VERSIONS})"}
    verdicts = []
    for method, s in worker.items():
        engine, raw, trips = median(s["engine"]), median(s["raw"]), median(page[method])
        table.add(labels[method], ms(engine), ms(p95(s["engine"])), ms(median(s["to_js"])), ms(p95(s["to_js"])),
                  ms(raw), ratio(engine, raw), ms(trips), ms(p95(page[method])), ratio(trips, engine))
        worst = p95(s["to_js"])
        verdicts.append(f"{method} {ms(worst)} ms: {'met' if worst <= GOAL_P95_MS else 'missed'}")
    table.notes += [
        "Engine = `pylib.api.dispatch(method, params, json_text=True)` as web/engine/engine.py calls it "
        "(tree.list: the JSON text SQLite builds), timed in Pyodide (time.perf_counter); + to JS = that and the "
        "answer converted to a JS object as engine.py does; raw SQL = the same rows with bare sqlite3; "
        "round trip = `quire.engine.call` in the app's page (`quire serve`), JSON.parse included.",
        f"Goal: p95 ≤ {GOAL_P95_MS:.0f} ms in the worker (dispatch + to JS) — " + "; ".join(verdicts) + ".",
    ]
    return [table]


def run(cr: Chromium, base_url: str, quick: bool) -> list[Table]:
    plan = Plan.for_run(quick)
    worker, exported, built = in_worker(cr, base_url, plan)
    with quire_server() as app_url:
        page = through_page(cr, app_url, exported, built["docId"], plan)
    cr.check_origin()
    return tables(worker, page, built, plan)


def main() -> None:
    main_for(__doc__, run)


if __name__ == "__main__":
    main()
