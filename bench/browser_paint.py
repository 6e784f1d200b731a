"""First paint of this tree's page against another commit's page, interleaved in one run.

For a change to the page (web/index.html, web/app.css, web/ui/): two `quire serve` servers, one
serving web/ as it is here, one serving web/ of `--against` (extracted with `git archive`, with
this tree's vendored runtime and a manifest of its own files). The two take turns, one fresh
browser context each per round (the order flips every round), so a busy machine slows them alike.
Cold: the first load in a fresh context. Warm: reloads once the app booted and its service worker
is installed. First paint is the page's `first-contentful-paint` entry.

    .venv/bin/python -m bench.browser_paint --against COMMIT [--rounds 6]

Not part of `python -m bench` (it needs a commit to compare with).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from bench.browser_harness import (
    BOOT_TIMEOUT_MS, PAGES, ROOT, Chromium, QuireServer, Table, check_vendored, chromium,
    median, ms, print_tables, ratio,
)

RELOADS = 3
FCP = "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
HAS_FCP = "performance.getEntriesByName('first-contentful-paint').length > 0"
BOOTED = "globalThis.__bootMarks?.state"


def web_of(commit: str, into: Path) -> Path:
    """web/ of `commit` with this tree's vendored files and a manifest of that tree's files."""
    archive = subprocess.run(["git", "archive", commit, "web"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    web = into / "web"
    subprocess.run(["cp", "-r", str(ROOT / "web" / "vendor"), str(web)], check=True)
    spec = importlib.util.spec_from_file_location("vendor_script", ROOT / "scripts" / "vendor.py")
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    vendor.WEB, vendor.VENDOR = web, web / "vendor"
    vendor.write_manifest()
    return web


def one_context(cr: Chromium, url: str, cold: list[float], warm: list[float]) -> None:
    ctx = cr.context(url)
    try:
        ctx.add_init_script(path=str(PAGES / "boot_marks.js"))
        page = ctx.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_function(HAS_FCP, timeout=BOOT_TIMEOUT_MS)
        cold.append(page.evaluate(FCP))
        page.wait_for_function(BOOTED, timeout=BOOT_TIMEOUT_MS)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        for _ in range(RELOADS):
            page.reload(wait_until="commit")
            page.wait_for_function(HAS_FCP, timeout=BOOT_TIMEOUT_MS)
            warm.append(page.evaluate(FCP))
            page.wait_for_function(BOOTED, timeout=BOOT_TIMEOUT_MS)
    finally:
        ctx.close()


def run(against: str, rounds: int) -> Table:
    check_vendored()
    with tempfile.TemporaryDirectory(prefix="quire-paint-") as tmp:
        base = web_of(against, Path(tmp) / "base")
        servers = {"base": QuireServer(Path(tmp) / "a", env={"QUIRE_WEB_DIR": str(base)}),
                   "here": QuireServer(Path(tmp) / "b")}
        samples = {side: ([], []) for side in servers}
        for server in servers.values():
            server.start()
        try:
            with chromium() as cr:
                for r in range(rounds):
                    for side in (("base", "here") if r % 2 == 0 else ("here", "base")):
                        one_context(cr, servers[side].url, *samples[side])
                cr.check_origin()
        finally:
            for server in servers.values():
                server.stop()
    table = Table(f"First paint: this tree vs {against} (ms, medians; {rounds} cold loads and "
                  f"{rounds * RELOADS} warm reloads each)",
                  ["page", "cold", "warm", "cold / base", "warm / base"])
    (base_cold, base_warm), (cold, warm) = samples["base"], samples["here"]
    table.add(f"web/ of {against}", ms(median(base_cold)), ms(median(base_warm)), "1.00×", "1.00×")
    table.add("web/ here", ms(median(cold)), ms(median(warm)),
              ratio(median(cold), median(base_cold)), ratio(median(warm), median(base_warm)))
    for name, (c, w) in ((against, samples["base"]), ("here", samples["here"])):
        table.notes.append(f"{name}: cold {' '.join(f'{x:.0f}' for x in c)}; warm {' '.join(f'{x:.0f}' for x in w)}")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the commit whose web/ is the baseline")
    parser.add_argument("--rounds", type=int, default=6, help="fresh contexts per side")
    args = parser.parse_args()
    print_tables([run(args.against, args.rounds)])


if __name__ == "__main__":
    main()
