"""What the browser benchmarks share: a static server for web/ and bench/pages/, Chromium, and
statistics and tables.

The bench server is a small Starlette app in this process: web/ at / and bench/pages/ at
/bench/, served by the proxy's own static-file class (MIME types, cache headers) behind the
proxy's isolation headers (COOP/COEP, which SharedArrayBuffer needs), on 127.0.0.1 and a free
port. Every request that leaves the page's origin is aborted and counted; a benchmark fails
if there was one.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "bench" / "pages"
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

# Browser settings come from the top-level playwright.config.py, through the tests' own loader.
from e2e_helpers import CONFIG, ForeignRequests, QuireServer, current_build  # noqa: E402, F401 (QuireServer is re-exported)
# The same in-process static server the browser tests serve their pages with.
from static_server import isolated_app, serve_in_thread  # noqa: E402

BOOT_TIMEOUT_MS = CONFIG.BENCH_TIMEOUT_MS


def check_vendored() -> None:
    """Bring web/vendor/ up to date with the sources (the engine wheel, the service worker's
    manifest) before serving web/, as `make setup` does; a stale engine wheel fails the boot."""
    try:
        current_build()
    except RuntimeError as error:
        raise SystemExit(str(error)) from None


def boot_app(page: Page, url: str | None = None, errors: Sequence[str] = ()) -> None:
    """Go to `url` (or wait on the page as it is) until the engine has opened the workspace;
    a failed boot raises at once with the engine's message, not after the boot timeout."""
    if url is not None:
        page.goto(url, wait_until="commit")
    page.wait_for_function("['ready', 'failed'].includes(document.documentElement.dataset.engine)",
                           timeout=BOOT_TIMEOUT_MS)
    if page.evaluate("document.documentElement.dataset.engine") != "ready":
        alerts = [text for text in page.locator("[role=alert]").all_inner_texts() if text.strip()]
        raise RuntimeError(f"the app did not boot: {alerts}; page errors: {list(errors)[:3]}")


def bench_app():
    """web/ at /, bench/pages/ at /bench/ and onnxruntime-web as published at /bench-ort/ (the
    embedding baseline's default build), cross-origin isolated like the real server."""
    return isolated_app({"/bench": PAGES, "/bench-ort": ROOT / "node_modules" / "onnxruntime-web" / "dist",
                         "/": ROOT / "web"})


@contextmanager
def bench_server() -> Iterator[str]:
    """Serve web/ and bench/pages/ on 127.0.0.1; yields the base URL, stops on exit."""
    with serve_in_thread(bench_app(), "bench server") as url:
        yield url + "/"


@dataclass
class Chromium:
    """One headless Chromium; contexts made here refuse and count foreign requests."""

    browser: Browser
    guard: ForeignRequests = field(default_factory=ForeignRequests)

    def context(self, origin: str) -> BrowserContext:
        ctx = self.browser.new_context(**CONFIG.context_options())
        ctx.set_default_timeout(BOOT_TIMEOUT_MS)
        ctx.set_default_navigation_timeout(BOOT_TIMEOUT_MS)
        self.guard.install(ctx, origin)
        return ctx

    def check_origin(self) -> None:
        if self.guard.urls:
            raise RuntimeError(f"requests left the page's origin: {self.guard.urls[:5]}")


@contextmanager
def chromium() -> Iterator[Chromium]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**CONFIG.launch_options())
        try:
            yield Chromium(browser)
        finally:
            browser.close()


def watch_errors(page: Page) -> list[str]:
    """Collect uncaught page errors (printed with a failing benchmark)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# --- statistics and tables ------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    return percentile(values, 95)


def ratio(numerator: float, denominator: float) -> str:
    if not denominator:
        return "n/a"
    value = numerator / denominator
    return f"{value:.0f}×" if value >= 100 else f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.1f}"


def kib(n_bytes: float) -> str:
    return f"{n_bytes / 2**10:.0f}"


@dataclass
class Table:
    """A Markdown table with a title and notes, printed as the benchmark's result."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    def render(self) -> str:
        widths = [max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
                  for i, h in enumerate(self.header)]
        line = lambda cells: "| " + " | ".join(  # noqa: E731
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"
        rule = "|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|"
        out = [f"### {self.title}", "", line(self.header), rule, *(line(r) for r in self.rows)]
        if self.notes:
            out += ["", *self.notes]
        return "\n".join(out)


def print_tables(tables: Sequence[Table]) -> None:
    for table in tables:
        print(table.render(), end="\n\n", flush=True)


def main_for(description: str, run) -> None:
    """The command line of one browser benchmark: `--quick`, a bench server, Chromium, tables."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    check_vendored()
    with bench_server() as url, chromium() as cr:
        print_tables(run(cr, url, args.quick))
