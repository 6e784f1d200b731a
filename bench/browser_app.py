"""What the in-app browser benchmarks share: a fresh context on the real app (`quire serve`) with
a workspace built in CPython imported into it, and the timing loops run in the page.

- :func:`imported_app`: the page, its engine ready and the workspace imported (sent in chunks
  of base64, so a 50 MB file fits through `page.evaluate`); a failure names the page's errors.
- :data:`ROUND_TRIPS`: `quire.engine.call(method, params)` timed in the page, after a warm-up.
- :func:`alternate`: two measures taken in turns (halves), so both see the same machine load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.browser_harness import Chromium, watch_errors

CHUNK = 4 << 20  # base64 characters per evaluate call

IMPORT = """async () => {
    const text = atob(window.__chunks.join("")); window.__chunks = null;
    const data = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) data[i] = text.charCodeAt(i);
    await globalThis.quire.engine.call("transfer.import", { data, mode: "replace" });
    await window.quire.ui.documents.refreshTree();
    return (await globalThis.quire.engine.call("tree.list", {})).artifacts.length;
}"""

ROUND_TRIPS = """async ([method, params, reps, warmup]) => {
    const engine = globalThis.quire.engine;
    const samples = [];
    for (let i = 0; i < warmup + reps; i++) {
        const started = performance.now();
        await engine.call(method, params);
        if (i >= warmup) samples.push(performance.now() - started);
    }
    return samples;
}"""


def round_trips(page, method: str, params: dict, reps: int, warmup: int = 0) -> list[float]:
    """Milliseconds of `reps` engine round trips from the page (after `warmup` untimed ones)."""
    return page.evaluate(ROUND_TRIPS, [method, params, reps, warmup])


@contextmanager
def imported_app(cr: Chromium, app_url: str, exported_b64: str, artifacts: int,
                 init_script: str | None = None) -> Iterator:
    """A page of the app holding the exported workspace (`artifacts` of them, checked)."""
    ctx = cr.context(app_url)
    try:
        if init_script:
            ctx.add_init_script(script=init_script)
        page = ctx.new_page()
        errors = watch_errors(page)
        try:
            page.goto(app_url, wait_until="commit")
            page.wait_for_function("['ready', 'failed'].includes(document.documentElement.dataset.engine)")
            page.evaluate("window.__chunks = []")
            for i in range(0, len(exported_b64), CHUNK):
                page.evaluate("(c) => { window.__chunks.push(c); }", exported_b64[i:i + CHUNK])
            count = page.evaluate(IMPORT)
            if count != artifacts:
                raise RuntimeError(f"the app lists {count} artifacts after the import, not {artifacts}")
        except Exception as exc:
            raise RuntimeError(f"the app failed: {exc}; page errors: {errors}") from exc
        yield page
    finally:
        ctx.close()


def alternate(measures: dict[str, Callable[[], list[float]]], halves: int = 2) -> dict[str, list[float]]:
    """Each measure's samples, taken in turns `halves` times (same machine load for all)."""
    out: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(halves):
        for name, measure in measures.items():
            out[name] += measure()
    return out
